// npm run bench [-- --events 20000] [--timeout 300]
// Throughput and latency of the exchange's ingest path (sector topics → PostgreSQL → feed topics, one
// Kafka transaction per batch) on real engines: its own Kafka broker (.stack/bench-exchange, port
// 39192), a fresh database cie_bench_exchange and the exchange alone on :3910. Once the exchange is
// ready, N mixed valid sector events (the six record types of the four sectors, companies and persons
// in Beijing, Shanghai and elsewhere, unique sourceRecordIds) are produced as fast as an idempotent
// kafkajs producer can (acks -1, batches of 500), each stamped with its send time (ce_time) and
// remembered by ce_id. A read_committed consumer reads every feed topic from the beginning and matches
// each feed message to its event by record.source.sourceRecordId:
//   records/s = N / (last feed arrival − first produce);  latency = feed arrival − event's send time
// (one sample per feed message), while the exchange's RSS is sampled from /proc.
// Baseline in the same run (the machines are noisy, so ratios are what to compare): a raw kafkajs
// consume → produce passthrough in its own Node process (this file with --passthrough-worker), with
// the exchange's transactional pattern (eachBatch, one transaction per batch: send + sendOffsets +
// commit, read_committed) but no database, fed the same N events through bench.passthrough.in (12
// partitions, as the four sector topics) to bench.passthrough.out, measured the same way.
// Exits 1 unless every event reached every feed the exchange recorded a delivery for
// (exchange.deliveries), at least one, exactly once, and every event came through the passthrough.
// Everything it started is stopped at the end, on errors and on Ctrl-C.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { memory, sampler } from './process-memory.mjs';

const NAME = 'bench-exchange';
const KAFKA_PORT = 39192;
const SERVICE_PORT = 3910;
const DATABASE = 'cie_bench_exchange';
const PASS_IN = 'bench.passthrough.in';
const PASS_OUT = 'bench.passthrough.out';
const PASS_IN_PARTITIONS = 12; // the four sector topics have 3 partitions each
const PRODUCE_BATCH = 500;
const WARM_UP = 500;

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
};

/** Wall-clock milliseconds with sub-millisecond resolution (comparable across processes). */
const now = () => performance.timeOrigin + performance.now();
const say = (line = '') => process.stdout.write(`${line}\n`);
const quiet = { write: () => true };

if (args.includes('--passthrough-worker')) await passthroughWorker();
else await benchMain();

// =============================================================================================
// The baseline's passthrough, in its own process: consume PASS_IN, produce to PASS_OUT with offsets
// in one transaction per batch, exactly as SectorEventsConsumer does, without the database.

async function passthroughWorker() {
  const { default: kafkajs } = await import('kafkajs');
  const client = new kafkajs.Kafka({
    clientId: 'bench-passthrough',
    brokers: [process.env.BENCH_BROKERS],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const group = 'bench-passthrough';
  const consumer = client.consumer({
    groupId: group,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    readUncommitted: false,
    allowAutoTopicCreation: false,
  });
  const producer = client.producer({
    transactionalId: 'bench-passthrough-tx',
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    process.exit(0);
  };
  process.on('message', (m) => m === 'stop' && stop());
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);

  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [PASS_IN], fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => process.send?.('ready'));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const last = batch.messages.at(-1);
      if (!last || !payload.isRunning() || payload.isStale()) return;
      const transaction = await producer.transaction();
      try {
        await transaction.send({
          topic: PASS_OUT,
          messages: batch.messages.map(({ key, value, headers }) => ({ key, value, headers })),
        });
        await transaction.sendOffsets({
          consumerGroupId: group,
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }],
            },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => {});
        throw error;
      }
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    },
  });
}

// =============================================================================================

