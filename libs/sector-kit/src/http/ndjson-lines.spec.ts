import { Readable } from 'node:stream';
import { ndjsonLines } from './ndjson-lines.js';

async function read(chunks: Buffer[], max = 64) {
  const lines = [];
  for await (const line of ndjsonLines(Readable.from(chunks), max)) lines.push(line);
  return lines;
}

describe('splitting an NDJSON upload into lines', () => {
  it('joins lines split across chunks, skips blank lines and keeps line numbers of the upload', async () => {
    const lines = await read([Buffer.from('{"a":1}\n{"b"'), Buffer.from(':2}\r\n\n{"c":3}')]);
    expect(lines).toEqual([
      { lineNumber: 1, ok: true, text: '{"a":1}' },
      { lineNumber: 2, ok: true, text: '{"b":2}' },
      { lineNumber: 4, ok: true, text: '{"c":3}' },
    ]);
  });

  it('reports a line that is too long or not UTF-8, and carries on with the next', async () => {
    const lines = await read(
      [Buffer.from(`${'x'.repeat(100)}\n`), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('{"ok":true}\n')],
      64,
    );
    expect(lines).toEqual([
      { lineNumber: 1, ok: false, reason: 'line longer than 64 bytes' },
      { lineNumber: 2, ok: false, reason: 'line is not valid UTF-8' },
      { lineNumber: 3, ok: true, text: '{"ok":true}' },
    ]);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('{"name":"法院"}\n');
    expect(await read([bytes.subarray(0, 11), bytes.subarray(11)])).toEqual([
      { lineNumber: 1, ok: true, text: '{"name":"法院"}' },
    ]);
  });
});
