import { randomUUID } from 'node:crypto';
import { Topics } from '@cie/contracts';
import { createSectorApp } from '@cie/sector-kit';
import { readTopic, sectorTestConfig, testKafka } from '@cie/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { courtsSector } from './record-types/index.js';

const run = randomUUID().slice(0, 8);
const KEY = 'demo-key-court-bj-chaoyang';

/** A dishonest-debtor listing with the longest obligation allowed (2,000 characters, 6 KB of UTF-8). */
const bigRecord = (i: number) => ({
  ...structuredClone(courtsSector.recordTypes[0]!.example),
  sourceRecordId: `${run}-big-${i}`,
  obligation: `支付货款${'欠'.repeat(1996)}`,
});

describe('courts bulk intake: one flush larger than the broker takes in one request', () => {
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    app = await createSectorApp(courtsSector, sectorTestConfig());
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app.close();
  });

  it('publishes a 200-record flush of 1.3 MB, all for one subject (one partition), in requests under the limit', async () => {
    // Given one NDJSON upload whose 200 records (one flush) come to ~1.3 MB on one partition, past
    // the broker's 1 MB per request
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify(bigRecord(i)));
    expect(Buffer.byteLength(lines.join('\n'))).toBeGreaterThan(1.2 * 1024 * 1024);

    // When it is uploaded
    const response = await fetch(`${base}/v1/records/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${KEY}` },
      body: `${lines.join('\n')}\n`,
    });

    // Then every record is accepted, none answered 503 ...
    expect(response.status).toBe(200);
    const answers = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(answers.at(-1)).toEqual({ summary: { total: 200, accepted: 200 } });
    const eventIds = new Set(answers.slice(0, -1).map((a) => String(a['eventId'])));
    expect(eventIds.size).toBe(200);

    // ... and each is on the sector topic once, where its receipt says
    const where = new Map(
      answers
        .slice(0, -1)
        .map((a) => [String(a['eventId']), `${String(a['partition'])}@${String(a['offset'])}`]),
    );
    const messages = await readTopic(testKafka(`courts-bulk-${run}`), Topics.sectorEvents('courts'), {
      only: (m) => eventIds.has(m.headers['ce_id'] ?? ''),
      until: (m) => m.length >= 200,
      timeoutMs: 60_000,
    });
    expect(messages).toHaveLength(200);
    expect(new Set(messages.map((m) => m.headers['ce_id'])).size).toBe(200);
    for (const m of messages) expect(`${m.partition}@${m.offset}`).toBe(where.get(m.headers['ce_id']!));
  });
});
