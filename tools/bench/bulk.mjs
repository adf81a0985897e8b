// npm run bench:bulk [-- --records 100000]
// npm run bench:bulk -- --write courts.ndjson [--records 100000]: writes the N records instead (and five
// bad lines among them: broken JSON, an impossible date, a wrong USCC check character, an amount as a
// JSON number, a tax record) for `cie submit`, and starts nothing.
// Load test of the NDJSON bulk intake (POST /v1/records/bulk) of the courts service on real engines:
// its own Kafka broker (.stack/bench, port 27092), a fresh database cie_bench and the courts service
// alone on :3903. N generated dishonest-debtor records are streamed up lazily (chunked transfer, the
// body is never held in memory) and the receipts are counted as they stream back, while the
// service's RSS is sampled from /proc. Two baselines run in the same process (the machines are
// noisy, so ratios are what to compare):
//   - an upload of N/10 records through the same service: peak RSS should not grow with N;
//   - N messages of the same encoded size produced straight to a scratch topic by a kafkajs
//     idempotent producer (acks -1, batches of 500): the ceiling the bulk path is compared to.
// CPU µs per record of each process (the service, its PostgreSQL backends, the broker, the benchmark)
// is read from /proc; the last line is HEADLINE with the ratios. Exits 1 unless every receipt is
// `accepted`. Everything it started is stopped at the end, on
// errors and on Ctrl-C.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKafka, stopKafka } from '../stack/kafka.mjs';
import { ensureDatabase } from '../stack/postgres.mjs';
import { SERVICES, stackEnv, startService, stopServices } from '../stack/services.mjs';
import { cpuLine, cpuMeter } from './process-cpu.mjs';
import { memory, sampler } from './process-memory.mjs';

const NAME = 'bench';
const KAFKA_PORT = 27092;
const SERVICE_PORT = 3903;
const DATABASE = 'cie_bench';
const AGENCY_KEY = 'demo-key-court-bj-chaoyang';
const SECTOR_TOPIC = 'credit.courts.events.v1';
const SCRATCH_TOPIC = 'bench.scratch.v1';
const RAW_BATCH = 500;
const WARM_UP = 500;
const CHUNK_BYTES = 64 * 1024;

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
};
const N = Number(option('records') ?? 100_000);
if (!Number.isInteger(N) || N < 10)
  throw new Error(`--records must be an integer >= 10, got ${option('records')}`);

