import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  type MeasureTask,
  MeasureTaskSchema,
  TaskAnswerSchema,
  TaskKind,
  Topics,
} from '@cie/contracts';
import { cloudEventHeaders } from '@cie/platform';
import { createSectorApp, type SectorDefinition } from '@cie/sector-kit';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Message } from 'kafkajs';
import { expectEventually } from './expect-eventually.js';
import { DEMO_AGENCY_KEYS_FILE, sectorAppWithoutBroker, sectorTestConfig } from './sector-test-app.js';
import { type ReadMessage, readTopic, sendMessages, testKafka } from './kafka-reader.js';

export interface SectorTasksOptions {
  sector: SectorDefinition;
  /** Demo key of an implementing agency of this sector, and its id. */
  agencyKey: string;
  agencyId: string;
  /** Demo key of an agency of another sector (403). */
  otherSectorKey: string;
}

type Json = Record<string, unknown>;
type TaskBody = Json & { id: string; status: string; state: string; overdue: boolean; answers: Json[] };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The demo agencies plus a second implementing agency of `sector` with a fresh key, for isolation. */
function keysWithSecondAgency(sector: string, agencyId: string, key: string): string {
  const demo = JSON.parse(readFileSync(DEMO_AGENCY_KEYS_FILE, 'utf8')) as { agencies: Json[] };
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cie-tasks-')), 'agency-keys.json');
  const agencies = [
    ...demo.agencies,
    { agencyId, sector, name: '第二实施单位（测试）', keySha256: sha256(key) },
  ];
  writeFileSync(file, JSON.stringify({ agencies }), { mode: 0o600 });
  return file;
}

/**
 * Measure tasks (DESIGN §13) on a sector service, with the real broker and database: tasks sent on
 * credit.<sector>.requests.v1 exactly as the exchange sends them reach only their implementing
 * agency's inbox, and the agency's answers come back on credit.<sector>.events.v1 as TaskAnswer.
 */
