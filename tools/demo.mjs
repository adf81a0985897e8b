// npm run demo [-- --once]
// The whole stack on real engines: Kafka (KRaft, Maven Central jars), PostgreSQL, the exchange and
// the courts service; demo traffic through the courts API; a summary of what each subscriber's feed
// holds, read back with a Kafka consumer. Without --once it keeps running until Ctrl-C.
import 'reflect-metadata';
import { fromBinary } from '@bufbuild/protobuf';
import { FeedEventSchema, isCreditEventType, SubmissionReceiptSchema, Topics } from '@cie/contracts';
import { loadMessageSigner } from '@cie/platform';
import { usccCheckCharacter } from '@cie/identifiers';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { startKafka, stopKafka } from './stack/kafka.mjs';
import { ensureDatabase } from './stack/postgres.mjs';
import { CONSOLE, SERVICES, stackEnv, startService, stopServices } from './stack/services.mjs';

const NAME = 'demo';
const once = process.argv.includes('--once');
const subscribers = ['beijing-platform', 'shanghai-platform', 'public-portal'];
const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (line) => process.stderr.write(`› ${line}\n`);

const usccOf = (first17) => first17 + usccCheckCharacter(first17);
const KEYS = {
  chaoyang: 'demo-key-court-bj-chaoyang',
  pudong: 'demo-key-court-sh-pudong',
  tax: 'demo-key-tax-bj',
  // A reader of the Beijing platform's records (deploy/local/platform-clients.demo.json).
  beijingReader: 'demo-key-platform-beijing-reader',
  // A procurement officer checking bidders at the exchange (deploy/local/exchange-clients.demo.json).
  officer: 'demo-key-procurement-officer',
};
const debtorRecord = (sourceRecordId, decisionNumber, decidingAuthority, subject, amount) => ({
  recordType: 'courts.dishonest_debtor',
  sourceRecordId,
  decisionNumber,
  decidingAuthority,
  decisionDate: '2025-09-18',
  subject,
  obligation: `支付欠款人民币${amount}元及迟延履行期间的债务利息`,
  performanceStatus: 'not_performed',
  outstandingAmount: amount,
});
const DEMO = [
  {
    key: KEYS.chaoyang,
    body: debtorRecord(
      'BJCY-2025-0001',
      '(2025)京0105执3301号',
      '北京市朝阳区人民法院',
      { kind: 'legal_entity', idNumber: usccOf('91110105MA01C8XK3'), name: '北京某某建设工程有限公司' },
      '1250000.00',
    ),
  },
  {
    key: KEYS.chaoyang,
    body: debtorRecord(
      'BJCY-2025-0002',
      '(2025)京0105执3302号',
      '北京市朝阳区人民法院',
      { kind: 'natural_person', idNumber: '110105198506150022', name: '王五' },
      '86000.00',
    ),
  },
  {
    key: KEYS.pudong,
    body: debtorRecord(
      'SHPD-2025-0001',
      '(2025)沪0115执8812号',
      '上海市浦东新区人民法院',
      { kind: 'natural_person', idNumber: '310115198001010016', name: '李四' },
      '43000.50',
    ),
  },
  {
    key: KEYS.chaoyang,
    body: debtorRecord(
      'BJCY-2025-0003',
      '(2025)京0105执3303号',
      '北京市朝阳区人民法院',
      { kind: 'legal_entity', idNumber: '91320100748204660Q', name: '南京某某科技有限公司' },
      '310000.00',
    ),
  },
  {
    key: KEYS.chaoyang,
    body: debtorRecord(
      'BJCY-2025-0004',
      '(2025)京0105执3304号',
      '北京市朝阳区人民法院',
      { kind: 'legal_entity', idNumber: '91320100748204660A', name: '校验码错误的公司' },
      '5000.00',
    ),
  },
  {
    key: KEYS.tax,
    body: debtorRecord(
      'TAX-BJ-0001',
      '(2025)京0105执3305号',
      '北京市朝阳区人民法院',
      { kind: 'legal_entity', idNumber: '91320100748204660Q', name: '南京某某科技有限公司' },
      '1.00',
    ),
  },
];

