/**
 * A measure task this platform's agency must carry out (DESIGN §13): apply a joint measure to a
 * listed subject, or lift it. It arrives on the feed among the records; the platform keeps it for its
 * staff to act on, and the answer is given on the exchange's HTTP API, never by the platform itself.
 */
export interface MeasureTaskIn {
  taskId: string;
  /** ce_id of the feed message that brought it. */
  eventId: string;
  kind: 'apply' | 'lift';
  liftsTaskId: string | null;
  entryId: string;
  listType: string;
  listColour: string;
  memorandumId: string;
  documentNumber: string;
  measureId: string;
  measureText: string;
  legalBasis: string;
  mode: string;
  scenarios: string[];
  targets: string[];
  /** In this subscriber's view: a USCC, or a natural person's pseudonym or id as entitled. */
  subject: { kind: string; canonicalId: string; name: string };
  recordId: string;
  listedAt: Date | null;
  appliesUntil: string | null;
  dueBy: string | null;
  issuedAt: Date;
  endReason: string;
  traceparent: string | null;
}
