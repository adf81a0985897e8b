import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import {
  AgencyAuthGuard,
  AgencyDirectory,
  Clock,
  createKafka,
  ensureTopics,
  EventPublisher,
  HealthController,
  IdGenerator,
  ProblemDetailsFilter,
  READINESS_CHECKS,
  type ReadinessCheck,
  SERVICE_SECTOR,
  strictValidationPipe,
  SystemClock,
  UuidV7Generator,
} from '@cie/platform';
import { Topics } from '@cie/contracts';
import { CourtsConfig } from './courts.config.js';
import { RECORDS_ERROR_STATUS } from './records/records.exception.js';
import { RecordsModule } from './records/records.module.js';

@Global()
@Module({})
export class AppModule {
  static forRoot(config: CourtsConfig): DynamicModule {
    const kafka = createKafka('courts', config.kafkaBrokers);
    return {
      module: AppModule,
      imports: [RecordsModule],
      controllers: [HealthController],
      providers: [
        { provide: CourtsConfig, useValue: config },
        { provide: SERVICE_SECTOR, useValue: 'courts' },
        { provide: AgencyDirectory, useValue: AgencyDirectory.fromFile(config.AGENCY_KEYS_FILE) },
        {
          provide: EventPublisher,
          useFactory: async () => {
            await ensureTopics(kafka, [{ topic: Topics.sectorEvents('courts') }]);
            return new EventPublisher(kafka);
          },
        },
        { provide: Clock, useClass: SystemClock },
        { provide: IdGenerator, useClass: UuidV7Generator },
        {
          provide: READINESS_CHECKS,
          inject: [EventPublisher],
          useFactory: (publisher: EventPublisher): ReadinessCheck[] => [
            { name: 'kafka', check: () => publisher.ready() },
          ],
        },
        AgencyAuthGuard,
        { provide: APP_PIPE, useFactory: strictValidationPipe },
        { provide: APP_FILTER, useValue: new ProblemDetailsFilter(RECORDS_ERROR_STATUS) },
      ],
      exports: [AgencyDirectory, EventPublisher, Clock, IdGenerator, SERVICE_SECTOR, AgencyAuthGuard],
    };
  }
}
