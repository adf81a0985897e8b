import { randomUUID } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AgencyRequestType, DisputeResolutionSchema, FeedEventSchema, Topics } from '@cie/contracts';
import { cloudEventHeaders } from '@cie/platform';
import { readFeed, readTopic, testKafka } from '@cie/testing';
import { SubjectKind } from '@cie/contracts';
import type { Producer } from 'kafkajs';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import { publishDebtor, testUscc } from './sector-events.js';

/**
 * What storage cannot hold, produced straight onto a sector topic past the HTTP edge: each is
 * dead-lettered with its code, and a record published after them on the same partition (same key)
 * reaches its feed within seconds while readiness stays ready. Before, a NUL note retried its batch
 * for ever (`invalid byte sequence for encoding "UTF8": 0x00`) and the partition stood still.
 */
const run = randomUUID().slice(0, 8);
const kafka = testKafka(`poison-it-${run}`);
const KEY = testUscc('110105', run, 77);

describe('poison on a sector topic is isolated; the partition moves on', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  const readiness: number[] = [];
  let polling: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `poison-it-${run}`,
        EXCHANGE_INSTANCE_ID: `poison-it-${run}`,
        PORT: '28087',
      }),
    );
    await exchange.start();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    polling = setInterval(() => {
      fetch(`${exchange.url}/health/ready`).then(
        (r) => readiness.push(r.status),
        () => readiness.push(0),
      );
    }, 250);
  });

  afterAll(async () => {
    clearInterval(polling);
    await producer?.disconnect();
    await exchange?.stop();
  });

  it('dead-letters a NUL note and a non-UUID ce_id with their codes, then delivers the next record on that partition within 5 s', async () => {
    const nulNoteId = randomUUID();
    const resolution = create(DisputeResolutionSchema, {
      disputeId: randomUUID(),
      source: { sector: 'courts', agencyId: 'court-bj-chaoyang', sourceRecordId: `poison-${run}` },
      outcome: 'upheld',
      note: 'a\u0000b',
    });
    await producer.send({
      topic: Topics.sectorEvents('courts'),
      acks: -1,
      messages: [
        {
          key: KEY,
          value: Buffer.from(toBinary(DisputeResolutionSchema, resolution)),
          headers: cloudEventHeaders({
            id: nulNoteId,
            source: '/sectors/courts/agencies/court-bj-chaoyang',
            type: AgencyRequestType.disputeResolved,
            time: new Date(),
            subject: KEY,
            dataschema: DisputeResolutionSchema.typeName,
          }),
        },
      ],
    });
    const company = {
      sourceRecordId: `poison-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: KEY,
      name: '北京某某商贸有限公司',
    };
    await publishDebtor(producer, { ...company, sourceRecordId: `poison-bad-id-${run}` }, 'not-a-uuid');
    const sentAt = Date.now();
    await publishDebtor(producer, company);

    const feed = await readFeed(kafka, 'beijing-platform', {
      until: (m) =>
        m.some(
          (x) =>
            fromBinary(FeedEventSchema, x.value).record?.source?.sourceRecordId === company.sourceRecordId,
        ),
      timeoutMs: 30_000,
    });
    const arrived = feed.find(
      (x) => fromBinary(FeedEventSchema, x.value).record?.source?.sourceRecordId === company.sourceRecordId,
    );
    expect(arrived).toBeDefined();
    const elapsed = Date.now() - sentAt;
    console.log(`record after two poison messages on the same partition reached its feed in ${elapsed} ms`);
    expect(elapsed).toBeLessThan(5000);

    const dlq = await readTopic(kafka, Topics.deadLetters(Topics.sectorEvents('courts')), {
      until: (m) =>
        m.some((x) => x.headers['ce_id'] === nulNoteId) && m.some((x) => x.headers['ce_id'] === 'not-a-uuid'),
      timeoutMs: 15_000,
    });
    const nul = dlq.find((x) => x.headers['ce_id'] === nulNoteId);
    expect(nul?.headers['dlq_code']).toBe('invalid_field');
    expect(nul?.headers['dlq_reason']).toBe('resolution.note contains a control character');
    expect(nul?.headers['dlq_field']).toBe('resolution.note');
    // The original bytes travel with the dead letter, for inspection and replay.
    expect(
      Buffer.from(nul?.value ?? []).equals(Buffer.from(toBinary(DisputeResolutionSchema, resolution))),
    ).toBe(true);
    const badId = dlq.find((x) => x.headers['ce_id'] === 'not-a-uuid');
    expect(badId?.headers['dlq_code']).toBe('invalid_envelope');
    expect(badId?.headers['dlq_reason']).toBe('invalid envelope: header ce_id must be a UUID');
    expect(badId?.headers['dlq_field']).toBe('ce_id');

    readiness.push((await fetch(`${exchange.url}/health/ready`)).status);
    expect(readiness.length).toBeGreaterThan(1);
    expect(readiness.filter((status) => status !== 200)).toEqual([]);
  });
});
