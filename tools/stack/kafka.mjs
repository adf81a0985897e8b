// A real single-node Apache Kafka (KRaft, broker+controller) for local dev and tests,
// run straight from Maven Central jars with `java` because these machines have no Docker.
// Only node: builtins are used so this works before `npm install`.
//
//   node tools/stack/kafka.mjs up|down|status [--name demo] [--port 19092] [--nodes 1|3]
//
// Layout (all under <root>/.stack/, which git must ignore):
//   kafka-classpath.txt          class path printed by Maven (jars themselves live in ~/.m2)
//   <name>/server.properties     generated broker config
//   <name>/kafka-data/           KRaft metadata + topic data, re-formatted on every start
//   <name>/kafka.log             broker stdout/stderr
//   <name>/kafka.pid             pid (= process group id) of the detached JVM

import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const execFileP = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// tools/stack/kafka.mjs -> repo root is two levels up.
export const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Printed by kafka.server.KafkaRaftServer once the broker is unfenced and serving.
const READY_LINE = /Kafka Server started/;
// Signs that the KRaft quorum / broker registration did not form in time (worth one retry).
const QUORUM_TIMEOUT = /TimeoutException|timed out|Timed out/;

const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

// Files shared by every stack: the Maven project and the class path it resolves.
function jarPaths(root) {
  return {
    pom: path.join(root, 'tools', 'kafka', 'pom.xml'),
    log4j: path.join(root, 'tools', 'kafka', 'log4j.properties'),
    classpath: path.join(root, '.stack', 'kafka-classpath.txt'),
  };
}

// Files of one named broker (several can run side by side on different ports).
function paths(root, name) {
  // The name becomes a directory we `rm -rf`, so keep it to one safe path segment.
  if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..') {
    throw new Error(`kafka: invalid stack name ${JSON.stringify(name)}`);
  }
  const dir = path.join(root, '.stack', name);
  return {
    ...jarPaths(root),
    dir,
    data: path.join(dir, 'kafka-data'),
    props: path.join(dir, 'server.properties'),
    log: path.join(dir, 'kafka.log'),
    pid: path.join(dir, 'kafka.pid'),
  };
}

// ---------------------------------------------------------------------------------------------
// Jars

/** Returns the broker class path, asking Maven only when the cached one may be stale. */
export async function ensureKafkaJars({ root = DEFAULT_ROOT, log = process.stderr } = {}) {
  const p = jarPaths(root);
  const cached = await readFreshClasspath(p);
  if (cached) return cached;

  log.write('kafka: resolving broker jars with Maven (first run downloads ~46 MB into ~/.m2)\n');
  await fsp.mkdir(path.dirname(p.classpath), { recursive: true });
  // Write to a private temp file and rename, so a concurrent reader never sees half a file.
  const tmp = `${p.classpath}.${process.pid}.tmp`;
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    p.pom,
    'dependency:build-classpath',
    `-Dmdep.outputFile=${tmp}`,
  ];
  try {
    // Offline first: fast and works without network when ~/.m2 is complete; fall back to online.
    await runMaven(['-o', ...args]).catch(() => runMaven(args));
    await fsp.rename(tmp, p.classpath);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  const cp = await readFreshClasspath(p);
  if (!cp) throw new Error(`kafka: Maven wrote ${p.classpath} but some jars in it are missing`);
  return cp;
}

async function readFreshClasspath(p) {
  try {
    const [cpStat, pomStat] = await Promise.all([fsp.stat(p.classpath), fsp.stat(p.pom)]);
    if (cpStat.mtimeMs < pomStat.mtimeMs) return null;
    const cp = (await fsp.readFile(p.classpath, 'utf8')).trim();
    const jars = cp.split(path.delimiter).filter(Boolean);
    if (jars.length === 0 || !jars.every((j) => fs.existsSync(j))) return null;
    return cp;
  } catch {
    return null;
  }
}

