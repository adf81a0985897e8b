import type { Readable } from 'node:stream';

export type NdjsonLine = { lineNumber: number } & (
  { ok: true; text: string } | { ok: false; reason: string }
);

/**
 * Splits a byte stream into NDJSON lines without ever holding more than one line (at most
 * `maxLineBytes`) plus one chunk: a line longer than that, or not valid UTF-8, is reported and skipped.
 */
export async function* ndjsonLines(stream: Readable, maxLineBytes: number): AsyncGenerator<NdjsonLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let lineNumber = 0;
  const finish = (): NdjsonLine | undefined => {
    lineNumber += 1;
    const bytes = Buffer.concat(parts);
    parts = [];
    size = 0;
    if (tooLong) {
      tooLong = false;
      return { lineNumber, ok: false, reason: `line longer than ${maxLineBytes} bytes` };
    }
    try {
      const text = decoder.decode(bytes).replace(/\r$/, '');
      return text.trim() === '' ? undefined : { lineNumber, ok: true, text };
    } catch {
      return { lineNumber, ok: false, reason: 'line is not valid UTF-8' };
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      append(chunk.subarray(start, nl));
      const line = finish();
      if (line) yield line;
      start = nl + 1;
    }
    append(chunk.subarray(start));
  }
  if (size > 0 || tooLong) {
    const line = finish();
    if (line) yield line;
  }

  function append(piece: Buffer): void {
    if (tooLong || piece.length === 0) return;
    if (size + piece.length > maxLineBytes) {
      tooLong = true;
      parts = [];
      return;
    }
    parts.push(Buffer.from(piece));
    size += piece.length;
  }
}