export function describeSectorTasks({
  sector,
  agencyKey,
  agencyId,
  otherSectorKey,
}: SectorTasksOptions): void {
  const name = sector.sector;
  const secondAgency = `${name}-tasks-it`;
  const secondKey = randomBytes(24).toString('base64url');
  const keys = keysWithSecondAgency(name, secondAgency, secondKey);

  describe(`${name} service: measure tasks for its implementing agencies`, () => {
    let app: NestExpressApplication;
    let base: string;
    const kafka = testKafka(`${name}-tasks-${randomUUID().slice(0, 8)}`);

    const config = () => sectorTestConfig({ AGENCY_KEYS_FILE: keys });

    beforeAll(async () => {
      app = await createSectorApp(sector, config());
      await app.listen(0, '127.0.0.1');
      base = await app.getUrl();
    });
    afterAll(async () => {
      await app.close();
    });

    const get = (route: string, key = agencyKey) =>
      fetch(`${base}${route}`, { headers: { authorization: `Bearer ${key}` } });
    const answer = (taskId: string, body: Json, key = agencyKey, url = base) =>
      fetch(`${url}/v1/tasks/${taskId}/answer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
    const fieldsOf = async (response: Response) =>
      ((await response.json()) as { errors?: { field: string }[] }).errors?.map((e) => e.field);
    const inbox = async (status = 'open', key = agencyKey) =>
      (await (await get(`/v1/tasks?status=${status}`, key)).json()) as {
        items: TaskBody[];
        count: number;
        overdue: number;
      };

    /** A task as the exchange sends it: MeasureTask, CloudEvents binary mode, keyed by the implementer. */
    const taskMessage = (
      fields: MessageInitShape<typeof MeasureTaskSchema>,
    ): Message & { task: MeasureTask } => {
      const task = create(MeasureTaskSchema, {
        taskId: randomUUID(),
        kind: TaskKind.APPLY,
        entryId: randomUUID(),
        listType: 'courts.dishonest_debtors',
        listColour: 'black',
        memorandumId: 'dishonest-debtors-2016',
        documentNumber: '发改财金〔2016〕141号',
        measureId: 'dishonest-debtors-2016.procurement_bid',
        measureText: '限制参与政府采购活动',
        legalBasis: '《政府采购法》第二十二条',
        mode: 'mandatory',
        scenarios: ['procurement_bid'],
        targets: ['entity'],
        subjectKind: 'legal_entity',
        subjectId: `9111${randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase()}`,
        subjectName: '北京某某建设工程有限公司',
        recordId: randomUUID(),
        implementerId: agencyId,
        listedAt: timestampFromDate(new Date()),
        appliesUntil: '2031-06-30',
        dueBy: '2099-12-31',
        issuedAt: timestampFromDate(new Date()),
        ...fields,
      });
      return {
        task,
        key: task.implementerId,
        value: Buffer.from(toBinary(MeasureTaskSchema, task)),
        headers: cloudEventHeaders({
          id: randomUUID(),
          source: '/exchange',
          type: AgencyRequestType.measureTask,
          time: new Date(),
          subject: task.implementerId,
          dataschema: MeasureTaskSchema.typeName,
        }),
      };
    };
    const sendTasks = (messages: Message[]) => sendMessages(kafka, Topics.requests(name), messages);
    const delivered = (taskId: string, key = agencyKey) =>
      expectEventually(async () => {
        const response = await get(`/v1/tasks/${taskId}`, key);
        expect(response.status).toBe(200);
        return (await response.json()) as TaskBody;
      });
    /** The answers with these event ids, read off the sector topic. */
    const answersOnTopic = async (eventIds: string[]) =>
      (
        await readTopic(kafka, Topics.sectorEvents(name), {
          until: (m) => eventIds.every((id) => m.some((x) => x.headers['ce_id'] === id)),
        })
      ).filter((m) => eventIds.includes(m.headers['ce_id'] ?? ''));
    const decode = (m: ReadMessage) => fromBinary(TaskAnswerSchema, m.value);

    it('delivers an apply task to its implementing agency only, and publishes its acknowledgement then its final answer, keyed by the subject', async () => {
      const mine = taskMessage({});
      const theirs = taskMessage({ implementerId: secondAgency });
      const unreadable = taskMessage({ taskId: 'not-a-uuid' });
      // As the exchange sends them; a redelivered task changes nothing.
      await sendTasks([mine, theirs, unreadable, mine]);

      const task = await delivered(mine.task.taskId);
      expect(task).toMatchObject({
        kind: 'apply',
        status: 'open',
        state: 'delivered',
        overdue: false,
        dueBy: '2099-12-31',
        measureId: 'dishonest-debtors-2016.procurement_bid',
        documentNumber: '发改财金〔2016〕141号',
        scenarios: ['procurement_bid'],
        subject: { kind: 'legal_entity', id: mine.task.subjectId, name: '北京某某建设工程有限公司' },
        appliesUntil: '2031-06-30',
        answers: [],
      });
      expect((await inbox()).items.filter((i) => i.id === mine.task.taskId)).toHaveLength(1);
      // Each agency sees its own tasks, and no other's.
      await delivered(theirs.task.taskId, secondKey);
      expect((await inbox()).items.map((i) => i.id)).not.toContain(theirs.task.taskId);
      expect((await inbox('all', secondKey)).items.map((i) => i.id)).not.toContain(mine.task.taskId);
      expect((await get(`/v1/tasks/${theirs.task.taskId}`)).status).toBe(404);
      expect((await answer(theirs.task.taskId, { outcome: 'acknowledged' })).status).toBe(404);
      expect((await get(`/v1/tasks/${mine.task.taskId}`, otherSectorKey)).status).toBe(403);
      const dlq = await readTopic(kafka, Topics.deadLetters(Topics.requests(name)), {
        until: (m) => m.some((x) => x.headers['ce_id'] === unreadable.headers!['ce_id']),
      });
      expect(dlq.find((x) => x.headers['ce_id'] === unreadable.headers!['ce_id'])?.headers).toMatchObject({
        dlq_code: 'invalid_field',
        dlq_field: 'task_id',
      });

      const ack = await answer(mine.task.taskId, { outcome: 'acknowledged', note: '已收到' });
      expect(ack.status).toBe(202);
      const acked = (await ack.json()) as TaskBody & { eventId: string };
      expect(acked).toMatchObject({ status: 'open', state: 'acknowledged', answer: 'acknowledged' });
      // The same answer again is the same answer.
      const again = (await (
        await answer(mine.task.taskId, { outcome: 'acknowledged', note: '已收到' })
      ).json()) as Json;
      expect(again['eventId']).toBe(acked.eventId);
      expect((await answer(mine.task.taskId, { outcome: 'acknowledged' })).status).toBe(409);

      const final = await answer(mine.task.taskId, {
        outcome: 'applied',
        note: '已限制其参与本市政府采购活动',
      });
      expect(final.status).toBe(202);
      const applied = (await final.json()) as TaskBody & { eventId: string };
      expect(applied).toMatchObject({ status: 'answered', state: 'applied', overdue: false });
      expect(applied.answers.map((a) => a['outcome'])).toEqual(['acknowledged', 'applied']);
      // After the final answer, nothing else.
      expect((await answer(mine.task.taskId, { outcome: 'declined', legalGround: '依法' })).status).toBe(409);
      expect((await answer(mine.task.taskId, { outcome: 'acknowledged', note: '已收到' })).status).toBe(202);
      expect((await inbox('open')).items.map((i) => i.id)).not.toContain(mine.task.taskId);
      expect((await inbox('answered')).items.map((i) => i.id)).toContain(mine.task.taskId);

      const messages = await answersOnTopic([acked.eventId, applied.eventId]);
      expect(messages).toHaveLength(2);
      const [first, second] = messages;
      for (const m of messages) {
        expect(m.headers).toMatchObject({
          ce_specversion: '1.0',
          ce_type: AgencyRequestType.taskAnswered,
          ce_dataschema: TaskAnswerSchema.typeName,
          ce_source: `/sectors/${name}/agencies/${agencyId}`,
          'content-type': 'application/protobuf',
        });
        // The subject's digest, as its records on this topic: in the subject's order, no clear id in the key.
        expect(m.key).toBe(sha256(mine.task.subjectId));
        expect(m.headers['ce_subject']).toBe(m.key);
      }
      expect(first?.headers['ce_id']).toBe(acked.eventId);
      expect(decode(first!)).toMatchObject({
        taskId: mine.task.taskId,
        implementerId: agencyId,
        outcome: 'acknowledged',
        note: '已收到',
      });
      expect(decode(second!)).toMatchObject({
        taskId: mine.task.taskId,
        implementerId: agencyId,
        outcome: 'applied',
        reasonCode: '',
        legalGround: '',
        note: '已限制其参与本市政府采购活动',
      });
      expect(decode(second!).answeredAt).toBeDefined();
      expect(second?.partition).toBe(first?.partition);
    });

    it('refuses bad answers naming the field, counts overdue tasks, takes only acknowledged for a lift, and cancels an open task its lift overtook', async () => {
      const overdue = taskMessage({ dueBy: '2020-01-06' });
      const apply = taskMessage({});
      // The entry ended before this task was answered: the lift makes it moot.
      const unanswered = taskMessage({});
      const lift = taskMessage({
        kind: TaskKind.LIFT,
        liftsTaskId: unanswered.task.taskId,
        subjectId: unanswered.task.subjectId,
        endReason: 'obligation_fulfilled',
      });
      await sendTasks([overdue, apply, unanswered, lift]);
      await delivered(lift.task.taskId);
      expect(await (await get(`/v1/tasks/${unanswered.task.taskId}`)).json()).toMatchObject({
        status: 'cancelled',
        state: 'cancelled',
        overdue: false,
      });
      expect((await inbox()).items.map((i) => i.id)).not.toContain(unanswered.task.taskId);
      expect((await inbox('answered')).items.map((i) => i.id)).toContain(unanswered.task.taskId);
      const moot = await answer(unanswered.task.taskId, { outcome: 'applied' });
      expect(moot.status).toBe(409);
      expect(((await moot.json()) as Json)['detail']).toContain('cancelled');

      const open = await inbox();
      expect(open.items.find((i) => i.id === overdue.task.taskId)).toMatchObject({ overdue: true });
      expect(open.overdue).toBeGreaterThanOrEqual(1);
      expect(open.overdue).toBe(open.items.filter((i) => i.overdue).length);
      expect(open.count).toBe(open.items.length);
      expect(await fieldsOf(await get('/v1/tasks?status=maybe'))).toEqual(['status']);
      expect(await fieldsOf(await get('/v1/tasks/not-a-uuid'))).toEqual(['id']);

      const refused: [Json, string][] = [
        [{ outcome: 'maybe' }, 'outcome'],
        [{ outcome: 'not_applicable' }, 'reasonCode'],
        [{ outcome: 'declined' }, 'legalGround'],
        [{ outcome: 'applied', reasonCode: 'no_business' }, 'reasonCode'],
        [{ outcome: 'applied', extra: 1 }, 'extra'],
      ];
      for (const [body, field] of refused) {
        const response = await answer(apply.task.taskId, body);
        expect({ body, status: response.status }).toEqual({ body, status: 422 });
        expect(await fieldsOf(response)).toEqual([field]);
      }
      const missing = (await (await answer(apply.task.taskId, { outcome: 'not_applicable' })).json()) as {
        errors: Json[];
      };
      expect(missing.errors).toEqual([
        { field: 'reasonCode', detail: 'reasonCode is required when the outcome is not_applicable' },
      ]);
      const notApplicable = await answer(apply.task.taskId, {
        outcome: 'not_applicable',
        reasonCode: 'no_procurement_activity',
      });
      expect(notApplicable.status).toBe(202);
      expect(await notApplicable.json()).toMatchObject({ status: 'answered', state: 'not_applicable' });

      expect(await (await get(`/v1/tasks/${lift.task.taskId}`)).json()).toMatchObject({
        kind: 'lift',
        liftsTaskId: unanswered.task.taskId,
        endReason: 'obligation_fulfilled',
      });
      const wrong = await answer(lift.task.taskId, { outcome: 'applied' });
      expect(wrong.status).toBe(422);
      expect(await fieldsOf(wrong)).toEqual(['outcome']);
      const lifted = await answer(lift.task.taskId, { outcome: 'acknowledged' });
      expect(lifted.status).toBe(202);
      const liftAnswer = (await lifted.json()) as TaskBody & { eventId: string };
      expect(liftAnswer).toMatchObject({ status: 'answered', state: 'acknowledged' });

      const declined = await answer(overdue.task.taskId, {
        outcome: 'declined',
        legalGround: '《行政处罚法》第三十六条',
      });
      expect(declined.status).toBe(202);
      expect(await declined.json()).toMatchObject({ status: 'answered', overdue: false });

      const [message] = await answersOnTopic([liftAnswer.eventId]);
      expect(decode(message!)).toMatchObject({
        taskId: lift.task.taskId,
        implementerId: agencyId,
        outcome: 'acknowledged',
      });
    });

    it('keeps an answer Kafka did not acknowledge (503) and publishes it before the next one, under its first event id', async () => {
      const broken = await sectorAppWithoutBroker(sector, config());
      try {
        const task = taskMessage({});
        await sendTasks([task]);
        await delivered(task.task.taskId);
        const lost = await answer(
          task.task.taskId,
          { outcome: 'acknowledged', note: '收到' },
          agencyKey,
          await broken.getUrl(),
        );
        expect(lost.status).toBe(503);
        expect(await (await get(`/v1/tasks/${task.task.taskId}`)).json()).toMatchObject({
          state: 'delivered',
          answers: [],
        });
        // Another acknowledgement could contradict the one Kafka may have taken.
        expect((await answer(task.task.taskId, { outcome: 'acknowledged' })).status).toBe(409);

        const final = await answer(task.task.taskId, { outcome: 'applied' });
        expect(final.status).toBe(202);
        const applied = (await final.json()) as TaskBody & { eventId: string };
        expect(applied).toMatchObject({ status: 'answered', state: 'applied' });
        const ackId = String(applied.answers[0]?.['eventId']);
        expect(applied.answers.map((a) => a['outcome'])).toEqual(['acknowledged', 'applied']);
        const messages = await answersOnTopic([ackId, applied.eventId]);
        // Once each, the acknowledgement first.
        expect(messages.map((m) => decode(m).outcome)).toEqual(['acknowledged', 'applied']);
        expect(messages[0]?.headers['ce_id']).toBe(ackId);
      } finally {
        await broken.close();
      }
    });
  });
}
