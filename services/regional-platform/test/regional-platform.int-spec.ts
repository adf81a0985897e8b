import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { CeHeader, CreditEventType, type FeedAck, FeedAckSchema, Topics } from '@cie/contracts';
import { expectEventually, readTopic, testDatabaseUrl, testKafka, testKafkaBrokers } from '@cie/testing';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import pg from 'pg';
import { type FeedMessage, feedMessage, type FeedEventSpec, newSubjectId } from './feed-events.js';
import { type RegionalPlatform, startRegionalPlatform } from './platform-process.js';

// A subscriber of its own per run: a fresh feed topic, consumer group and schema.
const SUBSCRIBER = `rp-it-${randomUUID().slice(0, 8)}`;
const SCHEMA = `platform_${SUBSCRIBER.replace(/-/g, '_')}`;
const FEED = Topics.feed(SUBSCRIBER);
const PORT = 3910 + Math.floor(Math.random() * 80);

let kafka: Kafka;
let producer: Producer;
let transactional: Producer;
let platform: RegionalPlatform;
let db: pg.Client;

const options = () => ({
  subscriberId: SUBSCRIBER,
  kafkaBrokers: testKafkaBrokers(),
  databaseUrl: testDatabaseUrl(),
  port: PORT,
});

beforeAll(async () => {
  kafka = testKafka('regional-platform-it');
  platform = await startRegionalPlatform(options());
  producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  transactional = kafka.producer({
    transactionalId: `${SUBSCRIBER}-exchange-like`,
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await Promise.all([producer.connect(), transactional.connect()]);
  db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
});

afterAll(async () => {
  await platform?.stop();
  await producer?.disconnect();
  await transactional?.disconnect();
  await db?.end();
});

async function publish(...messages: FeedMessage[]): Promise<void> {
  await producer.send({ topic: FEED, acks: -1, messages });
}

/** As the exchange does: the feed messages in one Kafka transaction. */
async function publishInTransaction(messages: FeedMessage[], outcome: 'commit' | 'abort'): Promise<void> {
  const transaction = await transactional.transaction();
  await transaction.send({ topic: FEED, messages });
  await (outcome === 'commit' ? transaction.commit() : transaction.abort());
}

function event(spec: Omit<FeedEventSpec, 'subscriber'>): FeedMessage {
  return feedMessage({ subscriber: SUBSCRIBER, ...spec });
}

interface RecordBody {
  recordId: string;
  version: number;
  attributes: Record<string, string>;
  receivedEventId: string;
  dispute: { disputed: boolean; disputeId: string | null; lastOutcome: string | null };
  subject: { canonicalId: string; kind: string };
}

async function getRecord(recordId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${platform.url}/v1/records/${recordId}`, { headers: platform.auth });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function heldRecord(
  recordId: string,
  check: (r: RecordBody) => boolean = () => true,
): Promise<RecordBody> {
  return expectEventually(async () => {
    const { status, body } = await getRecord(recordId);
    if (status !== 200) throw new Error(`GET ${recordId}: ${status} ${JSON.stringify(body)}`);
    const record = body as unknown as RecordBody;
    if (!check(record)) throw new Error(`not yet: ${JSON.stringify(record)}`);
    return record;
  });
}

async function processed(eventId: string): Promise<string> {
  return expectEventually(async () => {
    const { rows } = await db.query<{ outcome: string }>(
      `SELECT outcome FROM "${SCHEMA}".processed_events WHERE event_id = $1`,
      [eventId],
    );
    if (!rows[0]) throw new Error(`event ${eventId} not processed yet`);
    return rows[0].outcome;
  });
}

async function acksFor(eventId: string, atLeast = 1): Promise<FeedAck[]> {
  const messages = await readTopic(kafka, Topics.feedAcks, {
    until: (read) => decodeAcks(read, eventId).length >= atLeast,
    timeoutMs: 20_000,
  });
  const acks = decodeAcks(messages, eventId);
  expect(acks.length).toBeGreaterThanOrEqual(atLeast);
  return acks;
}

function decodeAcks(messages: readonly { key: string | null; value: Buffer }[], eventId: string): FeedAck[] {
  return messages
    .filter((m) => m.key === SUBSCRIBER)
    .map((m) => fromBinary(FeedAckSchema, m.value))
    .filter((a) => a.eventId === eventId);
}

const id = () => randomUUID();

describe('regional platform (reference subscriber) on a real broker and database', () => {
  it('answers health checks, and 422 for a query without a subject', async () => {
    expect((await fetch(`${platform.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${platform.url}/health/ready`)).status).toBe(200);
    const response = await fetch(`${platform.url}/v1/records`, { headers: platform.auth });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers the call from issue 14 only with this platform’s reader key: 401 without one, 403 with another platform’s', async () => {
    const recordId = id();
    const subjectId = newSubjectId();
    await publish(event({ type: CreditEventType.published, recordId, version: 1, subjectId }));
    await heldRecord(recordId);
    for (const path of [`/v1/records?subject=${subjectId}`, `/v1/records/${recordId}`]) {
      const anonymous = await fetch(`${platform.url}${path}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      // A problem, not the record: nothing but the caller's own URL comes back.
      const problem = (await anonymous.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(Object.keys(problem).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'type']);
      const foreign = await fetch(`${platform.url}${path}`, {
        headers: { authorization: `Bearer ${platform.foreignReaderKey}` },
      });
      expect(foreign.status).toBe(403);
      expect(await foreign.json()).toMatchObject({ code: 'FORBIDDEN' });
      expect((await fetch(`${platform.url}${path}`, { headers: platform.auth })).status).toBe(200);
    }
  });

  it('answers a repeated subject 400 naming it', async () => {
    const response = await fetch(`${platform.url}/v1/records?subject=a&subject=b`, {
      headers: platform.auth,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'REPEATED_PARAMETER',
      errors: [{ field: 'subject', detail: 'subject must be given once' }],
    });
  });

  it('holds a published record, by id and by subject', async () => {
    const recordId = id();
    const subjectId = newSubjectId();
    const published = event({ type: CreditEventType.published, recordId, version: 1, subjectId });
    await publish(published);

    const record = await heldRecord(recordId);
    expect(record).toMatchObject({
      recordId,
      version: 1,
      subject: { canonicalId: subjectId, kind: 'legal_entity' },
      receivedEventId: published.headers[CeHeader.id],
      dispute: { disputed: false, disputeId: null },
    });
    const list = (await (
      await fetch(`${platform.url}/v1/records?subject=${subjectId}`, { headers: platform.auth })
    ).json()) as {
      records: RecordBody[];
    };
    expect(list.records.map((r) => r.recordId)).toEqual([recordId]);
  });

  it('replaces version 1 with a correction, and ignores an older version and a redelivery afterwards', async () => {
    const recordId = id();
    const subjectId = newSubjectId();
    const v1 = event({ type: CreditEventType.published, recordId, version: 1, subjectId });
    const v2 = event({
      type: CreditEventType.corrected,
      recordId,
      version: 2,
      subjectId,
      attributes: { outstandingAmount: '99.00' },
    });
    await publish(v1, v2);
    await heldRecord(recordId, (r) => r.version === 2);

    // The same v1 event again, then a v1 under a new event id: both after v2, so neither may win.
    const lateV1 = event({ type: CreditEventType.published, recordId, version: 1, subjectId });
    await publish(v1, lateV1);
    expect(await processed(lateV1.headers[CeHeader.id]!)).toMatch(/^ignored: .*v2 is held/);
    const record = await heldRecord(recordId);
    expect(record).toMatchObject({
      version: 2,
      attributes: { outstandingAmount: '99.00' },
      receivedEventId: v2.headers[CeHeader.id],
    });
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM "${SCHEMA}".processed_events WHERE record_id = $1`,
      [recordId],
    );
    expect(rows[0]).toEqual({ n: 3 });
  });

  it('flags a disputed record and clears the flag when the dispute is resolved', async () => {
    const recordId = id();
    const subjectId = newSubjectId();
    await publish(event({ type: CreditEventType.published, recordId, version: 1, subjectId }));
    await heldRecord(recordId);
    await publish(
      event({
        type: CreditEventType.disputed,
        recordId,
        version: 1,
        subjectId,
        dispute: { disputeId: 'dsp-it-1', status: 'open' },
      }),
    );
    expect((await heldRecord(recordId, (r) => r.dispute.disputed)).dispute).toEqual({
      disputed: true,
      disputeId: 'dsp-it-1',
      lastOutcome: null,
    });
    await publish(
      event({
        type: CreditEventType.disputeResolved,
        recordId,
        version: 1,
        subjectId,
        dispute: { disputeId: 'dsp-it-1', status: 'resolved', outcome: 'upheld' },
      }),
    );
    expect((await heldRecord(recordId, (r) => !r.dispute.disputed)).dispute).toEqual({
      disputed: false,
      disputeId: 'dsp-it-1',
      lastOutcome: 'upheld',
    });
  });

  it.each([
    [CreditEventType.withdrawn, 'decision_revoked'],
    [CreditEventType.expired, 'disclosure_period_ended'],
    [CreditEventType.repaired, 'repair_approved'],
  ])(
    '%s removes the record, keeps a tombstone and acknowledges on credit.feed-acks.v1',
    async (type, reason) => {
      const recordId = id();
      const subjectId = newSubjectId();
      await publish(event({ type: CreditEventType.published, recordId, version: 1, subjectId }));
      await heldRecord(recordId);
      const deletion = event({ type, recordId, version: 1, subjectId, reason });
      const deletionId = deletion.headers[CeHeader.id]!;
      await publish(deletion);

      const gone = await expectEventually(async () => {
        const answer = await getRecord(recordId);
        expect(answer.status).toBe(404);
        return answer.body;
      });
      expect(gone).toMatchObject({
        status: 404,
        code: 'RECORD_REMOVED',
        removal: { version: 1, eventType: type, reason, eventId: deletionId },
      });
      expect(gone['detail']).toContain(reason);
      const list = (await (
        await fetch(`${platform.url}/v1/records?subject=${subjectId}`, { headers: platform.auth })
      ).json()) as {
        records: unknown[];
      };
      expect(list.records).toEqual([]);
      // Nothing about the subject is left, only the tombstone.
      const { rows } = await db.query(`SELECT * FROM "${SCHEMA}".held_records WHERE record_id = $1`, [
        recordId,
      ]);
      expect(rows).toEqual([]);

      const [ack] = await acksFor(deletionId);
      expect(ack).toMatchObject({
        subscriber: SUBSCRIBER,
        eventId: deletionId,
        recordId,
        version: 1,
        eventType: type,
      });
      expect(ack?.acknowledgedAt).toBeDefined();
    },
  );

  it('a redelivered deletion changes nothing and is acknowledged again; a late published is not resurrected', async () => {
    const recordId = id();
    const subjectId = newSubjectId();
    const published = event({ type: CreditEventType.published, recordId, version: 1, subjectId });
    const withdrawn = event({
      type: CreditEventType.withdrawn,
      recordId,
      version: 1,
      subjectId,
      reason: 'obligation_fulfilled',
    });
    // The exchange's trace continues on the acknowledgement.
    const traceId = randomUUID().replace(/-/g, '');
    withdrawn.headers[CeHeader.traceparent] = `00-${traceId}-00f067aa0ba902b7-01`;
    await publish(published, withdrawn);
    const withdrawnId = withdrawn.headers[CeHeader.id]!;
    await acksFor(withdrawnId);
    const ackMessages = await readTopic(kafka, Topics.feedAcks, {
      until: (read) => decodeAcks(read, withdrawnId).length > 0,
    });
    const ackMessage = ackMessages.find((m) => decodeAcks([m], withdrawnId).length > 0);
    expect(ackMessage?.headers[CeHeader.traceparent]).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(ackMessage?.headers[CeHeader.type]).toBe('credit.feed.ack');

    const latePublished = event({ type: CreditEventType.published, recordId, version: 1, subjectId });
    await publish(withdrawn, published, latePublished);
    expect(await processed(latePublished.headers[CeHeader.id]!)).toMatch(/^ignored: removed at v1/);
    const acks = await acksFor(withdrawnId, 2);
    expect(new Set(acks.map((a) => a.eventId))).toEqual(new Set([withdrawnId]));
    expect((await getRecord(recordId)).status).toBe(404);
    const { rows } = await db.query(`SELECT event_id FROM "${SCHEMA}".tombstones WHERE record_id = $1`, [
      recordId,
    ]);
    expect(rows).toEqual([{ event_id: withdrawnId }]);
  });

  it('applies only committed transactions, as the exchange publishes them', async () => {
    const aborted = id();
    const committed = id();
    const subjectId = newSubjectId();
    await publishInTransaction(
      [event({ type: CreditEventType.published, recordId: aborted, version: 1, subjectId })],
      'abort',
    );
    await publishInTransaction(
      [event({ type: CreditEventType.published, recordId: committed, version: 1, subjectId })],
      'commit',
    );
    await heldRecord(committed);
    expect((await getRecord(aborted)).status).toBe(404);
  });

  it('dead-letters a poison message with its reason and applies the next message of the partition', async () => {
    const subjectId = newSubjectId();
    const recordId = id();
    const good = event({ type: CreditEventType.published, recordId, version: 1, subjectId });
    const poison = { ...good, value: Buffer.from('not a protobuf FeedEvent \u0000\u00ff') };
    const noHeaders = { key: subjectId, value: good.value, headers: {} };
    const otherSubscriber = feedMessage({
      subscriber: 'someone-else',
      type: CreditEventType.published,
      recordId: id(),
      version: 1,
      subjectId,
    });
    const nul = event({
      type: CreditEventType.published,
      recordId: id(),
      version: 1,
      subjectId,
      attributes: { note: 'PostgreSQL cannot store \u0000' },
    });
    // Same key, so the same partition, in this order.
    await publish(poison, noHeaders, otherSubscriber, nul, good);
    await heldRecord(recordId);

    const dead = await readTopic(kafka, Topics.deadLetters(FEED), {
      until: (read) => read.filter((m) => m.key === subjectId).length >= 4,
    });
    const reasons = dead.filter((m) => m.key === subjectId).map((m) => m.headers['dlq_reason']);
    expect(reasons).toEqual([
      expect.stringMatching(/^BAD_PAYLOAD: /),
      'BAD_ENVELOPE: header ce_specversion is missing',
      expect.stringMatching(/^WRONG_SUBSCRIBER: the event is for subscriber "someone-else"/),
      'BAD_PAYLOAD: a text field contains a NUL character',
    ]);
    expect(dead.find((m) => m.key === subjectId)?.headers['dlq_source_topic']).toBe(FEED);
    expect(platform.output.join('')).toContain('dead-lettering');
    const metrics = await (await fetch(`${platform.url}/metrics`)).text();
    expect(metrics).toContain(`cie_dead_letters_total{topic="${FEED}",reason="bad_payload"}`);
    expect(metrics).toContain(
      `cie_kafka_consumer_lag{group="regional-platform.${SUBSCRIBER}",topic="${FEED}"`,
    );
  });

  it('shares a database with another platform, each in its own schema, neither seeing the other feed', async () => {
    const other = `rp-it-${randomUUID().slice(0, 8)}`;
    const second = await startRegionalPlatform({ ...options(), subscriberId: other, port: PORT + 1 });
    try {
      const mine = id();
      const theirs = id();
      const subjectId = newSubjectId();
      await publish(event({ type: CreditEventType.published, recordId: mine, version: 1, subjectId }));
      await producer.send({
        topic: Topics.feed(other),
        messages: [
          feedMessage({
            subscriber: other,
            type: CreditEventType.published,
            recordId: theirs,
            version: 1,
            subjectId,
          }),
        ],
      });
      await heldRecord(mine);
      await expectEventually(async () =>
        expect((await fetch(`${second.url}/v1/records/${theirs}`, { headers: second.auth })).status).toBe(
          200,
        ),
      );
      expect((await getRecord(theirs)).status).toBe(404);
      expect((await fetch(`${second.url}/v1/records/${mine}`, { headers: second.auth })).status).toBe(404);
      const { rows } = await db.query<{ schema: string }>(
        `SELECT DISTINCT table_schema AS schema FROM information_schema.tables WHERE table_name = 'held_records' AND table_schema = ANY($1)`,
        [[SCHEMA, `platform_${other.replace(/-/g, '_')}`]],
      );
      expect(rows).toHaveLength(2);
    } finally {
      await second.stop();
    }
  });

  it('resumes where it left off after a graceful stop and after kill -9', async () => {
    const before = id();
    const subjectId = newSubjectId();
    const first = event({ type: CreditEventType.published, recordId: before, version: 1, subjectId });
    await publish(first);
    await heldRecord(before);

    await platform.stop();
    const whileStopped = id();
    await publish(event({ type: CreditEventType.published, recordId: whileStopped, version: 1, subjectId }));
    platform = await startRegionalPlatform(options());
    await heldRecord(whileStopped);

    await platform.kill();
    const whileDead = id();
    const deletion = event({
      type: CreditEventType.withdrawn,
      recordId: before,
      version: 1,
      subjectId,
      reason: 'x',
    });
    await publish(
      event({ type: CreditEventType.published, recordId: whileDead, version: 1, subjectId }),
      deletion,
    );
    platform = await startRegionalPlatform(options());
    await heldRecord(whileDead);
    await acksFor(deletion.headers[CeHeader.id]!);
    expect((await getRecord(before)).status).toBe(404);

    // Nothing was applied twice: each event id once, the first record's event kept its first outcome.
    const { rows } = await db.query<{ event_id: string; n: number }>(
      `SELECT event_id, count(*)::int AS n FROM "${SCHEMA}".processed_events GROUP BY event_id HAVING count(*) > 1`,
    );
    expect(rows).toEqual([]);
    expect(await processed(first.headers[CeHeader.id]!)).toBe('held');
  });
});