const say = (line = '') => process.stdout.write(`${line}\n`);
const t0 = performance.now();
const step = (line) =>
  process.stderr.write(`› [${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
const quiet = { write: () => true };

// ---------------------------------------------------------------------------------------------
// Cleanup: stop exactly what this run started, once, whatever the way out.

let stopping;
function stopAll() {
  stopping ??= (async () => {
    await stopServices({ name: NAME }).catch((e) =>
      process.stderr.write(`bench: stopping courts: ${e.message}\n`),
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

// ---------------------------------------------------------------------------------------------
// Records

let example;
let subjects;
async function loadRecordFormat() {
  const { usccCheckCharacter } = await import('@cie/identifiers');
  await import('reflect-metadata'); // the record type's module decorates classes as it loads
  ({
    dishonestDebtor: { example },
  } = await import(
    new URL('../../services/courts/dist/record-types/dishonest-debtor.js', import.meta.url).href
  ));
  // A few legal entities across regions so that subject keys spread over the partitions.
  const regions = ['110105', '310115', '320100', '440300'];
  subjects = [];
  for (const [r, region] of regions.entries()) {
    for (const last of ['3', '7']) {
      const first17 = `91${region}MA01C8X${'KLMN'[r]}${last}`;
      subjects.push({
        kind: 'legal_entity',
        idNumber: first17 + usccCheckCharacter(first17),
        name: `测试企业${region}${last}有限公司`,
      });
    }
  }
}

function record(prefix, i) {
  return {
    ...example,
    sourceRecordId: `${prefix}-${String(i).padStart(7, '0')}`,
    decisionNumber: `(2025)京0105执${(i % 999_999) + 1}号`,
    subject: subjects[i % subjects.length],
    outstandingAmount: `${1000 + (i % 900_000)}.00`,
  };
}

/** The NDJSON body, one line at a time, made only when the request stream asks for more. */
function* ndjson(prefix, n) {
  for (let i = 0; i < n; i++) yield `${JSON.stringify(record(prefix, i))}\n`;
}

/** Lines grouped into ~64 KiB chunks (one chunk of the chunked transfer each). */
function* chunks(lines) {
  let buffer = '';
  for (const line of lines) {
    buffer += line;
    if (buffer.length >= CHUNK_BYTES) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

// ---------------------------------------------------------------------------------------------
// One bulk upload

/**
 * Streams `n` records to POST /v1/records/bulk and reads the receipts as they come, counting them
 * by status. Returns the counts, the duration and the RSS (and time) when 10 %, 50 % and 100 % of
 * the lines were answered.
 */
async function upload({ url, pid, prefix, n }) {
  const counts = {};
  const marks = [0.1, 0.5, 1].map((fraction) => ({ fraction, at: Math.max(1, Math.ceil(n * fraction)) }));
  let answered = 0;
  let summary;
  let error;
  const rss = sampler(pid);
  let sampled;
  const started = performance.now();
  try {
    await new Promise((resolve, reject) => {
      const req = http.request(`${url}/v1/records/bulk`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${AGENCY_KEY}` },
      });
      req.on('error', reject);
      req.on('response', async (res) => {
        try {
          if (res.statusCode !== 200) {
            let body = '';
            for await (const chunk of res) body += chunk;
            throw new Error(`POST /v1/records/bulk answered ${res.statusCode}: ${body.slice(0, 500)}`);
          }
          for await (const line of readline.createInterface({ input: res, crlfDelay: Infinity })) {
            if (!line) continue;
            const answer = JSON.parse(line);
            if (answer.status) {
              counts[answer.status] = (counts[answer.status] ?? 0) + 1;
              answered++;
              for (const mark of marks) {
                if (answered === mark.at)
                  Object.assign(mark, {
                    rss: memory(pid).rss,
                    seconds: (performance.now() - started) / 1000,
                  });
              }
            } else {
              summary = answer.summary;
              if (answer.error) error = `${answer.error}: ${answer.detail}`;
            }
          }
          resolve();
        } catch (err) {
          reject(err);
        }
      });
      // The request body: a lazy generator, chunked transfer (no content-length).
      pipeline(Readable.from(chunks(ndjson(prefix, n))), req).catch(reject);
    });
  } finally {
    sampled = rss.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const { hwm } = memory(pid);
  if (!summary) error ??= 'the response ended without a summary line';
  else if (summary.total !== n) error ??= `the summary counts ${summary.total} records, ${n} were sent`;
  if (answered !== n) error ??= `${answered} receipts for ${n} records`;
  return {
    n,
    seconds,
    counts,
    answered,
    summary,
    error,
    marks,
    sampledMax: sampled.max,
    samples: sampled.samples,
    hwm,
  };
}

function describe(counts) {
  return (
    Object.entries(counts)
      .map(([status, count]) => `${status} ${count}`)
      .join(', ') || 'none'
  );
}

const allAccepted = (run) =>
  !run.error && run.counts.accepted === run.n && Object.keys(run.counts).length === 1;

// ---------------------------------------------------------------------------------------------
// Raw Kafka ceiling

