import { randomUUID } from 'node:crypto';
import { create, fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  CreditEventType,
  CreditRatingEventSchema,
  DecidingAuthorityKind,
  MeasureTaskSchema,
  PlatformAction,
  PlatformViolationEventSchema,
  PlatformViolationType,
  RepairDecisionSchema,
  type Sector,
  SubjectKind,
  TaskAnswerSchema,
  TaskKind,
  TaxCreditLevel,
  Topics,
} from '@cie/contracts';
import { expectEventually, type ReadMessage, readTopic, testDatabaseUrl, testKafka } from '@cie/testing';
import type { Message, Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import {
  daysAgo,
  publishDebtor,
  publishMajorViolation,
  publishSectorEvent,
  publishSupplierMisconduct,
  publishWithdrawal,
  RATING_YEAR,
  RECENT_DECISION,
  sectorEventMessage,
  testUscc,
} from './sector-events.js';

/**
 * Joint rewards and punishments end to end (DESIGN §13), on the real broker and database: records
 * list their subjects, active entries send tasks to exactly the implementing agencies of the
 * memoranda (a sector agency's inbox topic, a subscriber's feed), the agencies' answers are applied
 * once, and every way an entry ends sends lift tasks.
 */
const run = randomUUID().slice(0, 8);
const kafka = testKafka(`measures-it-${run}`);
const group = `measures-it-${run}`;
const OPERATOR_KEY = 'demo-key-operator';
const BEIJING_KEY = 'demo-key-beijing-platform';
const SHANGHAI_KEY = 'demo-key-shanghai-platform';
const DESK_KEY = 'demo-key-credit-desk';

interface EntryRow {
  entry_id: string;
  list_type: string;
  state: string;
  end_reason: string | null;
  upgraded_to: string | null;
}
interface TaskRow {
  task_id: string;
  kind: string;
  measure_id: string;
  implementer_id: string;
  status: string;
  lifts_task_id: string | null;
}

const tasksOn = (messages: readonly ReadMessage[], recordId: string) =>
  messages
    .filter((m) => m.headers['ce_type'] === AgencyRequestType.measureTask)
    .map((m) => ({ key: m.key, id: m.headers['ce_id'], task: fromBinary(MeasureTaskSchema, m.value) }))
    .filter((t) => t.task.recordId === recordId);

describe('lists, measure tasks, feedback and lifting', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  let db: pg.Client;

  const call = async <T = Record<string, unknown>>(path: string, key: string, body?: unknown) => {
    const response = await fetch(`${exchange.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  const recordIdOf = async (agencyId: string, sourceRecordId: string) => {
    let recordId = '';
    await expectEventually(async () => {
      const { rows } = await db.query<{ record_id: string }>(
        `SELECT record_id FROM exchange.records WHERE agency_id = $1 AND source_record_id = $2`,
        [agencyId, sourceRecordId],
      );
      recordId = rows[0]?.record_id ?? '';
      expect(recordId).not.toBe('');
    });
    return recordId;
  };
  const entries = async (recordId: string) =>
    (
      await db.query<EntryRow>(
        `SELECT entry_id, list_type, state, end_reason, upgraded_to FROM exchange.list_entries WHERE record_id = $1 ORDER BY listed_at`,
        [recordId],
      )
    ).rows;
  const tasks = async (recordId: string) =>
    (
      await db.query<TaskRow>(
        `SELECT t.task_id, t.kind, t.measure_id, t.implementer_id, t.status, t.lifts_task_id
           FROM exchange.measure_tasks t JOIN exchange.list_entries e USING (entry_id)
          WHERE e.record_id = $1 ORDER BY t.kind, t.measure_id`,
        [recordId],
      )
    ).rows;
  /** An agency's answer as its sector service publishes it (POST /v1/tasks/{id}/answer there). */
  const answerOnTopic = (
    sector: Sector,
    taskId: string,
    implementerId: string,
    outcome: string,
    extra: { reasonCode?: string; legalGround?: string } = {},
  ) =>
    publishSectorEvent(
      producer,
      sector,
      TaskAnswerSchema,
      create(TaskAnswerSchema, {
        taskId,
        implementerId,
        outcome,
        reasonCode: extra.reasonCode ?? '',
        legalGround: extra.legalGround ?? '',
        answeredAt: timestampFromDate(new Date()),
      }),
      { idNumber: taskId, agencyId: implementerId },
      randomUUID(),
      AgencyRequestType.taskAnswered,
    );
  /** A dead letter's `code: reason`, as the dlq_code header and the stored reason give them. */
  const deadLetterOf = async (eventId: string) => {
    let found = '';
    await expectEventually(async () => {
      const { rows } = await db.query<{ reason: string; code: string }>(
        `SELECT reason, headers->>'dlq_code' AS code FROM exchange.dead_letters WHERE event_id = $1`,
        [eventId],
      );
      found = rows[0] ? `${rows[0].code}: ${rows[0].reason}` : '';
      expect(found).not.toBe('');
    });
    return found;
  };
  const statusOf = async (taskId: string) =>
    (
      await db.query<{ status: string }>(`SELECT status FROM exchange.measure_tasks WHERE task_id = $1`, [
        taskId,
      ])
    ).rows[0]?.status;

  beforeAll(async () => {
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: group,
        EXCHANGE_INSTANCE_ID: `${group}-a`,
        EXPIRY_SCAN_INTERVAL_MS: '500',
        PORT: '28190',
      }),
    );
    await exchange.start();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  }, 180_000);

  afterAll(async () => {
    await producer?.disconnect();
    await db?.end();
    await exchange?.stop();
  });

  it('lists a dishonest debtor, tasks exactly the implementing agencies, applies their answers once and lifts on withdrawal', async () => {
    const uscc = testUscc('110105', run, 1);
    const debtor = {
      sourceRecordId: `measures-${run}-1`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: uscc,
      name: '北京某某建材有限公司',
    };
    await publishDebtor(producer, debtor);
    const recordId = await recordIdOf('court-bj-chaoyang', debtor.sourceRecordId);
    await expectEventually(async () =>
      expect(await entries(recordId)).toEqual([
        expect.objectContaining({ list_type: 'courts.dishonest_debtors', state: 'active' }),
      ]),
    );
    // The subject desk sees the listing notice: reasons, basis, measures, and how to object.
    const notice = await call<{ listings: Record<string, unknown>[] }>(
      `/v1/subjects/${uscc}/access-report`,
      DESK_KEY,
    );
    expect(notice.body.listings).toEqual([
      expect.objectContaining({
        list: { type: 'courts.dishonest_debtors', title: '失信被执行人名单', colour: 'black' },
        state: 'active',
        reasons: expect.objectContaining({ recordId, kind: 'courts.dishonest_debtor' }),
        measures: expect.arrayContaining([expect.objectContaining({ memorandum: '发改财金〔2016〕141号' })]),
        rights: { objection: { how: 'POST /v1/disputes', recordId }, repairableFrom: null },
      }),
    ]);
    // 发改财金〔2016〕141号: the procurement ban to the procurement agency's inbox, two measures to Beijing's feed.
    expect((await tasks(recordId)).map((t) => [t.measure_id, t.implementer_id, t.status])).toEqual([
      ['dd-licence-review', 'beijing-platform', 'delivered'],
      ['dd-procurement-ban', 'procurement-bj', 'delivered'],
      ['dd-subsidy', 'beijing-platform', 'delivered'],
    ]);
    const inbox = tasksOn(
      await readTopic(kafka, Topics.requests('procurement'), {
        until: (m) => tasksOn(m, recordId).length >= 1,
      }),
      recordId,
    );
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.key).toBe('procurement-bj');
    expect(inbox[0]?.task).toMatchObject({
      kind: TaskKind.APPLY,
      listType: 'courts.dishonest_debtors',
      listColour: 'black',
      documentNumber: '发改财金〔2016〕141号',
      measureId: 'dd-procurement-ban',
      mode: 'mandatory',
      scenarios: ['procurement_bid'],
      subjectId: uscc,
      implementerId: 'procurement-bj',
      dueBy: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    const feed = tasksOn(
      await readTopic(kafka, Topics.feed('beijing-platform'), {
        until: (m) => tasksOn(m, recordId).length >= 2,
      }),
      recordId,
    );
    expect(feed.map((t) => t.task.measureId).sort()).toEqual(['dd-licence-review', 'dd-subsidy']);
    // Nobody else hears of a task: not the Shanghai platform, not the public portal.
    for (const other of ['shanghai-platform', 'public-portal'])
      expect(
        tasksOn(
          await readTopic(kafka, Topics.feed(other), { until: () => false, timeoutMs: 1500 }),
          recordId,
        ),
      ).toEqual([]);

    const byMeasure = new Map((await tasks(recordId)).map((t) => [t.measure_id, t.task_id]));
    const ban = byMeasure.get('dd-procurement-ban')!;
    const subsidy = byMeasure.get('dd-subsidy')!;
    const licence = byMeasure.get('dd-licence-review')!;

    // The procurement agency acknowledges, then applies, on its sector topic.
    await answerOnTopic('procurement', ban, 'procurement-bj', 'acknowledged');
    await expectEventually(async () => expect(await statusOf(ban)).toBe('acknowledged'));
    await answerOnTopic('procurement', ban, 'procurement-bj', 'applied');
    await expectEventually(async () => expect(await statusOf(ban)).toBe('applied'));
    // Hostile or wrong answers are dead-lettered with a code and change nothing.
    expect(
      await deadLetterOf(
        await answerOnTopic('procurement', ban, 'procurement-sh', 'declined', { legalGround: 'x' }),
      ),
    ).toMatch(/^not_owner: /);
    // The operator's list names the code too.
    const listed = await call<{ deadLetters: { eventId: string; code: string }[] }>(
      `/v1/dead-letters?topic=${Topics.sectorEvents('procurement')}`,
      OPERATOR_KEY,
    );
    expect(listed.body.deadLetters.map((d) => d.code)).toContain('not_owner');
    expect(await deadLetterOf(await answerOnTopic('tax', ban, 'procurement-bj', 'applied'))).toMatch(
      /^not_owner: /,
    );
    expect(
      await deadLetterOf(
        await answerOnTopic('procurement', ban, 'procurement-bj', 'declined', {
          legalGround: '《政府采购法》',
        }),
      ),
    ).toMatch(/^invalid_state: .*already answered applied/);
    expect(await statusOf(ban)).toBe('applied');

    // Beijing answers over the exchange's API; bad answers are refused with the field named.
    const missing = await call<{ errors: { field: string }[] }>(`/v1/tasks/${subsidy}/answer`, BEIJING_KEY, {
      outcome: 'not_applicable',
    });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body)).toContain('reasonCode');
    const unknownOutcome = await call(`/v1/tasks/${subsidy}/answer`, BEIJING_KEY, { outcome: 'maybe' });
    expect(unknownOutcome.status).toBe(422);
    expect(JSON.stringify(unknownOutcome.body)).toContain('outcome');
    expect((await call(`/v1/tasks/${subsidy}/answer`, SHANGHAI_KEY, { outcome: 'applied' })).status).toBe(
      404,
    );
    expect((await call(`/v1/tasks/${subsidy}`, SHANGHAI_KEY)).status).toBe(404);
    expect((await call(`/v1/tasks/${subsidy}/answer`, BEIJING_KEY, { outcome: 'applied' })).status).toBe(202);
    await expectEventually(async () => expect(await statusOf(subsidy)).toBe('applied'));
    expect(
      (await call(`/v1/tasks/${subsidy}/answer`, BEIJING_KEY, { outcome: 'declined', legalGround: 'x' }))
        .status,
    ).toBe(409);
    const own = await call<{ items: { taskId: string; implementer: { id: string } }[] }>(
      `/v1/tasks?status=all`,
      BEIJING_KEY,
    );
    expect(own.body.items.every((t) => t.implementer.id === 'beijing-platform')).toBe(true);
    expect(own.body.items.map((t) => t.taskId)).toEqual(expect.arrayContaining([subsidy, licence]));

    // The court removes the listing: the obligation is fulfilled.
    await publishWithdrawal(producer, debtor);
    await expectEventually(async () =>
      expect(await entries(recordId)).toEqual([
        expect.objectContaining({ state: 'removed', end_reason: 'obligation_fulfilled' }),
      ]),
    );
    const after = await tasks(recordId);
    const lifts = after.filter((t) => t.kind === 'lift');
    // A lift to every agency that applied (or had not yet answered, whose task is cancelled).
    expect(lifts.map((t) => [t.measure_id, t.implementer_id, t.lifts_task_id])).toEqual([
      ['dd-licence-review', 'beijing-platform', licence],
      ['dd-procurement-ban', 'procurement-bj', ban],
      ['dd-subsidy', 'beijing-platform', subsidy],
    ]);
    expect(await statusOf(licence)).toBe('cancelled');
    const liftMessages = tasksOn(
      await readTopic(kafka, Topics.requests('procurement'), {
        until: (m) => tasksOn(m, recordId).length >= 2,
      }),
      recordId,
    );
    expect(liftMessages.map((t) => [t.task.kind, t.task.endReason])).toEqual([
      [TaskKind.APPLY, ''],
      [TaskKind.LIFT, 'obligation_fulfilled'],
    ]);
    // A lift is answered acknowledged; the applied measure is then lifted.
    const banLift = lifts.find((t) => t.measure_id === 'dd-procurement-ban')!.task_id;
    expect(
      await deadLetterOf(await answerOnTopic('procurement', banLift, 'procurement-bj', 'applied')),
    ).toMatch(/^invalid_field: a lift task is answered acknowledged/);
    await answerOnTopic('procurement', banLift, 'procurement-bj', 'acknowledged');
    await expectEventually(async () => expect(await statusOf(ban)).toBe('lifted'));
    expect(await statusOf(banLift)).toBe('acknowledged');

    // Each task went out once, whatever was retried.
    const all = [
      ...tasksOn(
        await readTopic(kafka, Topics.requests('procurement'), { until: () => false, timeoutMs: 1500 }),
        recordId,
      ),
      ...tasksOn(
        await readTopic(kafka, Topics.feed('beijing-platform'), { until: () => false, timeoutMs: 1500 }),
        recordId,
      ),
    ];
    expect(new Set(all.map((t) => t.id)).size).toBe(all.length);
    expect(all).toHaveLength(6);

    const stats = await call<{ items: Record<string, unknown>[] }>(`/v1/measures/statistics`, OPERATOR_KEY);
    expect(
      stats.body.items.find(
        (r) => r['measureId'] === 'dd-procurement-ban' && r['implementerId'] === 'procurement-bj',
      ),
    ).toMatchObject({
      memorandumId: 'dishonest-debtors',
      acknowledged: expect.any(Number),
      liftsSent: expect.any(Number),
    });
    const banStats = stats.body.items.find((r) => r['measureId'] === 'dd-procurement-ban')!;
    expect(banStats['applied'] as number).toBeGreaterThanOrEqual(1);
    expect(banStats['lifted'] as number).toBeGreaterThanOrEqual(1);
    expect(typeof banStats['acknowledgeSecondsMedian']).toBe('number');
  });

  it('sends a subscriber no task about a subject outside its access rules, and counts overdue tasks in the API and metrics', async () => {
    const uscc = testUscc('310115', run, 2);
    const debtor = {
      sourceRecordId: `measures-${run}-2`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: uscc,
      name: '上海某某科技有限公司',
    };
    await publishDebtor(producer, debtor);
    const recordId = await recordIdOf('court-bj-chaoyang', debtor.sourceRecordId);
    await expectEventually(async () =>
      expect((await tasks(recordId)).map((t) => t.implementer_id)).toEqual(['procurement-bj']),
    );
    const { rows: skipped } = await db.query<{ details: { measureId: string; reason: string } }>(
      `SELECT details FROM exchange.audit_entries WHERE kind = 'measure_task_not_sent' AND record_id = $1 ORDER BY details->>'measureId'`,
      [recordId],
    );
    expect(skipped.map((r) => r.details.measureId)).toEqual(['dd-licence-review', 'dd-subsidy']);
    expect(skipped[0]?.details.reason).toContain('region 310115 not entitled');

    const [task] = await tasks(recordId);
    // Its deadline passes unanswered (the stored due date moved into the past, as time would).
    await db.query(`UPDATE exchange.measure_tasks SET due_by = $2 WHERE task_id = $1`, [
      task!.task_id,
      daysAgo(3),
    ]);
    const overdue = await call<{ items: { taskId: string; overdue: boolean }[]; overdue: number }>(
      `/v1/tasks?overdue=true&implementer=procurement-bj`,
      OPERATOR_KEY,
    );
    expect(overdue.body.items.map((t) => t.taskId)).toContain(task!.task_id);
    expect(overdue.body.items.every((t) => t.overdue)).toBe(true);
    const metrics = await (await fetch(`${exchange.url}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find(
        (l) =>
          l.startsWith('cie_measure_tasks_overdue{') &&
          l.includes('measure="dd-procurement-ban"') &&
          l.includes('kind="apply"'),
      );
    expect(Number(line?.split(' ').at(-1))).toBeGreaterThanOrEqual(1);
    expect((await call(`/v1/tasks?status=bogus`, OPERATOR_KEY)).status).toBe(400);
  });

  it('lists a major tax violation and lifts on credit repair', async () => {
    const uscc = testUscc('110105', run, 3);
    const sourceRecordId = `measures-${run}-3`;
    await publishMajorViolation(producer, { sourceRecordId, uscc, name: '北京某某贸易有限公司' });
    const recordId = await recordIdOf('tax-bj-jicha1', sourceRecordId);
    await expectEventually(async () =>
      expect((await tasks(recordId)).map((t) => [t.measure_id, t.implementer_id])).toEqual([
        ['tax-bond-issuance', 'beijing-platform'],
        ['tax-procurement-ban', 'procurement-bj'],
      ]),
    );
    expect((await entries(recordId)).map((e) => e.list_type)).toEqual(['tax.major_violations']);
    await db.query(
      `UPDATE exchange.record_versions SET body = jsonb_set(body, '{disclosure,repairableFrom}', to_jsonb($2::text)) WHERE record_id = $1`,
      [recordId, daysAgo(1)],
    );
    const filed = await call<{ requestId: string }>(`/v1/repairs`, DESK_KEY, {
      recordId,
      grounds: '已补缴税款及滞纳金',
      filedBy: 'subject',
    });
    expect(filed.status).toBe(202);
    await publishSectorEvent(
      producer,
      'tax',
      RepairDecisionSchema,
      create(RepairDecisionSchema, {
        requestId: filed.body.requestId,
        source: { sector: 'tax', agencyId: 'tax-bj-jicha1', sourceRecordId },
        approved: true,
        decidedAt: timestampFromDate(new Date()),
      }),
      { idNumber: uscc, agencyId: 'tax-bj-jicha1' },
      randomUUID(),
      AgencyRequestType.repairDecided,
    );
    await expectEventually(async () =>
      expect(await entries(recordId)).toEqual([
        expect.objectContaining({ state: 'removed', end_reason: 'repair_approved' }),
      ]),
    );
    // Nothing was applied yet: both open tasks are cancelled, and each agency gets a lift.
    const after = await tasks(recordId);
    expect(after.filter((t) => t.kind === 'apply').map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    expect(after.filter((t) => t.kind === 'lift').map((t) => t.implementer_id)).toEqual([
      'beijing-platform',
      'procurement-bj',
    ]);
  });

  it('puts an A-rated taxpayer on the red list and takes it off when the rating is corrected', async () => {
    const uscc = testUscc('110105', run, 4);
    const sourceRecordId = `measures-${run}-4`;
    const rating = (level: TaxCreditLevel, type: string) =>
      publishSectorEvent(
        producer,
        'tax',
        CreditRatingEventSchema,
        create(CreditRatingEventSchema, {
          source: {
            sector: 'tax',
            agencyId: 'tax-bj',
            sourceRecordId,
            decisionNumber: '京税信评〔2025〕3号',
            decidingAuthority: '国家税务总局北京市税务局',
            decisionDate: RECENT_DECISION,
          },
          subject: { kind: SubjectKind.LEGAL_ENTITY, idNumber: uscc, name: '北京某某诚信有限公司' },
          rating: level,
          evaluationYear: RATING_YEAR,
        }),
        { idNumber: uscc, agencyId: 'tax-bj' },
        randomUUID(),
        type,
      );
    await rating(TaxCreditLevel.A, CreditEventType.published);
    const recordId = await recordIdOf('tax-bj', sourceRecordId);
    await expectEventually(async () =>
      expect((await tasks(recordId)).map((t) => [t.measure_id, t.implementer_id])).toEqual([
        ['a-green-channel', 'beijing-platform'],
        ['a-procurement-reference', 'procurement-bj'],
      ]),
    );
    expect((await entries(recordId)).map((e) => [e.list_type, e.state])).toEqual([['tax.a_rated', 'active']]);
    await rating(TaxCreditLevel.B, CreditEventType.corrected);
    await expectEventually(async () =>
      expect(await entries(recordId)).toEqual([
        expect.objectContaining({ state: 'removed', end_reason: 'criteria_no_longer_met' }),
      ]),
    );
  });

  it('lists a banned supplier until the ban, and ends the entry when the record expires', async () => {
    const uscc = testUscc('110108', run, 5);
    const sourceRecordId = `measures-${run}-5`;
    await publishSupplierMisconduct(producer, { sourceRecordId, uscc, name: '北京某某设备有限公司' });
    const recordId = await recordIdOf('finance-bj-haidian', sourceRecordId);
    await expectEventually(async () =>
      expect((await entries(recordId)).map((e) => [e.list_type, e.state])).toEqual([
        ['procurement.serious_violations', 'active'],
      ]),
    );
    // procurement-regulator is not entitled to procurement records: its measure sends no task.
    expect((await tasks(recordId)).map((t) => [t.measure_id, t.implementer_id])).toEqual([
      ['gp-procurement-ban', 'procurement-bj'],
    ]);
    await db.query(
      `UPDATE exchange.record_versions SET body = jsonb_set(body, '{disclosure,disclosureUntil}', to_jsonb($2::text)) WHERE record_id = $1`,
      [recordId, daysAgo(1)],
    );
    await expectEventually(
      async () =>
        expect(await entries(recordId)).toEqual([
          expect.objectContaining({ state: 'removed', end_reason: 'disclosure_period_ended' }),
        ]),
      { timeoutMs: 20_000 },
    );
    expect((await tasks(recordId)).filter((t) => t.kind === 'lift').map((t) => t.implementer_id)).toEqual([
      'procurement-bj',
    ]);
  });

  /** A market regulator's violation decision about an e-commerce operator (test `n`, decision `serial`). */
  const violation = (n: number, uscc: string, serial: number, actions: PlatformAction[], fineAmount = '') =>
    sectorEventMessage(
      'ecommerce',
      PlatformViolationEventSchema,
      create(PlatformViolationEventSchema, {
        source: {
          sector: 'ecommerce',
          agencyId: 'amr-sh-xuhui',
          sourceRecordId: `measures-${run}-${n}-${serial}`,
          decisionNumber: `沪市监徐处〔2025〕${n}${serial}号`,
          decidingAuthority: '上海市徐汇区市场监督管理局',
          decisionDate: RECENT_DECISION,
        },
        subject: { kind: SubjectKind.LEGAL_ENTITY, idNumber: uscc, name: '上海某某电子商务有限公司' },
        violation: PlatformViolationType.FAKE_REVIEWS,
        facts: '组织虚假交易',
        authorityKind: DecidingAuthorityKind.MARKET_REGULATOR,
        platform: { id: 'tmall', name: '天猫' },
        shop: { id: String(n), name: '某某旗舰店' },
        actionsTaken: actions,
        fineAmount,
      }),
      { idNumber: uscc, agencyId: 'amr-sh-xuhui' },
    );
  const sendEcommerce = (...messages: Message[]) =>
    producer.send({ topic: Topics.sectorEvents('ecommerce'), acks: -1, messages });
  /** The second record's serious-dishonesty entry upgraded the first's watch entry. */
  const expectUpgraded = async (first: string, second: string) => {
    await expectEventually(async () =>
      expect((await entries(second)).map((e) => [e.list_type, e.state])).toEqual([
        ['ecommerce.serious_dishonesty', 'active'],
      ]),
    );
    const [black] = await entries(second);
    expect(await entries(first)).toEqual([
      expect.objectContaining({
        list_type: 'ecommerce.watch',
        state: 'upgraded',
        end_reason: 'upgraded',
        upgraded_to: black!.entry_id,
      }),
    ]);
  };

  it('watches an e-commerce operator and upgrades it to the black list on a serious violation', async () => {
    const uscc = testUscc('310104', run, 6);
    await sendEcommerce(violation(6, uscc, 1, [PlatformAction.FINE], '20000.00'));
    const first = await recordIdOf('amr-sh-xuhui', `measures-${run}-6-1`);
    await expectEventually(async () =>
      expect((await entries(first)).map((e) => [e.list_type, e.state])).toEqual([
        ['ecommerce.watch', 'active'],
      ]),
    );
    await sendEcommerce(violation(6, uscc, 2, [PlatformAction.SHOP_CLOSURE]));
    await expectUpgraded(first, await recordIdOf('amr-sh-xuhui', `measures-${run}-6-2`));
  });

  it('decides the records of one batch in order, as one by one: the second upgrades what the first listed', async () => {
    const uscc = testUscc('310104', run, 7);
    // One send, one key: one partition, read in one batch.
    await sendEcommerce(
      violation(7, uscc, 1, [PlatformAction.FINE], '20000.00'),
      violation(7, uscc, 2, [PlatformAction.SHOP_CLOSURE]),
    );
    const first = await recordIdOf('amr-sh-xuhui', `measures-${run}-7-1`);
    const second = await recordIdOf('amr-sh-xuhui', `measures-${run}-7-2`);
    await expectUpgraded(first, second);
    // The audit log tells it in the same order: listed on the watch list, then upgraded.
    const { rows } = await db.query<{ kind: string; list_type: string }>(
      `SELECT kind, details->>'listType' AS list_type FROM exchange.audit_entries
        WHERE kind IN ('list_entry_created', 'list_entry_ended') AND record_id = ANY($1::uuid[]) ORDER BY seq, part`,
      [[first, second]],
    );
    expect(rows.map((r) => [r.kind, r.list_type])).toEqual([
      ['list_entry_created', 'ecommerce.watch'],
      ['list_entry_created', 'ecommerce.serious_dishonesty'],
      ['list_entry_ended', 'ecommerce.watch'],
    ]);
  });
});
