import { fileURLToPath } from 'node:url';
import { createKafka, EventPublisher, loadConfig } from '@cie/platform';
import { configureSectorApp, type SectorDefinition, SectorAppModule, SectorConfig } from '@cie/sector-kit';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { testDatabaseUrl } from './database.js';
import { testKafkaBrokers } from './kafka-reader.js';

export const DEMO_AGENCY_KEYS_FILE = fileURLToPath(
  new URL('../../../deploy/local/agency-keys.demo.json', import.meta.url),
);

/** A sector service's configuration for the integration tests: the test broker and database, demo keys. */
export const sectorTestConfig = (overrides: Record<string, string> = {}): SectorConfig =>
  loadConfig(SectorConfig, {
    DEMO_MODE: '1',
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    DATABASE_URL: testDatabaseUrl(),
    AGENCY_KEYS_FILE: DEMO_AGENCY_KEYS_FILE,
    PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    ...overrides,
  });

/**
 * A sector service whose publisher points at a port where no broker listens: a real kafkajs producer
 * that cannot connect, not a stand-in, so every publish fails as when Kafka is down. Listening on
 * 127.0.0.1, on a free port.
 */
export async function sectorAppWithoutBroker(
  sector: SectorDefinition,
  config: SectorConfig,
): Promise<NestExpressApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [SectorAppModule.forSector(sector, config)] })
    .overrideProvider(EventPublisher)
    .useValue(
      new EventPublisher(
        createKafka(`${sector.sector}-dead`, ['127.0.0.1:1'], {
          retry: { retries: 1, initialRetryTime: 100 },
          connectionTimeout: 500,
        }),
        3,
        config.KAFKA_PUBLISH_TIMEOUT_MS,
      ),
    )
    .compile();
  const app = await configureSectorApp(
    moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false }),
  );
  await app.listen(0, '127.0.0.1');
  return app;
}
