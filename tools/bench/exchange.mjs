// npm run bench [-- --events 20000] [--rate 1000 --warmup 10 --window 60] [--soak [--soak-minutes 20]] [--cpu-prof]
//   [--platformatic]
// Throughput, latency, memory and CPU of the exchange's ingest path (sector topics → PostgreSQL →
// feed topics, one Kafka transaction per batch) on real engines: its own Kafka broker
// (.stack/bench-exchange, port 27192), a fresh database cie_bench_exchange and the exchange alone on
// :3910, each figure against a baseline measured in the same run (the machines are noisy: compare
// ratios). Baselines, in their own Node process (this file with --passthrough-worker): a kafkajs
// consume → produce passthrough with the exchange's transactional pattern (eachBatch, one
// transaction per batch: send + sendOffsets + commit, read_committed, the same retry settings) but no
// database, reading bench.passthrough.in (12 partitions, as the four sector topics); and the same
// passthrough fan-out-matched: it writes as many messages per input as the exchange wrote in its
// warm-up (feed messages + outcomes, ~3.3), each event telling it how many copies (bench_copies);
// and with --platformatic, for the issue's client spike, the plain passthrough written with
// @platformatic/kafka (its own input topic and group, one transaction per partition's messages),
// printed beside kafkajs'.
//
// 1. Throughput: three interleaved pairs A B B A B A (A the exchange, B the passthrough, each B
//    followed by the fan-out-matched run, and the @platformatic/kafka one with --platformatic), each
//    on a fresh backlog of N events produced as fast as an idempotent producer can (acks -1, batches
//    of 500); records/s = N / (last arrival − first produce); the median of the three pair ratios.
// 2. Latency, open loop: events sent on a schedule at a fixed rate (--rate, default 1000/s, then half
//    the exchange's measured maximum), latency measured from each event's scheduled time (no
//    coordinated omission), --warmup seconds not counted, then a --window; p50/p99/p99.9 per feed
//    message, for the exchange and the passthrough at the same rate.
// 3. Memory: the exchange's RSS sampled every 200 ms from /proc; --soak runs --soak-minutes (20) at
//    70 % of the maximum and reports RSS growth, lag, lost and duplicated.
// 4. CPU µs per record of each process from /proc: the exchange (or passthrough), its PostgreSQL
//    backends (pg_stat_activity pids), the broker, the benchmark itself.
// A read_committed consumer reads every feed topic and matches each feed message to its event by
// record.source.sourceRecordId. Exits 1 unless every event reached every feed the exchange recorded
// a delivery for (exchange.deliveries), at least one, exactly once, and every passthrough event came
// through as often as it should. The last line is HEADLINE with the ratios. Everything it started is
// stopped at the end, on errors and on Ctrl-C.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cpuLine, cpuMeter } from './process-cpu.mjs';
import { memory, sampler } from './process-memory.mjs';

const NAME = 'bench-exchange';
const KAFKA_PORT = 27192;
const SERVICE_PORT = 3910;
const DATABASE = 'cie_bench_exchange';
const PASS_IN = 'bench.passthrough.in';
/** The input of the same passthrough written with @platformatic/kafka (the client spike). */
const PASS_IN_PLATFORMATIC = 'bench.passthrough-platformatic.in';
const PASS_OUT = 'bench.passthrough.out';
const PASS_IN_PARTITIONS = 12; // the four sector topics have 3 partitions each
const PRODUCE_BATCH = 500;
const WARM_UP = 500;
/** The retry settings of the exchange's transactional producer (SectorEventsConsumer), for the baseline too. */
const RETRY = { initialRetryTime: 25, retries: 12 };

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
};
const numberOption = (name, fallback, min) => {
  const raw = option(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`--${name} must be a number >= ${min}, got ${raw}`);
  return value;
};

/** Wall-clock milliseconds with sub-millisecond resolution (comparable across processes). */
const now = () => performance.timeOrigin + performance.now();
const say = (line = '') => process.stdout.write(`${line}\n`);
const quiet = { write: () => true };

/** The exchange's consumer fetch settings by default (services/exchange/src/exchange.config.ts). */
const FETCH_DEFAULTS = {
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: '262144',
  KAFKA_FETCH_MAX_BYTES: '2097152',
  KAFKA_FETCH_MIN_BYTES: '1',
  KAFKA_FETCH_MAX_WAIT_MS: '5000',
};

if (args.includes('--passthrough-worker') && args.includes('--platformatic')) await platformaticWorker();
else if (args.includes('--passthrough-worker')) await passthroughWorker();
else await benchMain();