async function runMaven(args) {
  try {
    await execFileP('mvn', args, { maxBuffer: 16 << 20 });
  } catch (err) {
    const out = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`kafka: mvn ${args.join(' ')} failed (${err.code ?? err.message})\n${out}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Start

/** Starts a fresh broker and resolves once it answers the Kafka protocol. */
export async function startKafka({
  root = DEFAULT_ROOT,
  name = 'demo',
  port = 19092,
  controllerPort = port + 1,
  heapMb = 512,
  timeoutMs = 90_000,
  log = process.stderr,
  /** Restart on the data of the last start (a broker that was killed), instead of a fresh log. */
  keepData = false,
  /** A node of a cluster (startKafkaCluster): { nodeId, voters, size, id }. */
  cluster,
  /** The port clients are told to use, when it is not `port` (a fault proxy in front: tcp-proxy.mjs). */
  advertisedPort = port,
  /** The log directory, when not `<name>/kafka-data` (inside a small tmpfs: npm run chaos kafka-disk-full). */
  dataDir,
} = {}) {
  const p = { ...paths(root, name), ...(dataDir && { data: dataDir }) };
  // A crashed earlier run may still hold the ports; stop exactly that pid first.
  await stopKafka({ root, name, log });
  await assertPortFree(port);
  await assertPortFree(controllerPort);
  const classpath = await ensureKafkaJars({ root, log });

  // What startOnce needs: the settings above and the files and class path they lead to.
  const opts = {
    root,
    name,
    port,
    controllerPort,
    heapMb,
    timeoutMs,
    log,
    keepData,
    cluster,
    advertisedPort,
    p,
    classpath,
  };
  try {
    return await startOnce(opts);
  } catch (err) {
    // On a loaded machine the single-voter quorum / broker registration can time out; retry once.
    if (!err.quorumTimeout) throw err;
    log.write(`kafka: first start timed out (${err.message.split(';')[0]}); retrying once\n`);
    return await startOnce(opts);
  }
}

/** One start of the broker `startKafka` prepared (`opts`: its settings, files and class path). */
async function startOnce(opts) {
  const { root, name, p, classpath, port, controllerPort, heapMb, timeoutMs, log, keepData } = opts;
  const { cluster, advertisedPort } = opts;
  const t0 = Date.now();
  if (!keepData || !fs.existsSync(path.join(p.data, 'meta.properties'))) {
    await fsp.rm(p.data, { recursive: true, force: true });
    await fsp.mkdir(p.data, { recursive: true });
    await fsp.writeFile(p.props, serverProperties({ p, port, controllerPort, cluster, advertisedPort }));
    await formatStorage(p, classpath, cluster?.id);
  }

  const pid = spawnBroker(p, classpath, heapMb);
  await fsp.writeFile(p.pid, `${pid}\n`);
  log.write(`kafka: broker pid ${pid} starting on 127.0.0.1:${port} (log: ${p.log})\n`);

  try {
    const apis = await waitUntilReady({ p, pid, port, timeoutMs });
    const readyMs = Date.now() - t0;
    log.write(`kafka: ready on 127.0.0.1:${port} in ${(readyMs / 1000).toFixed(1)} s (${apis} APIs)\n`);
    const stop = () => stopKafka({ root, name, log });
    return { brokers: `127.0.0.1:${advertisedPort}`, pid, readyMs, logFile: p.log, stop };
  } catch (err) {
    // Never leave a half-started JVM behind a rejected promise.
    await stopKafka({ root, name, log: devNull });
    throw err;
  }
}

/**
 * One node's config. Alone (the default) every internal topic and default fits on one replica; in a
 * cluster (`cluster`: its node id, the quorum's voters and its size) they are replicated on three with
 * two in sync, and an out-of-sync replica never becomes leader.
 */
function serverProperties({ p, port, controllerPort, cluster, advertisedPort = port }) {
  const replicas = cluster ? Math.min(3, cluster.size) : 1;
  const inSync = replicas > 1 ? 2 : 1;
  const props = {
    'process.roles': 'broker,controller',
    'node.id': cluster?.nodeId ?? 1,
    'controller.quorum.voters': cluster?.voters ?? `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    // Only the client listener is advertised: clients that see the controller port fail
    // with "does not support the requested API version".
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${advertisedPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': p.data,
    // One node: every internal topic and default must fit on a single replica,
    // otherwise consumer groups and transactions never get a coordinator.
    'offsets.topic.replication.factor': replicas,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': inSync,
    'transaction.state.log.num.partitions': 3,
    'default.replication.factor': replicas,
    'min.insync.replicas': inSync,
    'unclean.leader.election.enable': false,
    'num.partitions': 3,
    'auto.create.topics.enable': false,
    'group.initial.rebalance.delay.ms': 0,
    // Default is 128 MB of heap for compaction; a dev broker needs almost none.
    'log.cleaner.dedupe.buffer.size': 2 * 1024 * 1024,
    'num.recovery.threads.per.data.dir': 1,
    // A cluster notices a killed broker after its session (KRaft's default 9 s), then moves its
    // partitions. 9 s plus kafkajs' attempts at the dead leader came to about KAFKA_PUBLISH_TIMEOUT_MS
    // (15 s), and a few publishes got 503 in cluster-kill. A deployment keeps this session well under
    // that timeout; so does this cluster.
    ...(cluster && { 'broker.session.timeout.ms': 4000, 'broker.heartbeat.interval.ms': 1000 }),
  };
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  );
}

