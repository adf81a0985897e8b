import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import {
  CreditEventType,
  DELETION_EVENT_TYPES,
  FeedAckSchema,
  FeedEventSchema,
  SubjectKind,
  Topics,
} from '@cie/contracts';
import { MessageSigner, privateKeyOf } from '@cie/platform';
import { expectEventually, readTopic, testDatabaseUrl, testKafka } from '@cie/testing';
import { Partitioners, type Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv, REPO_ROOT } from './exchange-process.js';
import { publishDebtor, publishWithdrawal, testUscc } from './sector-events.js';

// The demo platforms' ack keys (deploy/local), whose public halves the exchange's demo file holds.
const demoKeys = (
  JSON.parse(readFileSync(`${REPO_ROOT}deploy/local/feed-ack-signing-keys.demo.json`, 'utf8')) as {
    keys: { id: string; privateKey: string }[];
  }
).keys;
const signerFor = (id: string) =>
  new MessageSigner(id, privateKeyOf(demoKeys.find((k) => k.id === id)!.privateKey));
const beijing = signerFor('beijing-platform');
const shanghai = signerFor('shanghai-platform');

/** A FeedAck message as a platform sends it; `signer` undefined sends it unsigned. */
function ackMessage(
  test: string,
  subscriber: string,
  eventId: string,
  signer: MessageSigner | undefined,
  signerHeader?: string,
) {
  const value = Buffer.from(
    toBinary(
      FeedAckSchema,
      create(FeedAckSchema, {
        subscriber,
        eventId,
        recordId: randomUUID(),
        version: 1,
        eventType: 'withdrawn',
      }),
    ),
  );
  const ceId = randomUUID();
  const signature = signer ? signer.headers(Topics.feedAcks, ceId, value) : {};
  return {
    key: `feed-acks-it-${run}`, // one key: one partition, in this order
    value,
    headers: {
      test_id: `${run}-${test}`,
      ce_id: ceId,
      ...signature,
      ...(signerHeader ? { cie_signer: signerHeader } : {}),
    },
  };
}

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`feed-acks-it-${run}`);

const exchange = new ExchangeProcess(
  exchangeEnv({
    KAFKA_CONSUMER_GROUP: `feed-acks-it-${run}`,
    EXCHANGE_INSTANCE_ID: `feed-acks-it-${run}`,
    PORT: '28093',
  }),
);
const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

describe('deletion acknowledgements the exchange cannot store', () => {
  beforeAll(() => Promise.all([exchange.start(), producer.connect()]));

  afterAll(async () => {
    await exchange.stop();
    await producer.disconnect();
  });

  it('dead-letters an ack with a NUL in the subscriber or a non-UUID event id with its code, and reads on', async () => {
    const ack = (test: string, subscriber: string, eventId: string) =>
      ackMessage(test, subscriber, eventId, beijing);
    const unknownDelivery = randomUUID();
    await producer.send({
      topic: Topics.feedAcks,
      messages: [
        ack('nul', 'beijing-platform\u0000', randomUUID()),
        ack('not-uuid', 'beijing-platform', 'not-a-uuid'),
        ack('unknown', 'beijing-platform', unknownDelivery),
      ],
    });

    const mine = (m: { headers: Record<string, string> }) => m.headers['test_id']?.startsWith(run) ?? false;
    const dead = (
      await readTopic(kafka, Topics.deadLetters(Topics.feedAcks), {
        until: (m) => m.filter(mine).length >= 3,
        timeoutMs: 30_000,
      })
    ).filter(mine);
    expect(
      dead.map((m) => [
        m.headers['test_id'],
        m.headers['dlq_code'],
        m.headers['dlq_field'],
        m.headers['dlq_reason'],
      ]),
    ).toEqual([
      [`${run}-nul`, 'invalid_field', 'subscriber', 'subscriber contains a NUL or control character'],
      [`${run}-not-uuid`, 'invalid_field', 'eventId', 'eventId is not a UUID'],
      [
        `${run}-unknown`,
        'unknown_record',
        undefined,
        `no ${DELETION_EVENT_TYPES.join(' / ')} delivery ${unknownDelivery} to subscriber beijing-platform`,
      ],
    ]);
    const ready = await fetch(`${exchange.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, unknown> }).checks['feed-acks']).toEqual({
      status: 'up',
    });
  });

  it('dead-letters an ack for another subscriber, an unsigned one and a forged one, and changes nothing; the sender’s own counts', async () => {
    const db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    try {
      // A Beijing company: beijing-platform receives it and then its withdrawal; shanghai-platform does not.
      const company = {
        sourceRecordId: `acks-${run}`,
        kind: SubjectKind.LEGAL_ENTITY,
        idNumber: testUscc('110105', run, 7),
        name: '北京某某建设有限公司',
      };
      await publishDebtor(producer, company);
      await publishWithdrawal(producer, company);
      const feed = await readTopic(kafka, Topics.feed('beijing-platform'), {
        until: (m) => m.some((x) => isWithdrawalOf(x, company.sourceRecordId)),
        timeoutMs: 30_000,
      });
      const deliveryId = fromBinary(
        FeedEventSchema,
        feed.find((x) => isWithdrawalOf(x, company.sourceRecordId))!.value,
      ).eventId;

      await producer.send({
        topic: Topics.feedAcks,
        messages: [
          // shanghai-platform, with its own valid signature, acknowledging for beijing-platform.
          ackMessage('other', 'beijing-platform', deliveryId, shanghai),
          ackMessage('unsigned', 'beijing-platform', deliveryId, undefined),
          // Signed with shanghai's key but claiming to be beijing-platform.
          ackMessage('forged', 'beijing-platform', deliveryId, shanghai, 'beijing-platform'),
        ],
      });
      const mine = (m: { headers: Record<string, string> }) =>
        ['other', 'unsigned', 'forged'].some((t) => m.headers['test_id'] === `${run}-${t}`);
      const dead = (
        await readTopic(kafka, Topics.deadLetters(Topics.feedAcks), {
          until: (m) => m.filter(mine).length >= 3,
          timeoutMs: 30_000,
        })
      ).filter(mine);
      expect(dead.map((m) => [m.headers['test_id'], m.headers['dlq_code'], m.headers['dlq_reason']])).toEqual(
        [
          [
            `${run}-other`,
            'not_owner',
            'the ack names subscriber beijing-platform but is signed by shanghai-platform',
          ],
          [`${run}-unsigned`, 'unsigned', 'headers cie_signer and cie_signature are required'],
          [`${run}-forged`, 'bad_signature', "the signature does not verify under beijing-platform's key"],
        ],
      );
      const stored = () =>
        db.query(`SELECT subscriber_id FROM exchange.feed_acks WHERE delivery_id = $1`, [deliveryId]);
      expect((await stored()).rows).toEqual([]);

      // The same ack signed by beijing-platform itself counts.
      await producer.send({
        topic: Topics.feedAcks,
        messages: [ackMessage('own', 'beijing-platform', deliveryId, beijing)],
      });
      await expectEventually(async () =>
        expect((await stored()).rows).toEqual([{ subscriber_id: 'beijing-platform' }]),
      );
    } finally {
      await db.end();
    }
  });
});

/** A withdrawal of the record (feeds also carry measure tasks: read only record events). */
function isWithdrawalOf(
  m: { value: Buffer; headers: Record<string, string> },
  sourceRecordId: string,
): boolean {
  if (m.headers['ce_type'] !== CreditEventType.withdrawn) return false;
  const event = fromBinary(FeedEventSchema, m.value);
  return event.type === CreditEventType.withdrawn && event.record?.source?.sourceRecordId === sourceRecordId;
}