// =============================================================================================
// The baseline's passthrough, in its own process: consume PASS_IN, produce to PASS_OUT with offsets
// in one transaction per batch, exactly as SectorEventsConsumer does, without the database. An
// event with a bench_copies header is written that many times (the fan-out-matched baseline).

async function passthroughWorker() {
  const { default: kafkajs } = await import('kafkajs');
  const client = new kafkajs.Kafka({
    clientId: 'bench-passthrough',
    brokers: [process.env.BENCH_BROKERS],
    logLevel: kafkajs.logLevel.NOTHING,
    retry: JSON.parse(process.env.BENCH_RETRY),
  });
  const group = 'bench-passthrough';
  const consumer = client.consumer({
    groupId: group,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    ...JSON.parse(process.env.BENCH_FETCH ?? '{}'),
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
      const messages = batch.messages.flatMap(({ key, value, headers }) =>
        Array.from({ length: Number(headers?.bench_copies?.toString() ?? 1) }, () => ({
          key,
          value,
          headers,
        })),
      );
      const transaction = await producer.transaction();
      try {
        // In requests under 512 kB, as the exchange sends its outputs.
        for (let i = 0, size = 0, from = 0; i <= messages.length; i++) {
          const bytes = i < messages.length ? messages[i].value.length + 200 : Infinity;
          if (i > from && (size + bytes > 512 * 1024 || i === messages.length)) {
            await transaction.send({ topic: PASS_OUT, messages: messages.slice(from, i) });
            from = i;
            size = 0;
          }
          size += bytes;
        }
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

// The same passthrough with @platformatic/kafka (the issue's client spike, baseline only): its
// consumer is a stream of messages, so each partition's messages read since the last transaction
// make one transaction (send, the consumer's offset, commit), as kafkajs' eachBatch does.
async function platformaticWorker() {
  const { Consumer, Producer, MessagesStreamModes, MessagesStreamFallbackModes, FetchIsolationLevels } =
    await import('@platformatic/kafka');
  const bootstrapBrokers = [process.env.BENCH_BROKERS];
  const fetchSettings = JSON.parse(process.env.BENCH_FETCH ?? '{}');
  const consumer = new Consumer({
    clientId: 'bench-passthrough-platformatic',
    groupId: 'bench-passthrough-platformatic',
    bootstrapBrokers,
    autocommit: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    ...(fetchSettings.maxBytes && { maxBytes: fetchSettings.maxBytes }),
  });
  const producer = new Producer({
    clientId: 'bench-passthrough-platformatic',
    bootstrapBrokers,
    idempotent: true,
    transactionalId: 'bench-passthrough-platformatic-tx',
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await consumer.close(true).catch(() => {});
    await producer.close().catch(() => {});
    process.exit(0);
  };
  process.on('message', (m) => m === 'stop' && stop());
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);

  const stream = await consumer.consume({
    topics: [PASS_IN_PLATFORMATIC],
    mode: MessagesStreamModes.COMMITTED,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
  });
  const queue = [];
  let wake;
  stream.on('data', (message) => {
    queue.push(message);
    wake?.();
  });
  stream.on('error', (error) => {
    process.stderr.write(`platformatic passthrough: ${error.stack ?? error}\n`);
    process.exit(1);
  });
  process.send?.('ready');
  const copiesOf = (headers) => {
    for (const [k, v] of headers ?? []) if (k.toString() === 'bench_copies') return Number(v.toString());
    return 1;
  };
  while (!stopping) {
    if (queue.length === 0) await new Promise((resolve) => (wake = resolve));
    wake = undefined;
    const byPartition = new Map();
    for (const m of queue.splice(0))
      byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m]);
    for (const list of byPartition.values()) {
      const messages = list.flatMap(({ key, value, headers }) =>
        Array.from({ length: copiesOf(headers) }, () => ({ topic: PASS_OUT, key, value, headers })),
      );
      const transaction = await producer.beginTransaction();
      try {
        // In requests under 512 kB, as the exchange sends its outputs.
        for (let i = 0, size = 0, from = 0; i <= messages.length; i++) {
          const bytes = i < messages.length ? messages[i].value.length + 200 : Infinity;
          if (i > from && (size + bytes > 512 * 1024 || i === messages.length)) {
            await transaction.send({ messages: messages.slice(from, i) });
            from = i;
            size = 0;
          }
          size += bytes;
        }
        await transaction.addConsumer(consumer);
        await transaction.addOffset(list.at(-1));
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => {});
        throw error;
      }
    }
  }
}

// =============================================================================================

async function benchMain() {
  const { DEFAULT_ROOT, startKafka, stopKafka } = await import('../stack/kafka.mjs');
  const { ensureDatabase } = await import('../stack/postgres.mjs');
  const { SERVICES, stackEnv, startService, stopServices } = await import('../stack/services.mjs');

  const N = numberOption('events', 20_000, 10);
  const TIMEOUT_MS = numberOption('timeout', 300, 1) * 1000;
  const RATE = numberOption('rate', 1000, 1);
  const WARMUP_S = numberOption('warmup', 10, 0);
  const WINDOW_S = numberOption('window', 60, 0.5);
  const SOAK = args.includes('--soak');
  /** The client spike: the plain passthrough with @platformatic/kafka too, printed beside kafkajs'. */
  const SPIKE = args.includes('--platformatic');
  const RUNS = SPIKE ? 12 : 9;
  const SOAK_MINUTES = numberOption('soak-minutes', 20, 0.1);
  const STALL_MS = 60_000;

  const t0 = performance.now();
  const step = (line) =>
    process.stderr.write(`› [${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
  const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : 'n/a');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  // -------------------------------------------------------------------------------------------
  // Cleanup: stop exactly what this run started, once, whatever the way out.

  const clients = []; // kafkajs consumers/producers of this process, disconnected before Kafka stops
  let worker; // the passthrough process
  let platformatic; // the same passthrough with @platformatic/kafka
  let stopping;
  function stopAll() {
    stopping ??= (async () => {
      for (const w of [worker, platformatic]) {
        if (!w || w.exitCode !== null || w.signalCode !== null) continue;
        w.kill('SIGTERM');
        const deadline = Date.now() + 10_000;
        while (w.exitCode === null && w.signalCode === null && Date.now() < deadline) await sleep(100);
        if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
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
    // The exchange's fetch settings (its config's defaults, or as given in the environment), stated so
    // that the passthrough uses them too.
    for (const [setting, byDefault] of Object.entries(FETCH_DEFAULTS))
      env[setting] = process.env[setting] ?? byDefault;
    // --cpu-prof: the exchange writes a V8 CPU profile into .stack/bench-exchange/ when it stops.
    if (args.includes('--cpu-prof'))
      env.NODE_OPTIONS = [
        process.env.NODE_OPTIONS,
        `--cpu-prof --cpu-prof-dir=${DEFAULT_ROOT}/.stack/${NAME}`,
      ]
        .filter(Boolean)
        .join(' ');
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

    /** The PostgreSQL backends serving the exchange (not this benchmark's own connection). */
    const backends = async () =>
      (
        await db.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
      ).rows.map((r) => r.pid);
    const meterExchange = () =>
      cpuMeter(async () => ({ exchange: [pid], postgres: await backends(), broker: [kafka.pid] }));
    const meterPassthrough = (w = worker) =>
      cpuMeter(async () => ({ passthrough: [w.pid], broker: [kafka.pid] }));

    // ---- the exchange's readers ----------------------------------------------------------------
    const feedTopics = events.subscribers.map((id) => events.Topics.feed(id));
    const dlqTopics = events.SECTORS.map((s) => events.Topics.deadLetters(events.Topics.sectorEvents(s)));
    let current; // the exchange run whose events arriving messages are matched to
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
          // Feeds also carry measure tasks (credit.measure.task): the bench counts record events.
          if (!events.isRecordEvent(m.headers?.ce_type?.toString())) continue;
          const feed = events.decodeFeed(m.value);
          const ev = current.bySourceRecordId.get(feed.record?.source?.sourceRecordId);
          if (!ev) continue;
          arrive(current, ev, at);
          perFeed.set(topic, perFeed.get(topic) + 1);
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

    /**
     * Sends `list` to the sector topics with `send` (a backlog or a schedule) and waits until the
     * exchange's feeds carry every event as often as exchange.deliveries says.
     */
    const exchangeRun = async (prefix, list, send, windowFrom = 0) => {
      const n = list.length;
      const processedBefore = await processedInDb();
      current = newRun(list, windowFrom);
      const produced = await send(producer, list, (ev) => events.Topics.sectorEvents(ev.sector), current);
      const deadline = now() + TIMEOUT_MS;
      let expected;
      let stalled = false;
      let timedOut = false;
      let progress = { at: now(), mark: '' };
      for (;;) {
        if (!expected && (await processedInDb()) >= processedBefore + n)
          expected = await expectedFromDb(prefix);
        if (expected && list.every((ev) => ev.arrived >= (expected.get(ev.sourceRecordId) ?? 0))) break;
        if (now() > deadline) {
          timedOut = true;
          break;
        }
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
      // Arrivals counted before the database is read: the exchange commits an event's deliveries
      // before its feed messages, so none counted here can be missing from what the query sees. (Read
      // the other way round, a run that timed out with the exchange still busy counts as duplicated
      // every event whose feeds arrived while the query ran.)
      const arrived = new Map(list.map((ev) => [ev, ev.arrived]));
      expected ??= await expectedFromDb(prefix);
      const missing = list.filter((ev) => arrived.get(ev) < (expected.get(ev.sourceRecordId) ?? 0));
      const unstored = list.filter((ev) => !expected.has(ev.sourceRecordId));
      const unrouted = list.filter((ev) => expected.get(ev.sourceRecordId) === 0);
      const duplicated = list.filter((ev) => arrived.get(ev) > (expected.get(ev.sourceRecordId) ?? 0));
      const expectedTotal = [...expected.values()].reduce((a, b) => a + b, 0);
      const r = current;
      current = undefined;
      return {
        ...summarise(r, produced),
        list,
        missing,
        unstored,
        unrouted,
        duplicated,
        expectedTotal,
        stalled,
        timedOut,
      };
    };

    const failures = [];
    const checkExchange = (label, r) => {
      if (r.missing.length)
        failures.push(
          `${label}: ${r.missing.length} events did not reach every feed they were delivered to (e.g. ${r.missing
            .slice(0, 3)
            .map((e) => e.sourceRecordId)
            .join(', ')})${r.stalled ? `, no progress for ${STALL_MS / 1000} s` : ''}`,
        );
      if (r.unstored.length)
        failures.push(
          `${label}: ${r.unstored.length} events were not stored${r.timedOut ? ` within --timeout ${TIMEOUT_MS / 1000} s of the last send` : r.stalled ? `, no progress for ${STALL_MS / 1000} s` : ''}`,
        );
      if (r.unrouted.length)
        failures.push(
          `${label}: ${r.unrouted.length} events reached no feed (e.g. ${r.unrouted
            .slice(0, 3)
            .map((e) => `${e.sourceRecordId}${e.deadLetter ? `: ${e.deadLetter}` : ''}`)
            .join('; ')})`,
        );
      if (r.duplicated.length)
        failures.push(`${label}: ${r.duplicated.length} events arrived more often than delivered`);
    };

    step(`warm-up: ${WARM_UP} events through the exchange`);
    const warm = await exchangeRun('WARM', events.make('WARM', WARM_UP), backlog);
    checkExchange('warm-up', warm);
    if (failures.length) throw new Error(failures.join('; '));
    // Output messages per input: feed messages + one outcome per event to its sector service.
    const fanOut = (warm.expectedTotal + WARM_UP) / WARM_UP;
    await sleep(2000);
    for (const t of feedTopics) perFeed.set(t, 0);
    const idle = memory(pid).rss;
    step(`exchange idle RSS ${mb(idle)}; it writes ${fanOut.toFixed(2)} messages per event`);

    // ---- the baseline: passthrough, plain and fan-out-matched -----------------------------------
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: PASS_IN, numPartitions: PASS_IN_PARTITIONS, replicationFactor: 1 },
        { topic: PASS_IN_PLATFORMATIC, numPartitions: PASS_IN_PARTITIONS, replicationFactor: 1 },
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
          if (ev) arrive(pass, ev, at);
        }
      },
    );
    clients.push(outReader);
    const startWorker = async (flags) => {
      const w = fork(fileURLToPath(import.meta.url), ['--passthrough-worker', ...flags], {
        env: {
          ...process.env,
          BENCH_BROKERS: kafka.brokers,
          BENCH_RETRY: JSON.stringify(RETRY),
          BENCH_FETCH: JSON.stringify(exchangeFetchSettings(env)),
        },
        execArgv: ['--disable-warning=TimeoutNegativeWarning'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      await Promise.race([
        new Promise((resolve) => w.once('message', resolve)),
        new Promise((_, reject) => w.once('exit', (c) => reject(new Error(`passthrough exited with ${c}`)))),
        sleep(60_000).then(() => Promise.reject(new Error('passthrough not in its group within 60 s'))),
      ]);
      return w;
    };
    worker = await startWorker([]);
    if (SPIKE) platformatic = await startWorker(['--platformatic']);
    /** Copies per event averaging `fanOut` (0 = plain passthrough: one each, no header). */
    const withCopies = (list, k) => {
      let owed = 0;
      for (const ev of list) {
        if (!k) ev.copies = 1;
        else {
          owed += k;
          ev.copies = Math.max(1, Math.round(owed));
          owed -= ev.copies;
        }
        ev.copiesHeader = k ? String(ev.copies) : undefined;
      }
      return list;
    };
    const passRun = async (list, send, windowFrom = 0, input = PASS_IN) => {
      pass = newRun(list, windowFrom);
      const produced = await send(producer, list, () => input, pass);
      const deadline = now() + TIMEOUT_MS;
      const expected = list.reduce((s, e) => s + e.copies, 0);
      while (pass.messages < expected && now() < deadline) await sleep(50);
      await sleep(500);
      const r = pass;
      pass = undefined;
      return {
        ...summarise(r, produced),
        list,
        missing: list.filter((e) => e.arrived < e.copies),
        duplicated: list.filter((e) => e.arrived > e.copies),
      };
    };
    const checkPass = (label, r) => {
      if (r.missing.length) failures.push(`${label}: ${r.missing.length} events did not all come through`);
      if (r.duplicated.length)
        failures.push(`${label}: ${r.duplicated.length} events came through too often`);
    };
    step(`baseline warm-up: ${WARM_UP} events, plain and fan-out-matched`);
    checkPass('passthrough warm-up', await passRun(withCopies(events.make('PWARM', WARM_UP), 0), backlog));
    checkPass('fan-out warm-up', await passRun(withCopies(events.make('FWARM', WARM_UP), fanOut), backlog));
    if (SPIKE)
      checkPass(
        '@platformatic/kafka warm-up',
        await passRun(withCopies(events.make('PLWARM', WARM_UP), 0), backlog, 0, PASS_IN_PLATFORMATIC),
      );
    await sleep(1000);
    const passIdle = memory(worker.pid).rss;

    // ---- 1. throughput: A B B A B A, each B with its fan-out-matched run ------------------------
    const runs = { exchange: [], pass: [], fan: [], plat: [] };
    let exSampled = { max: 0, samples: 0 };
    let passSampled = { max: 0, samples: 0 };
    let runNo = 0;
    const throughputA = async () => {
      runNo++;
      const prefix = `EXB${runNo}`;
      step(`throughput ${runNo}/${RUNS}: exchange, ${N} events`);
      const rss = sampler(pid);
      const cpu = await meterExchange();
      const r = await exchangeRun(prefix, events.make(prefix, N), backlog);
      r.cpu = await cpu.stop(N);
      const s = rss.stop();
      exSampled = { max: Math.max(exSampled.max, s.max), samples: exSampled.samples + s.samples };
      checkExchange(`throughput run ${runNo}`, r);
      step(`  ${r.perSecond.toFixed(0)} records/s, ${r.messages} feed messages; ${cpuLine(r.cpu)}`);
      runs.exchange.push(r);
    };
    const throughputB = async () => {
      for (const [kind, k, w, input] of [
        ['pass', 0, worker, PASS_IN],
        ['fan', fanOut, worker, PASS_IN],
        ...(SPIKE ? [['plat', 0, platformatic, PASS_IN_PLATFORMATIC]] : []),
      ]) {
        runNo++;
        const prefix = `${kind.toUpperCase()}${runNo}`;
        const label =
          kind === 'plat' ? 'passthrough @platformatic/kafka' : `passthrough${k ? ` ×${k.toFixed(2)}` : ''}`;
        step(`throughput ${runNo}/${RUNS}: ${label}, ${N} events`);
        const rss = sampler(w.pid);
        const cpu = await meterPassthrough(w);
        const r = await passRun(withCopies(events.make(prefix, N), k), backlog, 0, input);
        r.cpu = await cpu.stop(N);
        const s = rss.stop();
        if (w === worker)
          passSampled = { max: Math.max(passSampled.max, s.max), samples: passSampled.samples + s.samples };
        checkPass(`throughput run ${runNo}`, r);
        step(`  ${r.perSecond.toFixed(0)} records/s; ${cpuLine(r.cpu)}`);
        runs[kind].push(r);
      }
    };
    for (const stage of [throughputA, throughputB, throughputB, throughputA, throughputB, throughputA])
      await stage();
    // Pairs in run order: (A1, B1), (B2, A2), (B3, A3).
    const pairRatios = (kind) => runs.exchange.map((a, i) => a.perSecond / runs[kind][i].perSecond);
    const ratio = median(pairRatios('pass'));
    const fanRatio = median(pairRatios('fan'));
    /** The client spike: @platformatic/kafka's passthrough over kafkajs', run next to each other. */
    const clientRatios = runs.plat.map((r, i) => r.perSecond / runs.pass[i].perSecond);
    const clientRatio = median(clientRatios);
    const maxRate = median(runs.exchange.map((r) => r.perSecond));
    const exHwm = memory(pid).hwm;

    // ---- 2. latency at fixed rates, open loop --------------------------------------------------
    const latency = [];
    for (const rate of [RATE, Math.max(1, Math.round(maxRate / 2))]) {
      const n = Math.max(1, Math.round(rate * (WARMUP_S + WINDOW_S)));
      step(
        `latency at ${rate} events/s: ${WARMUP_S} s warm-up + ${WINDOW_S} s window (${n} events), exchange`,
      );
      const prefix = `LAT${rate}`;
      const cpu = await meterExchange();
      const ex = await exchangeRun(prefix, events.make(prefix, n), schedule(rate), WARMUP_S * 1000);
      ex.cpu = await cpu.stop(n);
      checkExchange(`latency at ${rate}/s`, ex);
      step(`  exchange p50/p99/p99.9 ${ms(ex.p50)} / ${ms(ex.p99)} / ${ms(ex.p999)}; now the passthrough`);
      const pr = await passRun(withCopies(events.make(`PLAT${rate}`, n), 0), schedule(rate), WARMUP_S * 1000);
      checkPass(`passthrough latency at ${rate}/s`, pr);
      latency.push({ rate, ex, pass: pr });
    }

    // ---- 3. soak -------------------------------------------------------------------------------
    let soak;
    if (SOAK) {
      const rate = Math.max(1, Math.round(maxRate * 0.7));
      const n = Math.round(rate * (WARMUP_S + SOAK_MINUTES * 60));
      step(`soak: ${SOAK_MINUTES} min at ${rate} events/s (70 % of ${maxRate.toFixed(0)}), ${n} events`);
      const samples = [];
      const timer = setInterval(() => {
        if (!current) return;
        samples.push({ at: now(), rss: memory(pid).rss, lag: current.due - current.reached });
      }, 10_000);
      const prefix = 'SOAK';
      const r = await exchangeRun(prefix, events.make(prefix, n), schedule(rate), WARMUP_S * 1000);
      clearInterval(timer);
      checkExchange('soak', r);
      const after = samples.filter((s) => s.at >= r.windowFrom);
      soak = {
        rate,
        r,
        rssFirst: after[0]?.rss ?? NaN,
        rssLast: after.at(-1)?.rss ?? NaN,
        rssMax: Math.max(...samples.map((s) => s.rss)),
        lagMax: Math.max(0, ...samples.map((s) => s.lag)),
      };
    }

    // ---- report ------------------------------------------------------------------------------
    const first = runs.exchange[0];
    say('');
    say(
      `Exchange ingest benchmark: sector topics → exchange (PostgreSQL + Kafka transaction) → feeds, Node ${process.versions.node}`,
    );
    say(`  events             ${N} per throughput run (${events.mixDescription(first.list)})`);
    say(`  fan-out            ${fanOut.toFixed(2)} output messages per event (feed messages + outcomes)`);
    say(
      `  fetch              ${env.KAFKA_FETCH_MIN_BYTES} bytes at least, waiting ${env.KAFKA_FETCH_MAX_WAIT_MS} ms at most; ${env.KAFKA_FETCH_MAX_BYTES_PER_PARTITION} per partition, ${env.KAFKA_FETCH_MAX_BYTES} per fetch (both sides)`,
    );
    say(
      `Throughput, three interleaved pairs A B B A B A (fresh backlog each, produced in batches of ${PRODUCE_BATCH}):`,
    );
    const row = (label, r) =>
      `    ${label.padEnd(22)} ${r.perSecond.toFixed(0).padStart(6)} records/s, p50 / p99 ${ms(r.p50)} / ${ms(r.p99)}, ${cpuLine(r.cpu)}`;
    for (let i = 0; i < 3; i++) {
      say(`  pair ${i + 1}`);
      say(row('exchange', runs.exchange[i]));
      say(row('passthrough', runs.pass[i]));
      say(row(`passthrough ×${fanOut.toFixed(2)}`, runs.fan[i]));
      if (SPIKE) say(row('passthrough platformatic', runs.plat[i]));
    }
    say(
      `  exchange / passthrough ${pairRatios('pass')
        .map((x) => x.toFixed(3))
        .join(', ')} → median ${ratio.toFixed(3)}` +
        `; / fan-out-matched ${pairRatios('fan')
          .map((x) => x.toFixed(3))
          .join(', ')} → median ${fanRatio.toFixed(3)}`,
    );
    if (SPIKE)
      say(
        `  @platformatic/kafka passthrough / kafkajs passthrough ${clientRatios.map((x) => x.toFixed(3)).join(', ')} → median ${clientRatio.toFixed(3)}`,
      );
    say(
      `  feed messages      last run: ${runs.exchange.at(-1).messages} arrived, ${runs.exchange.at(-1).expectedTotal} in exchange.deliveries; per feed (all runs) ${[
        ...perFeed,
      ]
        .map(([t, c]) => `${t.replace(/^credit\.feed\.|\.v1$/g, '')} ${c}`)
        .join(', ')}`,
    );
    say(
      `  exchange RSS       idle ${mb(idle)}, max sampled under load ${mb(exSampled.max)} (${exSampled.samples} samples), peak (VmHWM) ${mb(exHwm)}`,
    );
    say(`  passthrough RSS    idle ${mb(passIdle)}, max sampled ${mb(passSampled.max)}`);
    say('Latency, open loop (from each event’s scheduled send time, per output message, after the warm-up):');
    for (const { rate, ex, pass: p } of latency) {
      say(
        `  ${String(rate).padStart(5)} events/s  exchange p50/p99/p99.9 ${ms(ex.p50)} / ${ms(ex.p99)} / ${ms(ex.p999)} (${ex.samples} samples, max ${ms(ex.max)}, ${cpuLine(ex.cpu)})`,
      );
      say(
        `  ${' '.repeat(15)}  passthrough p50/p99/p99.9 ${ms(p.p50)} / ${ms(p.p99)} / ${ms(p.p999)}; exchange p99 ×${(ex.p99 / p.p99).toFixed(1)}`,
      );
    }
    if (soak) {
      say(
        `Soak: ${SOAK_MINUTES} min at ${soak.rate} events/s: RSS ${mb(soak.rssFirst)} after the warm-up → ${mb(soak.rssLast)} at the end (growth ${mb(soak.rssLast - soak.rssFirst)}, max ${mb(soak.rssMax)}); max lag ${soak.lagMax} events; ${soak.r.missing.length} lost, ${soak.r.duplicated.length} duplicated; p99 ${ms(soak.r.p99)}; the bench's feed reader read ${feeds.rereads} messages again (rebalances of its own group, not counted)`,
      );
    }
    for (const f of failures) say(`FAILED: ${f}`);
    if (failures.length) {
      const log = `${DEFAULT_ROOT}/.stack/${NAME}/exchange.log`;
      const lastError = fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"level":"error"'))
        .at(-1);
      if (lastError)
        say(`  last error in ${log}: ${String(JSON.parse(lastError).msg ?? lastError).slice(0, 300)}`);
    }
    const [fixed, half] = latency;
    const cpuEx = (k) => median(runs.exchange.map((r) => r.cpu[k]));
    say(
      `HEADLINE exchange/passthrough ${ratio.toFixed(3)} (target 0.5), /fan-out-matched ${fanRatio.toFixed(3)}; ` +
        `p99/p99.9 @${fixed.rate}/s ${ms(fixed.ex.p99)}/${ms(fixed.ex.p999)} (targets 100/250, passthrough ${ms(fixed.pass.p99)}); ` +
        `p99 @${half.rate}/s (half max) ${ms(half.ex.p99)} (target 250); RSS max ${mb(exSampled.max)} (target 300)` +
        `${soak ? `, soak growth ${mb(soak.rssLast - soak.rssFirst)}` : ''}; ` +
        `CPU µs/record exchange ${cpuEx('exchange').toFixed(0)}, postgres ${cpuEx('postgres').toFixed(0)}, broker ${cpuEx('broker').toFixed(0)} ` +
        `(passthrough ${median(runs.pass.map((r) => r.cpu.passthrough)).toFixed(0)}); ` +
        (SPIKE
          ? `@platformatic/kafka/kafkajs passthrough ${clientRatio.toFixed(3)} (CPU µs/record ${median(runs.plat.map((r) => r.cpu.passthrough)).toFixed(0)}); `
          : '') +
        `${failures.length ? 'FAILED' : 'accounting ok'}`,
    );
    return failures.length ? 1 : 0;
  }

  // -------------------------------------------------------------------------------------------

  /** The exchange's consumer fetch settings (its environment), for the passthrough too. */
  function exchangeFetchSettings(env) {
    const settings = {};
    if (env.KAFKA_FETCH_MAX_BYTES_PER_PARTITION)
      settings.maxBytesPerPartition = Number(env.KAFKA_FETCH_MAX_BYTES_PER_PARTITION);
    if (env.KAFKA_FETCH_MAX_BYTES) settings.maxBytes = Number(env.KAFKA_FETCH_MAX_BYTES);
    if (env.KAFKA_FETCH_MIN_BYTES) settings.minBytes = Number(env.KAFKA_FETCH_MIN_BYTES);
    if (env.KAFKA_FETCH_MAX_WAIT_MS) settings.maxWaitTimeInMs = Number(env.KAFKA_FETCH_MAX_WAIT_MS);
    return settings;
  }

  function newRun(list, windowFrom) {
    for (const ev of list) ev.arrived = 0;
    return {
      byCeId: new Map(list.map((e) => [e.ceId, e])),
      bySourceRecordId: new Map(list.map((e) => [e.sourceRecordId, e])),
      latencies: [],
      reached: 0,
      messages: 0,
      deadLettered: 0,
      lastArrival: 0,
      /** Only events scheduled at or after this time give latency samples (the warm-up does not). */
      windowFrom,
      /** When the window opens: a schedule sets it; a backlog counts every event. */
      windowStart: 0,
      due: 0,
    };
  }

  function arrive(r, ev, at) {
    if (ev.arrived === 0) r.reached++;
    ev.arrived++;
    if (ev.sentAt >= r.windowStart) r.latencies.push(at - ev.sentAt);
    r.lastArrival = Math.max(r.lastArrival, at);
    r.messages++;
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
      samples: sorted.length,
      windowFrom: r.windowStart,
      p50: q(0.5),
      p99: q(0.99),
      p999: q(0.999),
      max: sorted.at(-1) ?? NaN,
    };
  }

  function message(ev, time) {
    const headers = ev.headers(new Date(time));
    if (ev.copiesHeader) headers.bench_copies = ev.copiesHeader;
    return { key: ev.key, value: ev.value, headers };
  }

  function byTopicOf(batch, topicOf) {
    const byTopic = new Map();
    for (const ev of batch) {
      const topic = topicOf(ev);
      if (!byTopic.has(topic)) byTopic.set(topic, []);
      byTopic.get(topic).push(message(ev, ev.sentAt));
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  /** A backlog: batches of PRODUCE_BATCH as fast as the producer goes, each event stamped as its batch goes. */
  async function backlog(producer, list, topicOf) {
    let firstSend;
    for (let i = 0; i < list.length; i += PRODUCE_BATCH) {
      const batch = list.slice(i, i + PRODUCE_BATCH);
      const sentAt = now();
      firstSend ??= sentAt;
      for (const ev of batch) ev.sentAt = sentAt;
      await producer.sendBatch({ acks: -1, topicMessages: byTopicOf(batch, topicOf) });
    }
    return { firstSend, done: now() };
  }

  /**
   * Open loop at `rate` events/s: event i is due at start + i / rate and stamped with that time;
   * whatever is due goes at once, so a slow send delays nothing that follows it in the schedule's
   * eyes (latency counts from the scheduled time: no coordinated omission).
   */
  function schedule(rate) {
    return async (producer, list, topicOf, run) => {
      const start = now() + 50;
      run.windowStart = start + run.windowFrom;
      for (const [i, ev] of list.entries()) ev.sentAt = start + (i * 1000) / rate;
      let sent = 0;
      while (sent < list.length) {
        const due = Math.min(list.length, Math.floor(((now() - start) * rate) / 1000) + 1);
        run.due = due;
        if (due > sent) {
          const batch = list.slice(sent, due);
          sent = due;
          await producer.sendBatch({ acks: -1, topicMessages: byTopicOf(batch, topicOf) });
        } else await sleep(Math.max(1, Math.min(5, list[sent].sentAt - now())));
      }
      return { firstSend: start, done: now() };
    };
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
  // A rebalance or reconnect of this reader's group reads again from its last committed offset:
  // those messages are skipped by offset, so that only the exchange's own duplicates (the same event
  // at another offset) are counted as duplicates.
  const next = new Map();
  consumer.rereads = 0;
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => {
      const at = `${batch.topic}[${batch.partition}]`;
      const from = next.get(at) ?? -1n;
      const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
      consumer.rereads += batch.messages.length - fresh.length;
      if (fresh.length) next.set(at, BigInt(fresh.at(-1).offset) + 1n);
      onBatch(batch.topic, fresh, now());
    },
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
    isRecordEvent: (type) => c.isCreditEventType(type),
  };
}