/**
 * A three-node KRaft cluster (each node broker and controller) on `ports` (each node's controller on
 * port + 1), named `<name>-1`..`<name>-3`: replication 3, `min.insync.replicas` 2, unclean leader
 * election off. Resolves once every node serves; `nodes[i].restart()` starts a node again on its data
 * (after `kill`), `stop()` stops them all.
 */
export async function startKafkaCluster({
  root = DEFAULT_ROOT,
  name = 'cluster',
  ports = [19192, 19194, 19196],
  heapMb = 384,
  timeoutMs = 120_000,
  log = process.stderr,
} = {}) {
  const id = clusterId();
  const voters = ports.map((port, i) => `${i + 1}@127.0.0.1:${port + 1}`).join(',');
  const nodeOptions = ports.map((port, i) => ({
    root,
    name: `${name}-${i + 1}`,
    port,
    heapMb,
    timeoutMs,
    log,
    cluster: { nodeId: i + 1, voters, size: ports.length, id },
  }));
  // The quorum forms only with a majority up: start the nodes together.
  let started;
  try {
    started = await Promise.all(nodeOptions.map((o) => startKafka(o)));
  } catch (error) {
    await Promise.all(nodeOptions.map((o) => stopKafka({ root, name: o.name, log: devNull })));
    throw error;
  }
  const nodes = started.map((node, i) => ({
    ...node,
    name: nodeOptions[i].name,
    port: ports[i],
    restart: () => startKafka({ ...nodeOptions[i], keepData: true }),
  }));
  return {
    brokers: ports.map((port) => `127.0.0.1:${port}`).join(','),
    nodes,
    stop: () => Promise.all(nodeOptions.map((o) => stopKafka({ root, name: o.name, log }))),
  };
}

