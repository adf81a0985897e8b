/**
 * The largest record an agency may send, as JSON: a sector service refuses a bigger one (413), and the
 * exchange refuses a sector event whose protobuf payload is bigger (never more than the JSON it came
 * from), so a record that slipped past the sector service cannot fill every subscriber's feed.
 */
export const MAX_RECORD_BYTES = 64 * 1024;