/** One message as the service produced it, to copy its encoded size (value, key and headers). */
async function sampleMessage(kafkajs, brokers) {
  const client = new kafkajs.Kafka({
    clientId: 'bench-sample',
    brokers: [brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const consumer = client.consumer({ groupId: `bench-sample-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [SECTOR_TOPIC], fromBeginning: true });
    let found;
    const got = new Promise((resolve) => (found = resolve));
    await consumer.run({ eachMessage: async ({ message }) => found(message) });
    const message = await Promise.race([got, sleep(30_000).then(() => undefined)]);
    if (!message) throw new Error(`no message on ${SECTOR_TOPIC} within 30 s`);
    return message;
  } finally {
    await consumer.disconnect();
  }
}

/** N messages of the sampled size through an idempotent producer (acks -1, batches of 500); records/s. */
async function rawKafka(kafkajs, brokers, sample, n) {
  const client = new kafkajs.Kafka({
    clientId: 'bench-raw',
    brokers: [brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: SCRATCH_TOPIC, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = client.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const keys = subjects.map((s) => createHash('sha256').update(s.idNumber).digest('hex'));
  const headers = (id) => ({ ...sample.headers, ce_id: Buffer.from(id) });
  const bytes =
    sample.value.length +
    (sample.key?.length ?? 0) +
    Object.entries(sample.headers ?? {}).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  try {
    const started = performance.now();
    for (let sent = 0; sent < n; sent += RAW_BATCH) {
      const messages = [];
      for (let i = sent; i < Math.min(n, sent + RAW_BATCH); i++) {
        messages.push({ key: keys[i % keys.length], value: sample.value, headers: headers(randomUUID()) });
      }
      await producer.send({
        topic: SCRATCH_TOPIC,
        acks: -1,
        compression: kafkajs.CompressionTypes.None,
        messages,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, perSecond: n / seconds, bytes };
  } finally {
    await producer.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------

/** --write: the upload as a file, with one line of each kind `cie submit` must refuse. */
async function writeFile(file) {
  const prefix = `cli-${Date.now().toString(36)}`;
  const bad = new Map([
    [10, '{"recordType": "courts.dishonest_debtor", '],
    [Math.floor(N / 4), { sourceRecordId: `${prefix}-bad-date`, decisionDate: '2025-13-45' }],
    [
      Math.floor(N / 2),
      {
        sourceRecordId: `${prefix}-bad-uscc`,
        subject: { kind: 'legal_entity', idNumber: '91320100748204660A', name: '校验码错误的公司' },
      },
    ],
    [Math.floor((3 * N) / 4), { sourceRecordId: `${prefix}-bad-amount`, outstandingAmount: 320000 }],
    [N - 10, { sourceRecordId: `${prefix}-bad-type`, recordType: 'tax.major_violation' }],
  ]);
  function* lines() {
    for (let i = 0; i < N; i++) {
      const b = bad.get(i);
      if (typeof b === 'string') yield `${b}\n`;
      else if (b) yield `${JSON.stringify({ ...record(prefix, i), ...b })}\n`;
      yield `${JSON.stringify(record(prefix, i))}\n`;
    }
  }
  await pipeline(Readable.from(chunks(lines())), fs.createWriteStream(file));
  say(`${file}: ${N} valid records and ${bad.size} bad lines`);
}

async function main() {
  await loadRecordFormat();
  const write = option('write');
  if (write) {
    await writeFile(write);
    return 0;
  }
  const { default: kafkajs } = await import('kafkajs');
  await stopServices({ name: NAME }); // a crashed earlier run

  step(`starting Kafka 3.9 (.stack/${NAME}, 127.0.0.1:${KAFKA_PORT})`);
  const kafka = await startKafka({ name: NAME, port: KAFKA_PORT });
  step(`fresh database ${DATABASE}`);
  const databaseUrl = await ensureDatabase({ name: DATABASE, fresh: true });
  const env = {
    ...stackEnv({ name: NAME, kafkaBrokers: kafka.brokers, databaseUrl }),
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
  const courts = SERVICES.find((s) => s.name === 'courts');
  step(`starting courts on :${SERVICE_PORT} (log: .stack/${NAME}/courts.log)`);
  const { url, pid } = await startService({ name: NAME, service: courts, env, port: SERVICE_PORT });

  step(`warm-up upload of ${WARM_UP} records`);
  const warm = await upload({ url, pid, prefix: 'WARM', n: WARM_UP });
  if (!allAccepted(warm))
    throw new Error(`warm-up not accepted: ${describe(warm.counts)} ${warm.error ?? ''}`);
  await sleep(2000);
  const idle = memory(pid).rss;
  step(`idle RSS ${mb(idle)}`);

  const nSmall = Math.floor(N / 10);
  step(`small upload: ${nSmall} records`);
  const small = await upload({ url, pid, prefix: 'SMALL', n: nSmall });
  step(`small upload: ${small.seconds.toFixed(1)} s, ${describe(small.counts)}, peak ${mb(small.hwm)}`);

  const { default: pg } = await import('pg');
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const backends = async () =>
    (
      await db.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      )
    ).rows.map((r) => r.pid);

  step(`bulk upload: ${N} records`);
  const cpu = await cpuMeter(async () => ({
    courts: [pid],
    postgres: await backends(),
    broker: [kafka.pid],
  }));
  const big = await upload({ url, pid, prefix: 'BULK', n: N });
  big.cpu = await cpu.stop(N);
  await db.end();
  step(`bulk upload: ${big.seconds.toFixed(1)} s, ${describe(big.counts)}`);

  step('raw Kafka ceiling: sampling one produced event for its size');
  const sample = await sampleMessage(kafkajs, kafka.brokers);
  step(`raw Kafka ceiling: ${N} messages to ${SCRATCH_TOPIC}`);
  const rawCpu = await cpuMeter(async () => ({ broker: [kafka.pid] }));
  const raw = await rawKafka(kafkajs, kafka.brokers, sample, N);
  raw.cpu = await rawCpu.stop(N);

  const bigPerSecond = N / big.seconds;
  const bigDelta = big.hwm - idle;
  const smallDelta = small.hwm - idle;
  const at = (run, fraction) => {
    const m = run.marks.find((x) => x.fraction === fraction);
    return m?.rss ? `${mb(m.rss)} (at ${m.seconds.toFixed(1)} s)` : 'n/a';
  };
  say('');
  say(
    `Bulk intake benchmark: courts service, POST /v1/records/bulk (NDJSON, chunked), Node ${process.versions.node}`,
  );
  say(`  records            ${N}`);
  say(`  seconds            ${big.seconds.toFixed(1)}`);
  say(`  records/s          ${bigPerSecond.toFixed(0)}`);
  say(`  receipts           ${describe(big.counts)}${big.error ? `  ERROR: ${big.error}` : ''}`);
  say(`  idle RSS           ${mb(idle)} (after a ${WARM_UP}-record warm-up)`);
  say(`  RSS at 10 %        ${at(big, 0.1)}`);
  say(`  RSS at 50 %        ${at(big, 0.5)}`);
  say(`  RSS at 100 %       ${at(big, 1)}`);
  say(
    `  peak RSS (VmHWM)   ${mb(big.hwm)} (max sampled every 200 ms: ${mb(big.sampledMax)}, ${big.samples} samples)`,
  );
  say(`Baseline (a): ${nSmall} records through the same service, before the big upload`);
  say(
    `  ${small.seconds.toFixed(1)} s, ${(nSmall / small.seconds).toFixed(0)} records/s, ${describe(small.counts)}${small.error ? `  ERROR: ${small.error}` : ''}`,
  );
  say(`  peak RSS (VmHWM)   ${mb(small.hwm)}`);
  say(
    `  peak - idle        ${mb(bigDelta)} for ${N} vs ${mb(smallDelta)} for ${nSmall}: ratio ${(bigDelta / Math.max(1, smallDelta)).toFixed(2)} (1 = flat in N, 10 = linear)`,
  );
  say(
    `Baseline (b): kafkajs idempotent producer, acks -1, batches of ${RAW_BATCH}, ${raw.bytes}-byte messages (value+key+headers, as produced by the service), same broker`,
  );
  say(`  ${N} messages in ${raw.seconds.toFixed(1)} s = ${raw.perSecond.toFixed(0)} records/s`);
  say(`  bulk path / raw Kafka = ${(bigPerSecond / raw.perSecond).toFixed(3)}`);
  say(`CPU: bulk path ${cpuLine(big.cpu)}; raw producer ${cpuLine(raw.cpu)}`);

  const ok = allAccepted(big) && allAccepted(small);
  if (!ok) say('\nFAILED: not every record was accepted');
  say(
    `HEADLINE bulk/raw ${(bigPerSecond / raw.perSecond).toFixed(3)} (target 0.5); memory peak−idle ${N} vs ${nSmall} ${(bigDelta / Math.max(1, smallDelta)).toFixed(2)} (target ≤ 1.2); ` +
      `CPU µs/record courts ${big.cpu.courts.toFixed(0)}, postgres ${big.cpu.postgres.toFixed(0)}, broker ${big.cpu.broker.toFixed(0)} (raw: broker ${raw.cpu.broker.toFixed(0)}, producer ${raw.cpu.benchmark.toFixed(0)}); ${ok ? 'all accepted' : 'FAILED'}`,
  );
  step('stopping courts and Kafka');
  await stopAll();
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    await stopAll();
    process.exit(1);
  },
);