async function benchMain() {
  const { DEFAULT_ROOT, startKafka, stopKafka } = await import('../stack/kafka.mjs');
  const { ensureDatabase } = await import('../stack/postgres.mjs');
  const { SERVICES, stackEnv, startService, stopServices } = await import('../stack/services.mjs');

  const N = Number(option('events') ?? 20_000);
  if (!Number.isInteger(N) || N < 10)
    throw new Error(`--events must be an integer >= 10, got ${option('events')}`);
  const TIMEOUT_MS = Number(option('timeout') ?? 300) * 1000;
  const STALL_MS = 60_000;

  const t0 = performance.now();
  const step = (line) =>
    process.stderr.write(`› [${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;

  // -------------------------------------------------------------------------------------------
  // Cleanup: stop exactly what this run started, once, whatever the way out.

  const clients = []; // kafkajs consumers/producers of this process, disconnected before Kafka stops
  let worker; // the passthrough process
  let stopping;
  function stopAll() {
    stopping ??= (async () => {
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        worker.kill('SIGTERM');
        const deadline = Date.now() + 10_000;
        while (worker.exitCode === null && worker.signalCode === null && Date.now() < deadline)
          await sleep(100);
        if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      }
      for (const c of clients) await c.disconnect().catch(() => {});
      await stopServices({ name: NAME }).catch((e) =>
        process.stderr.write(`bench: stopping the exchange: ${e.message}\n`),
      );
      await stopKafka({ name: NAME, log: quiet }).catch((e) =>
        process.stderr.write(`bench: stopping kafka: ${e.message}\n`),
      );
    })();
    return stopping;
  }
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ]) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping what it started\n`);
      stopAll().finally(() => process.exit(code));
    });
  }

  let code;
  try {
    code = await run();
  } catch (error) {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    code = 1;
  }
  step('stopping what the bench started');
  await stopAll();
  process.exit(code);

  // -------------------------------------------------------------------------------------------

  async function run() {
    const events = await loadEventFormat();
    const { default: kafkajs } = await import('kafkajs');
    const { default: pg } = await import('pg');
    await stopServices({ name: NAME }); // a crashed earlier run

    step(`starting Kafka 3.9 (.stack/${NAME}, 127.0.0.1:${KAFKA_PORT})`);
    const kafka = await startKafka({ name: NAME, port: KAFKA_PORT });
    step(`fresh database ${DATABASE}`);
    const databaseUrl = await ensureDatabase({ name: DATABASE, fresh: true });
    const env = stackEnv({ name: NAME, kafkaBrokers: kafka.brokers, databaseUrl });
    const exchangeService = SERVICES.find((s) => s.name === 'exchange');
    step(`starting the exchange on :${SERVICE_PORT} (log: .stack/${NAME}/exchange.log)`);
    const { pid } = await startService({ name: NAME, service: exchangeService, env, port: SERVICE_PORT });

    const client = new kafkajs.Kafka({
      clientId: 'bench-exchange',
      brokers: [kafka.brokers],
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const producer = client.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    clients.push(producer);
    await producer.connect();
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    clients.push({ disconnect: () => db.end() });

    // ---- the exchange ------------------------------------------------------------------------
    const feedTopics = events.subscribers.map((id) => events.Topics.feed(id));
    const dlqTopics = events.SECTORS.map((s) => events.Topics.deadLetters(events.Topics.sectorEvents(s)));
    let current; // the run whose events arriving messages are matched to
    const perFeed = new Map(feedTopics.map((t) => [t, 0]));
    const feeds = await startReader(
      kafkajs,
      client,
      `bench-feeds-${randomUUID()}`,
      [...feedTopics, ...dlqTopics],
      (topic, messages, at) => {
        if (!current) return;
        if (dlqTopics.includes(topic)) {
          for (const m of messages) {
            const ev = current.byCeId.get(m.headers?.ce_id?.toString());
            if (ev) {
              ev.deadLetter = m.headers?.dlq_reason?.toString() ?? 'dead-lettered';
              current.deadLettered++;
            }
          }
          return;
        }
        for (const m of messages) {
          const feed = events.decodeFeed(m.value);
          const ev = current.bySourceRecordId.get(feed.record?.source?.sourceRecordId);
          if (!ev) continue;
          perFeed.set(topic, perFeed.get(topic) + 1);
          if (ev.arrived === 0) current.reached++;
          ev.arrived++;
          current.latencies.push(at - ev.sentAt);
          current.lastArrival = Math.max(current.lastArrival, at);
          current.messages++;
        }
      },
    );
    clients.push(feeds);

    const expectedFromDb = async (prefix) => {
      const { rows } = await db.query(
        `SELECT r.source_record_id AS id, count(d.delivery_id)::int AS n FROM exchange.records r
           LEFT JOIN exchange.deliveries d USING (record_id) WHERE r.source_record_id LIKE $1 GROUP BY 1`,
        [`${prefix}-%`],
      );
      return new Map(rows.map((r) => [r.id, r.n]));
    };
    const processedInDb = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM exchange.processed_events`)).rows[0].n;

    /** Produces `n` events to the sector topics and waits until the exchange's feeds carry them all. */
    const exchangeRun = async (prefix, n, processedBefore) => {
      const list = events.make(prefix, n);
      current = newRun(list);
      const produced = await produce(producer, list, (ev) => events.Topics.sectorEvents(ev.sector));
      const deadline = now() + TIMEOUT_MS;
      let expected;
      let stalled = false;
      let progress = { at: now(), mark: '' };
      for (;;) {
        if (current.reached + current.deadLettered >= n && !expected) {
          // every event reached a feed (or a dead-letter topic): now learn how many feeds each should reach
          if ((await processedInDb()) >= processedBefore + n) expected = await expectedFromDb(prefix);
        } else if (!expected && (await processedInDb()) >= processedBefore + n) {
          expected = await expectedFromDb(prefix); // all processed, some routed nowhere
        }
        if (expected && list.every((ev) => ev.arrived >= (expected.get(ev.sourceRecordId) ?? 0))) break;
        if (now() > deadline) break;
        // Give up early when neither the feeds nor the database move for STALL_MS (e.g. a crashed consumer).
        const mark = `${current.messages}/${current.deadLettered}/${await processedInDb()}`;
        if (mark !== progress.mark) progress = { at: now(), mark };
        else if (now() - progress.at > STALL_MS) {
          stalled = true;
          break;
        }
        await sleep(expected ? 50 : 200);
      }
      await sleep(500); // any duplicate would show up here
      expected ??= await expectedFromDb(prefix);
      const missing = list.filter((ev) => ev.arrived < (expected.get(ev.sourceRecordId) ?? 0));
      const unstored = list.filter((ev) => !expected.has(ev.sourceRecordId));
      const unrouted = list.filter((ev) => expected.get(ev.sourceRecordId) === 0);
      const duplicated = list.filter((ev) => ev.arrived > (expected.get(ev.sourceRecordId) ?? 0));
      const expectedTotal = [...expected.values()].reduce((a, b) => a + b, 0);
      return {
        ...summarise(current, produced),
        list,
        missing,
        unstored,
        unrouted,
        duplicated,
        expectedTotal,
        stalled,
        timedOut: !stalled && missing.length > 0,
      };
    };

    step(`warm-up: ${WARM_UP} events through the exchange`);
    const warm = await exchangeRun('WARM', WARM_UP, 0);
    if (warm.missing.length || warm.unrouted.length)
      throw new Error(
        `warm-up: ${warm.missing.length} events missing on a feed, ${warm.unrouted.length} routed nowhere, ${warm.deadLettered} dead-lettered (${warm.list.find((e) => e.deadLetter)?.deadLetter ?? ''})`,
      );
    await sleep(2000);
    for (const t of feedTopics) perFeed.set(t, 0);
    const idle = memory(pid).rss;
    step(`idle RSS ${mb(idle)}; producing ${N} events to the four sector topics`);
    const rss = sampler(pid);
    const ex = await exchangeRun('EXB', N, WARM_UP);
    const sampled = rss.stop();
    const hwm = memory(pid).hwm;
    step(
      `exchange: ${ex.reached}/${N} events on a feed, ${ex.messages} feed messages (expected ${ex.expectedTotal}) in ${ex.seconds.toFixed(1)} s`,
    );
    current = undefined;
    step('stopping the exchange before the baseline');
    await stopServices({ name: NAME });

    // ---- the baseline: passthrough -----------------------------------------------------------
    step(`baseline: passthrough ${PASS_IN} → ${PASS_OUT} in its own process`);
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: PASS_IN, numPartitions: PASS_IN_PARTITIONS, replicationFactor: 1 },
        { topic: PASS_OUT, numPartitions: 3, replicationFactor: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    let pass;
    const outReader = await startReader(
      kafkajs,
      client,
      `bench-pass-out-${randomUUID()}`,
      [PASS_OUT],
      (_t, messages, at) => {
        if (!pass) return;
        for (const m of messages) {
          const ev = pass.byCeId.get(m.headers?.ce_id?.toString());
          if (!ev) continue;
          if (ev.arrived === 0) pass.reached++;
          ev.arrived++;
          pass.latencies.push(at - ev.sentAt);
          pass.lastArrival = Math.max(pass.lastArrival, at);
          pass.messages++;
        }
      },
    );
    clients.push(outReader);
    worker = fork(fileURLToPath(import.meta.url), ['--passthrough-worker'], {
      env: { ...process.env, BENCH_BROKERS: kafka.brokers },
      execArgv: ['--disable-warning=TimeoutNegativeWarning'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await Promise.race([
      new Promise((resolve) => worker.once('message', resolve)),
      new Promise((_, reject) =>
        worker.once('exit', (c) => reject(new Error(`passthrough exited with ${c}`))),
      ),
      sleep(60_000).then(() => Promise.reject(new Error('passthrough not in its group within 60 s'))),
    ]);
    const passRun = async (prefix, n) => {
      const list = events.make(prefix, n);
      pass = newRun(list);
      const produced = await produce(producer, list, () => PASS_IN);
      const deadline = now() + TIMEOUT_MS;
      while (pass.reached < n && now() < deadline) await sleep(50);
      await sleep(500);
      return { ...summarise(pass, produced), list, missing: list.filter((e) => e.arrived === 0) };
    };
    step(`baseline warm-up: ${WARM_UP} events`);
    await passRun('PWARM', WARM_UP);
    await sleep(2000);
    const passIdle = memory(worker.pid).rss;
    step(`baseline: ${N} events`);
    const passRss = sampler(worker.pid);
    const base = await passRun('PASS', N);
    const passSampled = passRss.stop();
    const passHwm = memory(worker.pid).hwm;
    step(`baseline: ${base.reached}/${N} events through in ${base.seconds.toFixed(1)} s`);

    // ---- report ------------------------------------------------------------------------------
    const ms = (x) => `${x.toFixed(0)} ms`;
    say('');
    say(
      `Exchange ingest benchmark: sector topics → exchange (PostgreSQL + Kafka transaction) → feeds, Node ${process.versions.node}`,
    );
    say(`  events             ${N} (${events.mixDescription(ex.list)})`);
    say(
      `  produced in        ${ex.produceSeconds.toFixed(2)} s (idempotent producer, acks -1, batches of ${PRODUCE_BATCH})`,
    );
    say(`  first produce → last feed arrival  ${ex.seconds.toFixed(2)} s`);
    const incomplete =
      ex.reached < N
        ? `  INCOMPLETE: only ${ex.reached} events arrived (${ex.stalled ? `no progress for ${STALL_MS / 1000} s` : 'timed out'})`
        : '';
    say(`  records/s          ${ex.perSecond.toFixed(0)}${incomplete}`);
    say(
      `  latency p50 / p99  ${ms(ex.p50)} / ${ms(ex.p99)} (feed arrival − event send time, per feed message; max ${ms(ex.max)})`,
    );
    say(`  feed messages      ${ex.messages} arrived, ${ex.expectedTotal} recorded in exchange.deliveries`);
    say(
      `  per feed           ${[...perFeed].map(([t, c]) => `${t.replace(/^credit\.feed\.|\.v1$/g, '')} ${c}`).join(', ')}`,
    );
    say(
      `  events             ${ex.reached} on >= 1 feed, ${ex.missing.length} missing a feed, ${ex.unstored.length} not stored, ${ex.unrouted.length} routed nowhere, ${ex.duplicated.length} duplicated, ${ex.deadLettered} dead-lettered`,
    );
    say(
      `  exchange RSS       idle ${mb(idle)}, max sampled ${mb(sampled.max)} (${sampled.samples} samples every 200 ms), peak (VmHWM) ${mb(hwm)}`,
    );
    say(
      `Baseline: kafkajs consume → produce passthrough (transaction + sendOffsets per batch, read_committed, no database), own process, same broker`,
    );
    say(
      `  ${N} events in ${base.seconds.toFixed(2)} s = ${base.perSecond.toFixed(0)} records/s, latency p50 / p99 ${ms(base.p50)} / ${ms(base.p99)}, ${base.reached}/${N} through`,
    );
    say(
      `  passthrough RSS    idle ${mb(passIdle)}, max sampled ${mb(passSampled.max)}, peak (VmHWM) ${mb(passHwm)}`,
    );
    say(
      `  exchange / passthrough: records/s ${(ex.perSecond / base.perSecond).toFixed(3)}, latency p50 ×${(ex.p50 / base.p50).toFixed(1)}, p99 ×${(ex.p99 / base.p99).toFixed(1)}`,
    );

    const failures = [];
    if (ex.missing.length)
      failures.push(
        `${ex.missing.length} events did not reach every feed they were delivered to (e.g. ${ex.missing
          .slice(0, 3)
          .map((e) => e.sourceRecordId)
          .join(', ')})`,
      );
    if (ex.unstored.length) failures.push(`${ex.unstored.length} events were never stored by the exchange`);
    if (ex.unrouted.length)
      failures.push(
        `${ex.unrouted.length} events reached no feed (e.g. ${ex.unrouted
          .slice(0, 3)
          .map((e) => `${e.sourceRecordId}${e.deadLetter ? `: ${e.deadLetter}` : ''}`)
          .join('; ')})`,
      );
    if (ex.duplicated.length)
      failures.push(`${ex.duplicated.length} events arrived more often than delivered`);
    if (base.missing.length)
      failures.push(`${base.missing.length} events did not come through the passthrough`);
    for (const f of failures) say(`FAILED: ${f}`);
    if (failures.length) {
      const log = `${DEFAULT_ROOT}/.stack/${NAME}/exchange.log`;
      const lastError = fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"level":"error"'))
        .at(-1);
      if (lastError) say(`  last error in ${log}: ${JSON.parse(lastError).message.slice(0, 300)}`);
    }
    return failures.length ? 1 : 0;
  }

  // -------------------------------------------------------------------------------------------

  function newRun(list) {
    return {
      byCeId: new Map(list.map((e) => [e.ceId, e])),
      bySourceRecordId: new Map(list.map((e) => [e.sourceRecordId, e])),
      latencies: [],
      reached: 0,
      messages: 0,
      deadLettered: 0,
      lastArrival: 0,
    };
  }

  function summarise(r, produced) {
    const sorted = Float64Array.from(r.latencies).sort();
    const q = (p) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN;
    const seconds = (r.lastArrival - produced.firstSend) / 1000;
    return {
      reached: r.reached,
      messages: r.messages,
      deadLettered: r.deadLettered,
      produceSeconds: (produced.done - produced.firstSend) / 1000,
      seconds,
      perSecond: r.reached / seconds,
      p50: q(0.5),
      p99: q(0.99),
      max: sorted.at(-1) ?? NaN,
    };
  }

  /** Sends the events in batches of PRODUCE_BATCH, each event stamped (ce_time, sentAt) just before its batch goes. */
  async function produce(producer, list, topicOf) {
    let firstSend;
    for (let i = 0; i < list.length; i += PRODUCE_BATCH) {
      const batch = list.slice(i, i + PRODUCE_BATCH);
      const sentAt = now();
      firstSend ??= sentAt;
      const byTopic = new Map();
      for (const ev of batch) {
        ev.sentAt = sentAt;
        ev.arrived = 0;
        const topic = topicOf(ev);
        if (!byTopic.has(topic)) byTopic.set(topic, []);
        byTopic.get(topic).push({ key: ev.key, value: ev.value, headers: ev.headers(new Date(sentAt)) });
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    }
    return { firstSend, done: now() };
  }
}

/** A read_committed consumer from the beginning; `onBatch(topic, messages, arrivalTime)`; resolves once in its group. */
async function startReader(kafkajs, client, groupId, topics, onBatch) {
  const consumer = client.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => onBatch(batch.topic, batch.messages, now()),
  });
  await Promise.race([
    joined,
    sleep(60_000).then(() => Promise.reject(new Error(`${groupId} not in its group within 60 s`))),
  ]);
  return consumer;
}

// =============================================================================================
// Events: valid sector events as the sector services publish them (protobuf + CloudEvents headers).

async function loadEventFormat() {
  const { create, toBinary, fromBinary } = await import('@bufbuild/protobuf');
  const c = await import('@cie/contracts');
  await import('reflect-metadata'); // @cie/platform's config classes are decorated as they load
  const { cloudEventHeaders } = await import('@cie/platform');
  const { usccCheckCharacter, checkUscc, checkResidentId } = await import('@cie/identifiers');
  const subscribersFile = new URL('../../deploy/local/subscribers.demo.json', import.meta.url);
  const subscribers = JSON.parse(fs.readFileSync(subscribersFile, 'utf8')).subscribers.map((s) => s.id);

  // Subjects: companies and persons in Beijing, Shanghai and elsewhere (Jiangsu, Guangdong).
  const REGIONS = {
    beijing: ['110105', '110108'],
    shanghai: ['310115', '310104'],
    other: ['320102', '440305'],
  };
  const residentCheck = (first17) => {
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0);
    return '10X98765432'[sum % 11];
  };
  const pools = {};
  for (const [area, codes] of Object.entries(REGIONS)) {
    pools[area] = { company: [], person: [] };
    for (const [r, region] of codes.entries()) {
      for (let k = 0; k < 8; k++) {
        const first17 = `91${region}MA01C${String(k).padStart(2, '0')}${'KLMN'[r]}${'KLMN'[r + 1]}`;
        const uscc = first17 + usccCheckCharacter(first17);
        if (!checkUscc(uscc).valid) throw new Error(`bench: generated USCC ${uscc} is invalid`);
        pools[area].company.push({
          kind: c.SubjectKind.LEGAL_ENTITY,
          idNumber: uscc,
          name: `测试${area}企业${region}${k}有限公司`,
        });
        const p17 =
          `${region}1975${String(1 + k).padStart(2, '0')}1${k}${String(100 + k * 7).padStart(3, '0')}`.slice(
            0,
            17,
          );
        const rid = p17 + residentCheck(p17);
        const check = checkResidentId(rid);
        if (!check.valid) throw new Error(`bench: generated resident id ${rid} is invalid: ${check.reason}`);
        pools[area].person.push({ kind: c.SubjectKind.NATURAL_PERSON, idNumber: rid, name: `测试人${k}` });
      }
    }
  }

  const DATE = '2026-06-20';
  const source = (sector, agencyId, sourceRecordId, decisionNumber, authority) => ({
    sector,
    agencyId,
    sourceRecordId,
    decisionNumber,
    decidingAuthority: authority,
    decisionDate: DATE,
  });
  const ratings = {
    // A is public; B/M (positive/neutral, authorised) reach only the subject's own region's platform.
    local: [
      c.TaxCreditLevel.A,
      c.TaxCreditLevel.B,
      c.TaxCreditLevel.M,
      c.TaxCreditLevel.C,
      c.TaxCreditLevel.D,
    ],
    other: [c.TaxCreditLevel.A, c.TaxCreditLevel.C, c.TaxCreditLevel.D],
  };

  // The six record types the exchange maps. `persons`: which areas a person may be in so that the
  // record reaches at least one feed (a non-public person record outside Beijing/Shanghai reaches only
  // the procurement regulator, which takes courts and tax).
  const TYPES = [
    {
      kind: 'courts.dishonest_debtor',
      sector: 'courts',
      agencyId: 'court-bj-chaoyang',
      schema: c.DishonestDebtorEventSchema,
      persons: ['beijing', 'shanghai', 'other'],
      build: (srid, subject, i) => ({
        source: source(
          'courts',
          'court-bj-chaoyang',
          srid,
          `(2026)京0105执${(i % 99_999) + 1}号`,
          '北京市朝阳区人民法院',
        ),
        subject,
        obligation: '支付工程款',
        performanceStatus: c.PerformanceStatus.NOT_PERFORMED,
        outstandingAmount: `${1000 + (i % 900_000)}.50`,
      }),
    },
    {
      kind: 'courts.consumption_restriction',
      sector: 'courts',
      agencyId: 'court-sh-pudong',
      schema: c.ConsumptionRestrictionEventSchema,
      persons: ['beijing', 'shanghai', 'other'],
      build: (srid, subject, i) => ({
        source: source(
          'courts',
          'court-sh-pudong',
          srid,
          `(2026)沪0115执${(i % 99_999) + 1}号`,
          '上海市浦东新区人民法院',
        ),
        subject,
        restrictedMeasures: [c.RestrictedMeasure.AIR_TRAVEL, c.RestrictedMeasure.HIGH_SPEED_RAIL_FIRST_CLASS],
        legalRepresentative: subject.kind === c.SubjectKind.NATURAL_PERSON ? '' : '王建国',
        outstandingAmount: '386420.5',
        enforcementBasis: '(2025)沪0115民初20456号民事判决书',
      }),
    },
    {
      kind: 'tax.major_violation',
      sector: 'tax',
      agencyId: 'tax-bj-jicha1',
      schema: c.MajorViolationEventSchema,
      persons: ['beijing', 'shanghai', 'other'],
      build: (srid, subject) => ({
        source: source(
          'tax',
          'tax-bj-jicha1',
          srid,
          '京税稽罚〔2026〕118号',
          '国家税务总局北京市税务局第一稽查局',
        ),
        subject,
        violationType: c.MajorViolationType.TAX_EVASION,
        facts: '通过在账簿上少列收入、虚增成本的手段，少缴增值税、企业所得税等税款合计1863427.15元',
        taxAmountInvolved: '1863427.15',
        penaltyAmount: '931713.58',
        violationPeriodFrom: '2022-01-01',
        violationPeriodTo: '2024-12-31',
        legalRepresentative: subject.kind === c.SubjectKind.NATURAL_PERSON ? '' : '刘志强',
      }),
    },
    {
      kind: 'tax.credit_rating',
      sector: 'tax',
      agencyId: 'tax-sh-pudong',
      schema: c.CreditRatingEventSchema,
      persons: [], // legal entities and others only
      build: (srid, subject, i, area) => {
        const list = area === 'other' ? ratings.other : ratings.local;
        return {
          source: source(
            'tax',
            'tax-sh-pudong',
            srid,
            '沪浦税信评〔2026〕3号',
            '国家税务总局上海市浦东新区税务局',
          ),
          subject,
          rating: list[Math.floor(i / 6) % list.length],
          evaluationYear: '2025',
        };
      },
    },
    {
      kind: 'procurement.supplier_misconduct',
      sector: 'procurement',
      agencyId: 'finance-bj-haidian',
      schema: c.SupplierMisconductEventSchema,
      persons: ['beijing', 'shanghai'],
      build: (srid, subject) => ({
        source: source(
          'procurement',
          'finance-bj-haidian',
          srid,
          '海财采监〔2026〕12号',
          '北京市海淀区财政局',
        ),
        subject,
        misconduct: c.SupplierMisconductType.FALSE_MATERIALS,
        facts: '投标中提供虚假的类似项目业绩合同，谋取中标',
        fineAmount: '18600.00',
        banFrom: DATE,
        banUntil: '2027-06-19',
        project: { number: 'HDCG2026-0112', name: '海淀区中小学智慧教室设备采购项目' },
        purchaser: { name: '北京市海淀区教育委员会' },
      }),
    },
    {
      kind: 'ecommerce.platform_violation',
      sector: 'ecommerce',
      agencyId: 'amr-sh-xuhui',
      schema: c.PlatformViolationEventSchema,
      persons: ['beijing', 'shanghai'],
      build: (srid, subject) => ({
        source: source(
          'ecommerce',
          'amr-sh-xuhui',
          srid,
          '沪市监徐处〔2026〕87号',
          '上海市徐汇区市场监督管理局',
        ),
        subject,
        violation: c.PlatformViolationType.FAKE_REVIEWS,
        facts: '通过组织虚假交易（刷单）为其店铺商品制造好评3126条，欺骗、误导消费者',
        authorityKind: c.DecidingAuthorityKind.MARKET_REGULATOR,
        platform: { id: 'tmall', name: '天猫' },
        shop: { id: '68420193', name: '优品汇家居旗舰店' },
        actionsTaken: [c.PlatformAction.FINE, c.PlatformAction.LISTING_REMOVAL],
        fineAmount: '200000.00',
      }),
    },
  ];
  const AREAS = ['beijing', 'shanghai', 'other'];

  /** Event i of a run: type i mod 6, area (i / 6) mod 3, a person for one in three when allowed. */
  function make(prefix, n) {
    const list = new Array(n);
    for (let i = 0; i < n; i++) {
      const type = TYPES[i % TYPES.length];
      const area = AREAS[Math.floor(i / TYPES.length) % AREAS.length];
      const person = Math.floor(i / (TYPES.length * AREAS.length)) % 3 === 0 && type.persons.includes(area);
      const pool = pools[area][person ? 'person' : 'company'];
      const subject = pool[Math.floor(i / 54) % pool.length];
      const sourceRecordId = `${prefix}-${String(i).padStart(7, '0')}`;
      const event = create(type.schema, type.build(sourceRecordId, { ...subject }, i, area));
      const ceId = randomUUID();
      list[i] = {
        kind: type.kind,
        sector: type.sector,
        area,
        person,
        sourceRecordId,
        ceId,
        key: subject.idNumber,
        value: Buffer.from(toBinary(type.schema, event)),
        headers: (time) =>
          cloudEventHeaders({
            id: ceId,
            source: `/sectors/${type.sector}/agencies/${type.agencyId}`,
            type: c.CreditEventType.published,
            time,
            subject: subject.idNumber,
            dataschema: type.schema.typeName,
          }),
        sentAt: 0,
        arrived: 0,
      };
    }
    return list;
  }

  function mixDescription(list) {
    const count = (f) => list.filter(f).length;
    const sectors = c.SECTORS.map((s) => `${s} ${count((e) => e.sector === s)}`).join(', ');
    const areas = AREAS.map((a) => `${a} ${count((e) => e.area === a)}`).join(', ');
    return `${sectors}; ${areas}; persons ${count((e) => e.person)}; 6 record types`;
  }

  return {
    make,
    mixDescription,
    subscribers,
    Topics: c.Topics,
    SECTORS: c.SECTORS,
    decodeFeed: (value) => fromBinary(c.FeedEventSchema, value),
  };
}