// Kafka cluster ids are 16 random bytes in URL-safe base64 (what `StorageTool random-uuid`
// prints); generating it here saves one JVM start. Kafka avoids ids starting with '-'.
function clusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function formatStorage(p, classpath, id = clusterId()) {
  const args = [
    '-Xmx256m',
    `-Dlog4j.configuration=${pathToFileURL(p.log4j).href}`,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    id,
    '-c',
    p.props,
  ];
  try {
    await execFileP(JAVA, args, { maxBuffer: 16 << 20 });
  } catch (err) {
    throw new Error(`kafka: storage format failed\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}

function spawnBroker(p, classpath, heapMb) {
  const out = fs.openSync(p.log, 'w');
  try {
    const child = spawn(
      JAVA,
      [
        `-Xmx${heapMb}m`,
        `-Xms${heapMb}m`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=${pathToFileURL(p.log4j).href}`,
        `-Dkafka.logs.dir=${p.dir}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        p.props,
      ],
      {
        // Own process group (setsid) so the broker outlives this Node process and
        // stopKafka can signal the whole group.
        detached: true,
        stdio: ['ignore', out, out],
        cwd: p.dir,
      },
    );
    child.unref();
    if (!child.pid) throw new Error(`kafka: could not spawn ${JAVA}`);
    return child.pid;
  } finally {
    fs.closeSync(out); // the child keeps its own copy of the descriptor
  }
}

async function waitUntilReady({ p, pid, port, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      const tail = await logTail(p.log);
      throw startError(`kafka: broker exited during startup`, tail);
    }
    if (READY_LINE.test(await readText(p.log))) {
      // The log line alone does not prove a client can talk to it; ask over the wire.
      const apis = await apiVersions(port).catch(() => 0);
      if (apis > 0) return apis;
    }
    await sleep(250);
  }
  const tail = await logTail(p.log);
  const err = startError(`kafka: broker not ready after ${timeoutMs / 1000} s`, tail);
  err.quorumTimeout = true; // a plain timeout is what a slow quorum looks like
  throw err;
}

function startError(message, tail) {
  const err = new Error(`${message}; last log lines:\n${tail}`);
  err.quorumTimeout = QUORUM_TIMEOUT.test(tail) && /raft|quorum|controller|registration/i.test(tail);
  return err;
}

/**
 * Sends a raw ApiVersions v0 request and returns how many APIs the broker lists.
 * Request: int32 size | int16 api_key=18 | int16 version=0 | int32 correlation | string client_id.
 * Response: int32 size | int32 correlation | int16 error | int32 n | n * (int16 key, min, max).
 */
export function apiVersions(port, host = '127.0.0.1', timeoutMs = 3000) {
  const clientId = Buffer.from('stack-probe');
  const correlation = 0x5eed;
  const req = Buffer.alloc(4 + 10 + clientId.length);
  req.writeInt32BE(req.length - 4, 0);
  req.writeInt16BE(18, 4);
  req.writeInt16BE(0, 6);
  req.writeInt32BE(correlation, 8);
  req.writeInt16BE(clientId.length, 12);
  clientId.copy(req, 14);

  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    let buf = Buffer.alloc(0);
    const fail = (err) => {
      sock.destroy();
      reject(err);
    };
    sock.setTimeout(timeoutMs, () => fail(new Error('ApiVersions: timeout')));
    sock.on('error', fail);
    sock.on('connect', () => sock.write(req));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      sock.destroy();
      if (buf.readInt32BE(4) !== correlation) return reject(new Error('ApiVersions: bad correlation id'));
      const error = buf.readInt16BE(8);
      if (error !== 0) return reject(new Error(`ApiVersions: error code ${error}`));
      resolve(buf.readInt32BE(10));
    });
    sock.on('close', () => reject(new Error('ApiVersions: connection closed')));
  });
}

function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err) =>
      reject(new Error(`kafka: 127.0.0.1:${port} is already in use (${err.code}); pick another --port`)),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(resolve));
  });
}

// ---------------------------------------------------------------------------------------------
// Stop / status

/** Stops the broker recorded in the pid file (and only that one). No-op when nothing runs. */
export async function stopKafka({
  root = DEFAULT_ROOT,
  name = 'demo',
  timeoutMs = 20_000,
  log = process.stderr,
} = {}) {
  const p = paths(root, name);
  const pid = await readPid(p);
  if (!pid) return false;
  // Guard against pid reuse: only signal the JVM that runs *this* stack's server.properties.
  if (!isAlive(pid) || !(await isOurBroker(pid, p))) {
    await fsp.rm(p.pid, { force: true });
    return false;
  }
  log.write(`kafka: stopping broker pid ${pid}\n`);
  signalGroup(pid, 'SIGTERM'); // Kafka shuts down cleanly on SIGTERM
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) {
    log.write(`kafka: pid ${pid} still alive after ${timeoutMs / 1000} s, sending SIGKILL\n`);
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(100);
  }
  await fsp.rm(p.pid, { force: true });
  return true;
}

/** Reports whether the named broker runs and answers the protocol. */
export async function kafkaStatus({ root = DEFAULT_ROOT, name = 'demo', port = 19092 } = {}) {
  const p = paths(root, name);
  const pid = await readPid(p);
  const running = Boolean(pid && isAlive(pid) && (await isOurBroker(pid, p)));
  const apis = running ? await apiVersions(port).catch(() => 0) : 0;
  return { name, pid: running ? pid : null, running, brokers: `127.0.0.1:${port}`, answering: apis > 0 };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal); // detached => the JVM leads its own process group
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Whether process `pid` runs (a zombie does not). */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // A zombie still accepts signal 0 until its parent reaps it; treat it as gone.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

async function isOurBroker(pid, p) {
  let cmd;
  try {
    cmd = (await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    try {
      cmd = (await execFileP('ps', ['-o', 'command=', '-p', String(pid)])).stdout;
    } catch {
      return false;
    }
  }
  return cmd.includes('kafka.Kafka') && cmd.includes(p.props);
}

async function readPid(p) {
  const text = await readText(p.pid);
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 1 ? pid : null;
}

async function readText(file) {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

async function logTail(file, lines = 40) {
  return (await readText(file)).trimEnd().split('\n').slice(-lines).join('\n');
}

const devNull = { write() {} };

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const [command = 'status', ...rest] = argv;
  const opts = {};
  for (let i = 0; i < rest.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(rest[i]);
    if (!m) throw new Error(`unexpected argument ${rest[i]}`);
    opts[m[1]] = m[2] ?? rest[++i];
  }
  const port = Number(opts.port ?? 19092);
  return {
    command,
    root: opts.root ? path.resolve(opts.root) : DEFAULT_ROOT,
    name: opts.name ?? 'demo',
    port,
    controllerPort: Number(opts['controller-port'] ?? port + 1),
    heapMb: Number(opts.heap ?? 512),
    nodes: Number(opts.nodes ?? 1),
    timeoutMs: Number(opts.timeout ?? 90) * 1000,
  };
}

export async function kafkaCliMain(argv = process.argv.slice(2)) {
  const a = parseArgs(argv);
  switch (a.command) {
    case 'up': {
      // --nodes 3: a cluster on --port, --port + 2, --port + 4 (controllers one above each).
      const k =
        a.nodes > 1
          ? await startKafkaCluster({
              ...a,
              ports: Array.from({ length: a.nodes }, (_, i) => a.port + 2 * i),
            })
          : await startKafka(a);
      // stdout is machine-readable; progress went to stderr.
      process.stdout.write(
        `KAFKA_BROKERS=${k.brokers}\nKAFKA_PID=${k.pid ?? k.nodes.map((n) => n.pid).join(',')}\n`,
      );
      return 0;
    }
    case 'down': {
      const names = a.nodes > 1 ? Array.from({ length: a.nodes }, (_, i) => `${a.name}-${i + 1}`) : [a.name];
      // Together: a node that lost its quorum waits for it to shut down cleanly.
      await Promise.all(
        names.map(async (name) => {
          if (!(await stopKafka({ ...a, name })))
            process.stderr.write(`kafka: nothing running for "${name}"\n`);
        }),
      );
      return 0;
    }
    case 'status': {
      const s = await kafkaStatus(a);
      process.stdout.write(`${JSON.stringify(s)}\n`);
      return s.running && s.answering ? 0 : 1;
    }
    default:
      process.stderr.write(
        'usage: node tools/stack/kafka.mjs up|down|status [--name demo] [--port 19092] [--nodes 1|3] ' +
          '[--controller-port N] [--heap 512] [--timeout 90] [--root DIR]\n',
      );
      return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  kafkaCliMain().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
