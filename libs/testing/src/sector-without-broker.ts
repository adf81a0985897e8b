import { createKafka, EventPublisher } from '@cie/platform';
import {
  configureSectorApp,
  type SectorDefinition,
  SectorAppModule,
  type SectorConfig,
} from '@cie/sector-kit';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';

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
      ),
    )
    .compile();
  const app = configureSectorApp(
    moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false }),
  );
  await app.listen(0, '127.0.0.1');
  return app;
}
