/**
 * Bytes a produce request may carry, well under the broker's 1 MB default (`message.max.bytes`,
 * per partition's record batch): one flush of a batch can be far larger, and a request over the
 * limit is refused on every retry.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** What chunksBySize weighs of a message: its value, key and headers. */
export interface SizedMessage {
  key?: Buffer | string | null;
  value?: Buffer | null;
  headers?: Record<string, string | Buffer | undefined>;
}

/** Splits messages, in order, into runs whose payloads, keys and headers add up to at most `limit` bytes. */
export function chunksBySize<M extends SizedMessage>(messages: readonly M[], limit: number): M[][] {
  const chunks: M[][] = [];
  let current: M[] = [];
  let size = 0;
  for (const m of messages) {
    const bytes = (m.value?.length ?? 0) + (m.key?.length ?? 0) + JSON.stringify(m.headers ?? {}).length + 64;
    if (current.length > 0 && size + bytes > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
