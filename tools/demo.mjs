// npm run demo [-- --once]
// The whole stack on real engines: Kafka (KRaft, Maven Central jars), PostgreSQL, the exchange and
// the courts service; demo traffic through the courts API; a summary of what each subscriber's feed
// holds, read back with a Kafka consumer. Without --once it keeps running until Ctrl-C.
import { execFileSync } from 'node:child_process';
import { fromBinary } from '@bufbuild/protobuf';
import { FeedEventSchema, Topics } from '@cie/contracts';
import { usccCheckCharacter } from '@cie/identifiers';
import kafkajs from 'kafkajs';
import { DEFAULT_ROOT, startKafka, stopKafka } from './stack/kafka.mjs';
import { ensureDatabase } from './stack/postgres.mjs';
import { SERVICES, stackEnv, startService, stopServices } from './stack/services.mjs';

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
};
const debtorRecord = (sourceRecordId, caseNumber, court, debtor, amount) => ({
  sourceRecordId,
  caseNumber,
  court,
  debtor,
  obligation: `支付欠款人民币${amount}元及迟延履行期间的债务利息`,
  performanceStatus: 'not_performed',
  outstandingAmount: amount,
  decisionDate: '2025-09-18',
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

async function stopAll() {
  await stopServices({ name: NAME });
  await stopKafka({ name: NAME, log: { write: () => true } });
}

async function main() {
  step('building the services (nx, cached)');
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], {
    cwd: DEFAULT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await stopServices({ name: NAME });
  step('starting Kafka 3.9 (KRaft) from the Maven Central jars');
  const kafka = await startKafka({ name: NAME, port: 19092 });
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase({ name: 'cie_demo', fresh: true }));
  const env = stackEnv({ name: NAME, kafkaBrokers: kafka.brokers, databaseUrl });
  const urls = {};
  for (const service of SERVICES) {
    step(`starting ${service.name} on :${service.port}`);
    urls[service.name] = (await startService({ name: NAME, service, env })).url;
  }

  say(`\nSubmitted to the courts service (POST ${urls.courts}/v1/records)`);
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
    say(`  ${response.status}  ${body.sourceRecordId.padEnd(15)} ${why}  [${body.debtor.name}]`);
  }

  const accepted = outcomes.filter((o) => o.status === 202).map((o) => o.body.sourceRecordId);
  const feeds = await readFeeds(kafka.brokers, accepted);
  say('\nDelivered (read back from each feed by a read_committed Kafka consumer)');
  for (const subscriber of subscribers) {
    const events = feeds.get(subscriber) ?? [];
    say(`  ${Topics.feed(subscriber)}  ${events.length} record(s)`);
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

  say('\nRefused (nothing was published for these)');
  for (const o of outcomes.filter((x) => x.status !== 202)) {
    say(
      `  ${o.body.sourceRecordId.padEnd(15)} ${o.status} ${o.answer.title}: ${o.answer.errors ? o.answer.errors.map((e) => `${e.field} ${e.detail}`).join('; ') : o.answer.detail}`,
    );
  }

  if (once) {
    await stopAll();
    say('\nStack stopped (--once).');
    return;
  }
  say(`\nThe stack keeps running:
  exchange  ${urls.exchange}   health: ${urls.exchange}/health/live  ${urls.exchange}/health/ready
  courts    ${urls.courts}   POST /v1/records with Authorization: Bearer ${KEYS.chaoyang}
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