/** Each sector service, the demo agency key it submits with, and where its record types are. */
const SECTORS = [
  { sector: 'tax', agency: 'tax-bj', key: KEYS.tax, definition: 'services/tax/dist/record-types/index.js' },
  {
    sector: 'procurement',
    agency: 'procurement-bj',
    key: 'demo-key-procurement-bj',
    definition: 'services/procurement/dist/record-types/index.js',
  },
  {
    sector: 'courts',
    agency: 'court-bj-chaoyang',
    key: KEYS.chaoyang,
    definition: 'services/courts/dist/record-types/index.js',
  },
  {
    sector: 'ecommerce',
    agency: 'ecommerce-samr-hz',
    key: 'demo-key-ecommerce-hz',
    definition: 'services/ecommerce/dist/record-types/index.js',
  },
];

async function stopAll() {
  await stopServices({ name: NAME });
  await stopKafka({ name: NAME, log: { write: () => true } });
}

async function main() {
  await stopServices({ name: NAME });
  step('starting Kafka 3.9 (KRaft) from the Maven Central jars');
  const kafka = await startKafka({ name: NAME, port: 19092 });
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase({ name: 'cie_demo', fresh: true }));
  // The expiry scheduler looks every 2 s here (every minute by default), so the walk below sees it act.
  const env = {
    ...stackEnv({ name: NAME, kafkaBrokers: kafka.brokers, databaseUrl }),
    EXPIRY_SCAN_INTERVAL_MS: '2000',
  };
  const urls = {};
  const [exchange, ...sectors] = SERVICES;
  step(`starting ${exchange.name} on :${exchange.port}`);
  urls[exchange.name] = (await startService({ name: NAME, service: exchange, env })).url;
  step(`starting ${sectors.map((x) => `${x.name} on :${x.port}`).join(', ')}`);
  await Promise.all(
    sectors.map(
      async (service) => (urls[service.name] = (await startService({ name: NAME, service, env })).url),
    ),
  );
  step(`starting ${CONSOLE.name} on :${CONSOLE.port}`);
  urls[CONSOLE.name] = (await startService({ name: NAME, service: CONSOLE, env })).url;

  await everyIngestionPath(urls, kafka.brokers);

  say(`\nCourts to the exchange to the subscriber feeds (POST ${urls.courts}/v1/records)`);
  const outcomes = [];
  for (const { key, body } of DEMO) {
    const response = await fetch(`${urls.courts}/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    outcomes.push({ body, status: response.status, answer });
    const why =
      response.status === 202
        ? `accepted, event ${answer.eventId}`
        : answer.errors
          ? answer.errors.map((e) => `${e.field}: ${e.detail}`).join('; ')
          : answer.detail;
    say(`  ${response.status}  ${body.sourceRecordId.padEnd(15)} ${why}  [${body.subject.name}]`);
  }

  const accepted = outcomes.filter((o) => o.status === 202).map((o) => o.body.sourceRecordId);
  const feeds = await readFeeds(kafka.brokers, accepted);
  say('\nDelivered (read back from each feed by a read_committed Kafka consumer)');
  for (const subscriber of subscribers) {
    const all = feeds.get(subscriber) ?? [];
    const events = all.filter((e) => accepted.includes(e.record.source.sourceRecordId));
    const others = all.length - events.length;
    say(
      `  ${Topics.feed(subscriber)}  ${events.length} of these record(s)${others ? ` (and ${others} from the ingestion-path demo above)` : ''}`,
    );
    for (const e of events) {
      const s = e.record.subject;
      const identity = s.idNumber
        ? s.kind === 2
          ? `id ${s.idNumber.slice(0, 6)}********${s.idNumber.slice(-4)} (clear: entitled)`
          : `USCC ${s.idNumber}`
        : `pseudonym ${s.canonicalId}`;
      say(
        `    ${e.record.source.sourceRecordId.padEnd(15)} region ${s.regionCode}  until ${e.record.disclosure.disclosureUntil}  ${identity}  [${s.name}]`,
      );
    }
  }
  const notDelivered = accepted.filter(
    (id) => ![...feeds.values()].flat().some((e) => e.record.source.sourceRecordId === id),
  );
  if (notDelivered.length > 0)
    throw new Error(`accepted but not delivered to any feed: ${notDelivered.join(', ')}`);

  say(
    `\nWhat the agency reads back (GET ${urls.courts}/v1/records/{sourceRecordId}: the exchange's outcome)`,
  );
  for (const { key, body } of DEMO.filter((d) => accepted.includes(d.body.sourceRecordId))) {
    const history = await waitFor(async () => {
      const h = await (
        await fetch(`${urls.courts}/v1/records/${body.sourceRecordId}`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).json();
      return h.events?.[0]?.exchangeOutcome ? h : undefined;
    });
    if (!history)
      throw new Error(`the exchange's outcome of ${body.sourceRecordId} never reached the courts service`);
    const outcome = history.events[0].exchangeOutcome;
    say(
      `  ${body.sourceRecordId.padEnd(15)} ${history.status}, version ${history.version}; exchange: ${outcome.status} as record ${outcome.recordId}`,
    );
  }

  say('\nRefused (nothing was published for these)');
  for (const o of outcomes.filter((x) => x.status !== 202)) {
    say(
      `  ${o.body.sourceRecordId.padEnd(15)} ${o.status} ${o.answer.title}: ${o.answer.errors ? o.answer.errors.map((e) => `${e.field} ${e.detail}`).join('; ') : o.answer.detail}`,
    );
  }

  await lifeOfARecord(urls, databaseUrl);
  await jointRewardsAndPunishments(urls);

  if (once) {
    await stopAll();
    say('\nStack stopped (--once).');
    return;
  }
  say(`\nThe stack keeps running:
  exchange     ${urls.exchange}   health: ${urls.exchange}/health/live  ${urls.exchange}/health/ready
  console      ${urls.console}   in a browser; sign in with demo-key-operator, demo-key-credit-desk or demo-key-court-bj-chaoyang
${SECTORS.map((x) => `  ${x.sector.padEnd(12)} ${urls[x.sector]}   POST /v1/records, /v1/records/bulk  (Authorization: Bearer ${x.key})`).join('\n')}
  platform-beijing ${urls['platform-beijing']}   GET /v1/records?subject=  (Authorization: Bearer ${KEYS.beijingReader})
  kafka     ${kafka.brokers}   feeds: ${subscribers.map((s) => Topics.feed(s)).join(', ')}
  logs      .stack/${NAME}/*.log
Stop with Ctrl-C, or from another terminal: npm run stack -- down`);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  step('stopping');
  await stopAll();
}

/**
 * Every record type of every sector through every ingestion path: one record, a JSON array,
 * NDJSON bulk, and the agency submissions topic (answered on the receipts topic).
 */
async function everyIngestionPath(urls, brokers) {
  const client = new kafkajs.Kafka({
    clientId: 'demo-agencies',
    brokers: [brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const producer = client.producer();
  await producer.connect();
  say('\nEvery record type through every ingestion path (receipts)');
  const submitted = [];
  for (const { sector, agency, key, definition } of SECTORS) {
    // On the topic the agency signs (no key travels in headers every reader of the topic sees).
    const signer = loadMessageSigner(
      'AGENCY_SIGNING_KEYS_FILE',
      new URL('../deploy/local/agency-signing-keys.demo.json', import.meta.url).pathname,
      agency,
      { demoMode: true },
    );
    const { recordTypes } = (await import(new URL(`../${definition}`, import.meta.url).href))[
      `${sector}Sector`
    ];
    const example = (type, path) => ({
      ...type.example,
      sourceRecordId: `${type.example.sourceRecordId}-${path}`,
    });
    const post = (path, body, type = 'application/json') =>
      fetch(`${urls[sector]}${path}`, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${key}` },
        body,
      });
    const show = (path, receipt) =>
      say(
        `  ${sector.padEnd(12)} ${path.padEnd(7)} ${(receipt.recordType ?? '').padEnd(34)} ${String(receipt.sourceRecordId).padEnd(28)} ${receipt.status}${receipt.eventId ? `  event ${receipt.eventId}` : ''}${receipt.problems ? `  ${receipt.problems.map((p) => `${p.field}: ${p.detail}`).join('; ')}` : ''}`,
      );

    for (const type of recordTypes)
      show('single', await (await post('/v1/records', JSON.stringify(example(type, 'single')))).json());
    const array = await (
      await post('/v1/records', JSON.stringify(recordTypes.map((t) => example(t, 'array'))))
    ).json();
    for (const receipt of array.results) show('array', receipt);
    const ndjson = recordTypes.map((t) => JSON.stringify(example(t, 'bulk'))).join('\n');
    const lines = (await (await post('/v1/records/bulk', ndjson, 'application/x-ndjson')).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines.filter((l) => l.status)) show('bulk', line);
    for (const type of recordTypes) {
      const body = example(type, 'topic');
      submitted.push({ sector, id: body.sourceRecordId, recordType: type.recordType });
      const topic = `agency.${sector}.submissions.v1`;
      const value = Buffer.from(JSON.stringify(body));
      await producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: sector,
            value,
            headers: { ce_id: body.sourceRecordId, ...signer.headers(topic, body.sourceRecordId, value) },
          },
        ],
      });
    }
  }
  await producer.disconnect();

  const receipts = await readUntil(
    client,
    SECTORS.map((x) => `agency.${x.sector}.receipts.v1`),
    (m) => fromBinary(SubmissionReceiptSchema, m.value),
    (all) => submitted.every((s) => all.some((r) => r.submissionId === s.id)),
  );
  for (const s of submitted) {
    const receipt = receipts.find((r) => r.submissionId === s.id);
    say(
      `  ${s.sector.padEnd(12)} ${'topic'.padEnd(7)} ${s.recordType.padEnd(34)} ${s.id.padEnd(28)} ${receipt ? `${receipt.status}  event ${receipt.eventId}  (on agency.${s.sector}.receipts.v1)` : 'no receipt within 30 s'}`,
    );
    if (!receipt || receipt.status !== 'accepted')
      throw new Error(`submission ${s.id} on agency.${s.sector}.submissions.v1 was not accepted`);
  }
}

/**
 * One record through its life (DESIGN §8): published, disputed, corrected (resolving the dispute),
 * expired, with the Beijing platform's copy and the subject access report at each step.
 */
async function lifeOfARecord(urls, databaseUrl) {
  const court = KEYS.chaoyang;
  const desk = 'demo-key-credit-desk';
  const operator = 'demo-key-operator';
  const call = async (url, key, body) => {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };
  const platform = urls['platform-beijing'];
  const copy = async (recordId) => {
    const { status, body } = await call(`${platform}/v1/records/${recordId}`, KEYS.beijingReader);
    if (status === 200)
      return `holds version ${body.version}, status ${body.status}${body.dispute.disputed ? `, disputed (${body.dispute.disputeId})` : ''}${body.dispute.lastOutcome ? `, last dispute ${body.dispute.lastOutcome}` : ''}, outstanding ${body.attributes.outstandingAmount}`;
    return body.removal
      ? `removed: ${body.removal.eventType} (${body.removal.reason})`
      : `holds nothing (${status})`;
  };
  const until = async (probe, what) => {
    const value = await waitFor(async () => ((await probe()) ? true : undefined));
    if (!value) throw new Error(`${what} did not happen within 15 s`);
  };
  const report = async (uscc) => {
    const { body } = await call(`${urls.exchange}/v1/subjects/${uscc}/access-report`, operator);
    const record = body.records[0];
    const sent = new Map();
    for (const d of body.disclosures) {
      const type = d.eventType.replace('credit.record.', '');
      sent.set(type, [...(sent.get(type) ?? []), `${d.subscriber}@v${d.version}`]);
    }
    const lines = [...sent].map(([type, to]) => `${type} → ${to.join(', ')}`);
    return `status ${record.status}, ${record.versions.length} version(s); ${body.disclosures.length} disclosures:\n${lines.map((l) => `                   ${l}`).join('\n')}`;
  };

  const uscc = usccOf('91110105MA01D2LW7');
  const body = debtorRecord(
    'BJCY-2026-0107',
    '(2026)京0105执107号',
    '北京市朝阳区人民法院',
    { kind: 'legal_entity', idNumber: uscc, name: '北京某某商贸有限公司' },
    '420000.00',
  );
  say(`\nThe life of one record (${body.sourceRecordId}, ${body.subject.name}, USCC ${uscc})`);
  await call(`${urls.courts}/v1/records`, court, {
    ...body,
    decisionDate: new Date().toISOString().slice(0, 10),
  });
  let recordId;
  await until(async () => {
    const h = (await call(`${urls.courts}/v1/records/${body.sourceRecordId}`, court)).body;
    recordId = h.events?.[0]?.exchangeOutcome?.recordId;
    return recordId && (await call(`${platform}/v1/records/${recordId}`, KEYS.beijingReader)).status === 200;
  }, 'publication');
  say(`  1. published   exchange record ${recordId}`);
  say(`                 platform-beijing ${await copy(recordId)}`);
  const anonymous = await fetch(`${platform}/v1/records?subject=${uscc}`);
  say(`                 platform-beijing without a key: ${anonymous.status}`);
  say(`                 access report: ${await report(uscc)}`);

  const filed = await call(`${urls.exchange}/v1/disputes`, desk, {
    recordId,
    grounds: '欠款已于2026年11月全部清偿，附银行回单',
    filedBy: 'subject',
  });
  if (filed.status !== 202) throw new Error(`dispute refused: ${JSON.stringify(filed.body)}`);
  await until(async () => (await copy(recordId)).includes('disputed'), 'the dispute flag');
  const inbox = (await call(`${urls.courts}/v1/disputes`, court)).body.items.find(
    (i) => i.id === filed.body.disputeId,
  );
  say(`  2. disputed    dispute ${filed.body.disputeId}, due ${filed.body.dueBy} (5 working days)`);
  say(`                 courts inbox (GET /v1/disputes): ${inbox.status}, grounds "${inbox.grounds}"`);
  say(`                 platform-beijing ${await copy(recordId)}`);

  const corrected = {
    ...body,
    decisionDate: new Date().toISOString().slice(0, 10),
    outstandingAmount: '0.00',
    performanceStatus: 'partially_performed',
  };
  await call(`${urls.courts}/v1/records/${body.sourceRecordId}/corrections`, court, corrected);
  await call(`${urls.courts}/v1/disputes/${filed.body.disputeId}/resolution`, court, {
    outcome: 'corrected',
    note: '经核实已清偿，更正未履行金额',
  });
  await until(async () => (await copy(recordId)).includes('last dispute corrected'), 'the resolution');
  say(`  3. corrected   the court corrected it and resolved the dispute as corrected`);
  say(`                 platform-beijing ${await copy(recordId)}`);
  say(`                 access report: ${await report(uscc)}`);

  // Demo time travel: disclosure periods are in days (two years for this kind), so the demo moves
  // this record's end to yesterday, as if the time had passed; the scheduler does the rest.
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await db.query(
    `UPDATE exchange.record_versions SET body = jsonb_set(body, '{disclosure,disclosureUntil}', to_jsonb($2::text)) WHERE record_id = $1`,
    [recordId, yesterday],
  );
  await db.end();
  await until(async () => (await copy(recordId)).startsWith('removed'), 'expiry');
  say(`  4. expired     disclosure period moved to end ${yesterday} (demo); the scheduler expired it`);
  say(`                 platform-beijing ${await copy(recordId)}`);
  say(`                 access report: ${await report(uscc)}`);
  await until(async () => {
    const acks = (await call(`${urls.exchange}/v1/deletion-acks/beijing-platform`, operator)).body;
    return !acks.outstanding.some((o) => o.recordId === recordId);
  }, 'the deletion acknowledgement');
  const summary = (await call(`${urls.exchange}/v1/deletion-acks`, operator)).body.subscribers
    .map((x) => `${x.subscriber} ${x.acknowledged} acked / ${x.outstanding} outstanding`)
    .join(', ');
  say(`                 deletion acks (GET /v1/deletion-acks): ${summary}`);
}

/**
 * DESIGN §13 on the running stack: a court lists a company as a dishonest judgment debtor; the
 * procurement agency and the Beijing platform get their tasks and report them applied; a procurement
 * officer's check at bid time shows the hit with a signed receipt, which verifies; the court removes
 * the listing (obligation fulfilled); the lift tasks go out and are acknowledged; a new check is
 * clear; the credit report before and after.
 */
async function jointRewardsAndPunishments(urls) {
  const court = KEYS.chaoyang;
  const procurement = 'demo-key-procurement-bj';
  const beijing = 'demo-key-beijing-platform';
  const officer = KEYS.officer;
  const operator = 'demo-key-operator';
  const call = async (url, key, body) => {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  };
  const must = (answer, what, status = [200, 202]) => {
    if (!status.includes(answer.status))
      throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const until = async (probe, what) => {
    const value = await waitFor(probe);
    if (value === undefined) throw new Error(`${what} did not happen within 15 s`);
    return value;
  };
  const uscc = usccOf('91110105MA01F6TQ8');
  const name = '北京某某路桥工程有限公司';
  const body = debtorRecord(
    'BJCY-2026-0214',
    '(2026)京0105执214号',
    '北京市朝阳区人民法院',
    { kind: 'legal_entity', idNumber: uscc, name },
    '2680000.00',
  );
  say(`\nJoint punishment of a dishonest judgment debtor (${name}, USCC ${uscc})`);
  must(
    await call(`${urls.courts}/v1/records`, court, {
      ...body,
      decisionDate: new Date().toISOString().slice(0, 10),
    }),
    'listing',
  );
  const recordId = await until(async () => {
    const h = (await call(`${urls.courts}/v1/records/${body.sourceRecordId}`, court)).body;
    return h.events?.[0]?.exchangeOutcome?.recordId;
  }, 'publication');
  say(
    `  1. listed      the court's record ${recordId} puts the company on 失信被执行人名单 (courts.dishonest_debtors)`,
  );

  // 2. The implementing agencies' tasks: procurement in its sector service's inbox, Beijing on its feed.
  const inbox = await until(async () => {
    const items = must(await call(`${urls.procurement}/v1/tasks`, procurement), 'procurement inbox').items;
    const mine = items.filter((t) => t.recordId === recordId);
    return mine.length > 0 ? mine : undefined;
  }, "the procurement agency's task");
  const feedTasks = await until(async () => {
    const items = must(await call(`${urls.exchange}/v1/tasks`, beijing), 'beijing tasks').items;
    const mine = items.filter((t) => t.recordId === recordId);
    return mine.length >= 2 ? mine : undefined;
  }, "Beijing's tasks");
  for (const t of inbox) {
    must(
      await call(`${urls.procurement}/v1/tasks/${t.id}/answer`, procurement, {
        outcome: 'applied',
        note: '已在采购系统中限制投标',
      }),
      'procurement answer',
    );
    say(
      `  2. task        procurement-bj  ${t.measureId.padEnd(18)} due ${t.dueBy}  → applied (POST ${urls.procurement}/v1/tasks/{id}/answer)`,
    );
  }
  for (const t of feedTasks) {
    must(
      await call(`${urls.exchange}/v1/tasks/${t.taskId}/answer`, beijing, { outcome: 'applied' }),
      'beijing answer',
    );
    say(
      `                 beijing-platform ${t.measureId.padEnd(17)} due ${t.dueBy}  → applied (POST /v1/tasks/{id}/answer)`,
    );
  }
  await until(async () => {
    const items = must(await call(`${urls.exchange}/v1/tasks?status=all`, operator), 'tasks').items;
    const applies = items.filter((t) => t.recordId === recordId && t.kind === 'apply');
    return applies.length > 0 && applies.every((t) => t.status === 'applied') ? true : undefined;
  }, 'the answers');

  const check = async (label) => {
    const { receipt } = must(
      await call(`${urls.exchange}/v1/checks`, officer, {
        subjects: [uscc],
        scenario: 'procurement_bid',
        businessReference: 'BJCG-2026-0088 投标资格审查',
        purpose: '投标人资格审查',
      }),
      'check',
      [201],
    );
    const verified = must(await call(`${urls.exchange}/v1/checks/${receipt.number}`, officer), 'verify');
    const result = receipt.results[0];
    const measures = result.measures.map((m) => `${m.measureId} (${m.mode}, ${m.documentNumber})`).join(', ');
    say(
      `  ${label} check       procurement-bj-officer, scenario procurement_bid: ${result.status}${measures ? ` with ${measures}` : ''}`,
    );
    const { valid, checks } = verified.verification;
    say(
      `                 receipt ${receipt.number}, Ed25519 key ${verified.signature.keyId}; GET /v1/checks/${receipt.number}: valid ${valid} (${checks.map((c) => c.check).join(', ')})`,
    );
    if (!valid) throw new Error(`receipt ${receipt.number} did not verify: ${JSON.stringify(checks)}`);
    return result.status;
  };
  const report = async (label) => {
    const { receipt } = must(await call(`${urls.exchange}/v1/subjects/${uscc}/report`, operator), 'report');
    const verified = must(
      await call(`${urls.exchange}/v1/reports/${receipt.number}`, operator),
      'verify report',
    );
    const count = (v) => (Array.isArray(v) ? v.length : v.records.length + v.lists.length);
    const sections = Object.entries(receipt.sections)
      .map(([name, v]) => `${name} ${count(v)}`)
      .join(', ');
    say(
      `     report ${label.padEnd(6)} ${receipt.number} (valid ${verified.verification.valid}): ${sections}`,
    );
  };
  if ((await check('3.')) !== 'hit') throw new Error('the check at bid time did not show the listing');
  await report('before');

  must(
    await call(`${urls.courts}/v1/records/${body.sourceRecordId}/withdrawal`, court, {
      reason: 'obligation_fulfilled',
      note: '被执行人已履行全部义务',
      withdrawnOn: new Date().toISOString().slice(0, 10),
    }),
    'withdrawal',
  );
  say(`  4. removed     the court withdrew the record: obligation fulfilled`);
  const lifts = await until(async () => {
    const items = must(await call(`${urls.procurement}/v1/tasks`, procurement), 'procurement inbox').items;
    const mine = items.filter((t) => t.recordId === recordId && t.kind === 'lift');
    return mine.length > 0 ? mine : undefined;
  }, 'the lift task');
  for (const t of lifts)
    must(
      await call(`${urls.procurement}/v1/tasks/${t.id}/answer`, procurement, { outcome: 'acknowledged' }),
      'lift ack',
    );
  const beijingLifts = await until(async () => {
    const items = must(await call(`${urls.exchange}/v1/tasks`, beijing), 'beijing tasks').items;
    const mine = items.filter((t) => t.recordId === recordId && t.kind === 'lift');
    return mine.length >= 2 ? mine : undefined;
  }, "Beijing's lift tasks");
  for (const t of beijingLifts)
    must(
      await call(`${urls.exchange}/v1/tasks/${t.taskId}/answer`, beijing, { outcome: 'acknowledged' }),
      'lift ack',
    );
  await until(async () => {
    const items = must(await call(`${urls.exchange}/v1/tasks?status=all`, operator), 'tasks').items;
    const applies = items.filter((t) => t.recordId === recordId && t.kind === 'apply');
    return applies.every((t) => t.status === 'lifted') ? true : undefined;
  }, 'the lifting');
  say(
    `  5. lifted      ${lifts.length + beijingLifts.length} lift task(s) acknowledged (procurement-bj, beijing-platform); every applied measure is lifted`,
  );
  if ((await check('6.')) !== 'clear') throw new Error('the check after the removal is not clear');
  await report('after');
  const stats = must(await call(`${urls.exchange}/v1/measures/statistics`, operator), 'statistics').items;
  say(`  statistics    GET /v1/measures/statistics:`);
  for (const r of stats.filter((x) => x.memorandumId === 'dishonest-debtors'))
    say(
      `                 ${r.measureId.padEnd(18)} ${r.implementerId.padEnd(16)} sent ${r.sent}, applied ${r.applied}, lifted ${r.lifted}, median to answer ${Math.round(r.answerSecondsMedian ?? 0)} s`,
    );
}

/** Reads topics from the beginning until `done` holds for what was decoded, or 30 s pass. */
async function readUntil(client, topics, decode, done) {
  const consumer = client.consumer({
    groupId: `demo-reader-${Date.now()}-${Math.random()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  const decoded = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      decoded.push(decode(message));
      if (done(decoded)) finish();
    },
  });
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  await consumer.disconnect();
  return decoded;
}

/** Polls `probe` until it returns something, for at most 15 s. */
async function waitFor(probe) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Reads every subscriber feed until each accepted record has reached at least one feed. */
async function readFeeds(brokers, accepted) {
  const client = new kafkajs.Kafka({
    clientId: 'demo-reader',
    brokers: [brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const consumer = client.consumer({
    groupId: `demo-reader-${Date.now()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  const feeds = new Map(subscribers.map((s) => [s, []]));
  await consumer.connect();
  await consumer.subscribe({ topics: subscribers.map((s) => Topics.feed(s)), fromBeginning: true });
  const seen = new Set();
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!isCreditEventType(message.headers.ce_type?.toString())) return; // a measure task: the story below
      const event = fromBinary(FeedEventSchema, message.value);
      feeds.get(event.subscriber)?.push(event);
      seen.add(event.record.source.sourceRecordId);
      if (accepted.every((id) => seen.has(id))) setTimeout(done, 1500); // let the other feeds catch up
    },
  });
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  await consumer.disconnect();
  return feeds;
}

main().catch(async (error) => {
  process.stderr.write(`demo failed: ${error.stack ?? error}\n`);
  await stopAll().catch(() => undefined);
  process.exit(1);
});
