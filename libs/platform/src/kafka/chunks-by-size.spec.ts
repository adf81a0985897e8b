import { chunksBySize } from './chunks-by-size.js';

const message = (bytes: number) => ({ topic: 't', key: 'k', value: Buffer.alloc(bytes), headers: {} });

describe('splitting one transaction’s outputs into requests the broker accepts', () => {
  it('Given outputs larger than the limit, each request stays under it and nothing is lost or reordered', () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({ ...message(30_000), key: String(i) }));
    const chunks = chunksBySize(messages, 512 * 1024);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      expect(chunk.reduce((n, m) => n + (m.value?.length ?? 0), 0)).toBeLessThanOrEqual(512 * 1024);
    expect(chunks.flat().map((m) => m.key)).toEqual(messages.map((m) => m.key));
  });

  it('Given one message larger than the limit, it travels alone rather than being dropped', () => {
    expect(chunksBySize([message(10), message(2_000_000), message(10)], 1024).map((c) => c.length)).toEqual([
      1, 1, 1,
    ]);
  });
});
