import { once } from 'node:events';
import { createWriteStream, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cie } from '../test/cie-process.js';

/**
 * The upload's memory does not grow with the file. The service's side is measured by the bulk
 * benchmark; here a stand-in answers as POST /v1/records/bulk does (a receipt per line, then the
 * summary) without Kafka behind it, so that only the CLI is measured. With fetch and a stream body,
 * every chunk sent stayed in memory until the end: a 40 MB file took 40 MB more than a 1 MB one.
 */
describe('cie submit memory', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cie-memory-'));
  let server: http.Server;
  let url: string;

  const file = async (name: string, lines: number) => {
    const target = path.join(dir, name);
    const out = createWriteStream(target);
    const filler = 'x'.repeat(480);
    for (let i = 0; i < lines; i++)
      if (!out.write(`{"sourceRecordId":"m-${i}","pad":"${filler}"}\n`)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    return target;
  };

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      void (async () => {
        response.writeHead(200, { 'content-type': 'application/x-ndjson' });
        let line = 0;
        for await (const _ of createInterface({ input: request, crlfDelay: Infinity })) {
          line += 1;
          if (!response.write(`{"line":${line},"status":"accepted"}\n`)) await once(response, 'drain');
          // A service that keeps up with Kafka, not with the loopback: the upload waits on it.
          if (line % 2000 === 0) await new Promise((r) => setTimeout(r, 5));
        }
        response.end(`{"summary":{"total":${line},"accepted":${line}}}\n`);
      })();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
  });

  it('uploads a 40 MB file in about the memory of a 1 MB one', async () => {
    const small = await file('small.ndjson', 2_000);
    const big = await file('big.ndjson', 80_000);
    const submit = (f: string) => cie(['submit', f, '--url', url, '--key', 'k', '--no-progress']);
    const a = await submit(small);
    const b = await submit(big);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(b.stdout).toMatch(/accepted +80,000\n/);
    expect(a.peakRssKb).toBeGreaterThan(0);
    expect(b.peakRssKb - a.peakRssKb).toBeLessThan(20_000);
  }, 120_000);
});
