// Jest globalSetup of every integration test project (jest.int.config.js).
// With KAFKA_BROKERS and DATABASE_URL set (what `npm test` does), it only checks that both answer.
// Without them it starts throwaway containers when a container engine is reachable, else fails
// with instructions. Kept free of relative imports: jest may load it outside its module mapper.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

/** Stop functions of the containers started here, run by global-teardown.ts (same process). */
export const CONTAINERS_KEY = '__cieTestContainers';
type Stopper = () => Promise<unknown>;
type GlobalWithContainers = typeof globalThis & { [CONTAINERS_KEY]?: Stopper[] };

export default async function globalSetup(): Promise<void> {
  const haveKafka = Boolean(process.env['KAFKA_BROKERS']);
  const haveDatabase = Boolean(process.env['DATABASE_URL']);
  if (!haveKafka || !haveDatabase) {
    if (!containerEngineAvailable()) {
      throw new Error(
        'Integration tests need KAFKA_BROKERS and DATABASE_URL: run `npm test`, which starts a local Kafka ' +
          'broker and database, or set them to your own.',
      );
    }
    await startContainers({ kafka: !haveKafka, database: !haveDatabase });
  }
  await Promise.all([
    checkKafka(process.env['KAFKA_BROKERS'] ?? ''),
    checkDatabase(process.env['DATABASE_URL'] ?? ''),
  ]);
}

function containerEngineAvailable(): boolean {
  return Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}

async function checkKafka(brokers: string): Promise<void> {
  const kafka = new Kafka({
    clientId: 'cie-test-global-setup',
    brokers: brokers.split(',').map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 5, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  try {
    try {
      await admin.connect();
      await admin.describeCluster();
    } catch (err) {
      throw new Error(`KAFKA_BROKERS=${brokers} does not answer as a Kafka cluster: ${message(err)}`);
    }
    try {
      // A fresh broker creates __consumer_offsets on the first group lookup; wait for it here so
      // the tests' first consumer does not race it ("The group coordinator is not available").
      await admin.describeGroups(['cie-test-global-setup']);
    } catch (err) {
      throw new Error(`KAFKA_BROKERS=${brokers} has no consumer group coordinator: ${message(err)}`);
    }
    await warmUpTransactions(kafka, brokers);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Likewise creates the transaction state log, so the tests' first transactional producer does not wait for it. */
async function warmUpTransactions(kafka: Kafka, brokers: string): Promise<void> {
  const producer = kafka.producer({
    transactionalId: `cie-test-global-setup-${process.pid}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  try {
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.abort();
  } catch (err) {
    throw new Error(`KAFKA_BROKERS=${brokers} has no transaction coordinator: ${message(err)}`);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

async function checkDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(`DATABASE_URL=${redact(url)} does not answer \`select 1\`: ${message(err)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startContainers(wanted: { kafka: boolean; database: boolean }): Promise<void> {
  // Only this branch needs testcontainers, so only it loads them.
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const stoppers: Stopper[] = ((globalThis as GlobalWithContainers)[CONTAINERS_KEY] ??= []);

  if (wanted.database) {
    const postgres = await new PostgreSqlContainer('postgres:15').start();
    stoppers.push(() => postgres.stop());
    process.env['DATABASE_URL'] = postgres.getConnectionUri();
  }
  if (wanted.kafka) {
    // apache/kafka must advertise the address clients dial, so map a free host port to the same
    // container port and advertise it on the container engine's host.
    const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
    const port = await freePort();
    const kafka = await new GenericContainer('apache/kafka:3.9.1')
      .withExposedPorts({ container: port, host: port })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_NUM_PARTITIONS: '3',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(120_000)
      .start();
    stoppers.push(() => kafka.stop());
    process.env['KAFKA_BROKERS'] = `${host}:${port}`;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
