import { randomUUID } from 'node:crypto';
import { CeHeader, CreditEventType, TaskKind, Topics } from '@cie/contracts';
import { expectEventually, readTopic, testDatabaseUrl, testKafka, testKafkaBrokers } from '@cie/testing';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { type FeedMessage, feedMessage, newSubjectId, taskMessage } from './feed-events.js';
import { type RegionalPlatform, startRegionalPlatform } from './platform-process.js';

// A subscriber of its own: a fresh feed topic, consumer group and schema.
const SUBSCRIBER = `rp-tasks-${randomUUID().slice(0, 8)}`;
const FEED = Topics.feed(SUBSCRIBER);

let kafka: Kafka;
let producer: Producer;
let platform: RegionalPlatform;

beforeAll(async () => {
  kafka = testKafka('regional-platform-tasks-it');
  platform = await startRegionalPlatform({
    subscriberId: SUBSCRIBER,
    kafkaBrokers: testKafkaBrokers(),
    databaseUrl: testDatabaseUrl(),
    port: 3990 + Math.floor(Math.random() * 9),
  });
  producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
});

afterAll(async () => {
  await platform?.stop();
  await producer?.disconnect();
});

const publish = (...messages: FeedMessage[]) => producer.send({ topic: FEED, acks: -1, messages });
const tasks = async (query = '', headers: Record<string, string> = platform.auth) => {
  const response = await fetch(`${platform.url}/v1/tasks${query}`, { headers });
  return {
    status: response.status,
    body: (await response.json()) as { items: Record<string, unknown>[]; count: number; pastDue: number },
  };
};

describe('regional platform: measure tasks on its feed', () => {
  it('keeps the measure tasks of its feed for its readers, once each, while records flow as before', async () => {
    const subjectId = newSubjectId();
    const recordId = randomUUID();
    const published = feedMessage({
      subscriber: SUBSCRIBER,
      type: CreditEventType.published,
      recordId,
      version: 1,
      subjectId,
    });
    const task = taskMessage({ subscriber: SUBSCRIBER, subjectId });
    const late = taskMessage({ subscriber: SUBSCRIBER, subjectId, kind: TaskKind.LIFT, dueBy: '2020-01-06' });
    const foreign = taskMessage({ subscriber: 'shanghai-platform', subjectId });
    const corrected = feedMessage({
      subscriber: SUBSCRIBER,
      type: CreditEventType.corrected,
      recordId,
      version: 2,
      subjectId,
    });
    // In the subject's order, as the exchange sends them; the task redelivered, one for another platform.
    await publish(published, task, foreign, task, late, corrected);

    const listed = await expectEventually(async () => {
      const { status, body } = await tasks(`?subject=${subjectId}`);
      expect(status).toBe(200);
      expect(body.items.map((i) => i['id']).sort()).toEqual([task.taskId, late.taskId].sort());
      return body;
    });
    expect(listed).toMatchObject({ count: 2, pastDue: 1 });
    const byId = (taskId: string) => listed.items.find((i) => i['id'] === taskId);
    expect(byId(task.taskId)).toMatchObject({
      kind: 'apply',
      measureId: 'dishonest-debtors-2016.subsidy',
      documentNumber: '发改财金〔2016〕141号',
      scenarios: ['subsidy'],
      subject: { canonicalId: subjectId, kind: 'legal_entity' },
      dueBy: '2099-12-31',
      appliesUntil: '2027-06-01',
      pastDue: false,
      eventId: task.headers[CeHeader.id],
    });
    expect(byId(late.taskId)).toMatchObject({ kind: 'lift', pastDue: true });
    expect((await tasks()).body.items.map((i) => i['id'])).toEqual(
      expect.arrayContaining([task.taskId, late.taskId]),
    );

    // Stored once; the redelivery changed nothing.
    const logged = (outcome: string) =>
      platform.output.filter(
        (line) => line.includes(`measure task ${task.taskId} `) && line.includes(`: ${outcome}`),
      );
    await expectEventually(() => {
      expect(logged('stored')).toHaveLength(1);
      expect(logged('duplicate')).toHaveLength(1);
    });
    // The records around the tasks were applied as ever: the correction is held.
    await expectEventually(async () => {
      const response = await fetch(`${platform.url}/v1/records/${recordId}`, { headers: platform.auth });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        version: 2,
        receivedEventId: corrected.headers[CeHeader.id],
      });
    });
    // Another platform's task is dead-lettered with its reason, and never shown.
    const dlq = await readTopic(kafka, Topics.deadLetters(FEED), {
      until: (m) => m.some((x) => x.headers['ce_id'] === foreign.headers[CeHeader.id]),
    });
    expect(dlq.find((x) => x.headers['ce_id'] === foreign.headers[CeHeader.id])?.headers).toMatchObject({
      dlq_code: 'not_owner',
    });
    expect((await tasks()).body.items.map((i) => i['id'])).not.toContain(foreign.taskId);

    // Only this platform's readers see them.
    expect((await tasks('', {})).status).toBe(401);
    expect((await tasks('', { authorization: `Bearer ${platform.foreignReaderKey}` })).status).toBe(403);
  });
});
