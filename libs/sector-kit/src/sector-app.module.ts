import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Topics } from '@cie/contracts';
import {
  AgencyAuthGuard,
  applyLegacyUsccAllowList,
  AgencyDirectory,
  Clock,
  ConsumerRunnerTransport,
  createKafka,
  ensureTopics,
  partitionCount,
  postgresPoolSettings,
  EventPublisher,
  HealthController,
  MetricsController,
  IdGenerator,
  ProblemDetailsFilter,
  READINESS_CHECKS,
  type ReadinessCheck,
  SERVICE_SECTOR,
  SystemClock,
  UuidV7Generator,
} from '@cie/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { intakeSchemaMigration } from './database/intake-schema.migration.js';
import { outcomesMigration } from './database/outcomes.migration.js';
import { agencyRequestsMigration } from './database/agency-requests.migration.js';
import { measureTasksMigration } from './database/measure-tasks.migration.js';
import { AgencyRequestsController } from './http/agency-requests.controller.js';
import { WhoamiController } from './http/whoami.controller.js';
import { RequestsConsumer } from './kafka/requests.consumer.js';
import { AgencyRateLimitGuard } from './http/agency-rate-limit.guard.js';
import { ContentTypeGuard } from './http/content-type.guard.js';
import { OpenApiController, SECTOR_DEFINITION } from './http/openapi.controller.js';
import { RecordsController } from './http/records.controller.js';
import { TasksController } from './http/tasks.controller.js';
import { sectorValidationPipe } from './http/edge-validation.js';
import { INTAKE_ERROR_STATUS } from './intake/intake.exception.js';
import { IntakeService } from './intake/intake.service.js';
import { OutcomesConsumer } from './kafka/outcomes.consumer.js';
import { sectorTopics } from './kafka/sector-topics.js';
import { SubmissionsConsumer } from './kafka/submissions.consumer.js';
import type { SectorDefinition } from './record-type.js';
import { MeasureTasksRepository } from './tasks/measure-tasks.repository.js';
import { SectorConfig } from './sector.config.js';

/**
 * Everything a sector service is, given its record types: agency auth, limits, the intake over
 * HTTP, NDJSON and Kafka, receipts, health. A sector's own code is only its SectorDefinition.
 */
@Module({})
export class SectorAppModule {
  static forSector(sector: SectorDefinition, config: SectorConfig): DynamicModule {
    applyLegacyUsccAllowList(config);
    const kafka = createKafka(sector.sector, config.kafkaConnection);
    const providers: Provider[] = [
      { provide: SectorConfig, useValue: config },
      { provide: SERVICE_SECTOR, useValue: sector.sector },
      { provide: SECTOR_DEFINITION, useValue: sector },
      { provide: Kafka, useValue: kafka },
      {
        provide: AgencyDirectory,
        useValue: AgencyDirectory.fromFile(config.AGENCY_KEYS_FILE, { demoMode: config.DEMO_MODE }),
      },
      { provide: Clock, useClass: SystemClock },
      { provide: IdGenerator, useClass: UuidV7Generator },
      {
        provide: EventPublisher,
        useFactory: async () => {
          await ensureTopics(kafka, sectorTopics(sector.sector), config.topicSettings);
          return new EventPublisher(
            kafka,
            await partitionCount(kafka, Topics.sectorEvents(sector.sector)),
            config.KAFKA_PUBLISH_TIMEOUT_MS,
          );
        },
      },
      {
        provide: DataSource,
        useFactory: async () => {
          const db = new DataSource({
            type: 'postgres',
            url: config.DATABASE_URL,
            schema: sector.sector,
            migrations: [
              intakeSchemaMigration(sector.sector),
              outcomesMigration(sector.sector),
              agencyRequestsMigration(sector.sector),
              measureTasksMigration(sector.sector),
            ],
            migrationsTableName: 'migrations',
            migrationsTransactionMode: 'all',
            synchronize: false,
            extra: {
              max: 10,
              application_name: sector.sector,
              ...postgresPoolSettings(config.databaseTimeouts),
            },
          });
          await db.initialize();
          await db.query(`CREATE SCHEMA IF NOT EXISTS ${sector.sector}`);
          await db.runMigrations();
          return db;
        },
      },
      {
        provide: IntakeService,
        inject: [DataSource, EventPublisher, Clock, IdGenerator],
        useFactory: (db: DataSource, publisher: EventPublisher, clock: Clock, ids: IdGenerator) =>
          new IntakeService(db, publisher, sector, clock, ids),
      },
      {
        provide: ConsumerRunnerTransport,
        useValue: new ConsumerRunnerTransport({
          kafka,
          stallAfterMs: config.KAFKA_STALL_AFTER_MS,
          params: { sector: sector.sector },
        }),
      },
      {
        provide: MeasureTasksRepository,
        inject: [DataSource],
        useFactory: (db: DataSource) => new MeasureTasksRepository(db, sector.sector),
      },
      {
        provide: READINESS_CHECKS,
        inject: [EventPublisher, DataSource, ConsumerRunnerTransport],
        useFactory: (
          publisher: EventPublisher,
          db: DataSource,
          consumers: ConsumerRunnerTransport,
        ): ReadinessCheck[] => [
          { name: 'kafka', check: () => publisher.ready() },
          { name: 'postgres', check: async () => void (await db.query('SELECT 1')) },
          ...(['submissions', 'outcomes', 'requests'] as const).map((role) => ({
            name: role,
            check: () => consumers.ready(`${sector.sector}-${role}`),
          })),
        ],
      },
      AgencyAuthGuard,
      AgencyRateLimitGuard,
      ContentTypeGuard,
      { provide: APP_PIPE, useFactory: sectorValidationPipe },
      { provide: APP_FILTER, useValue: new ProblemDetailsFilter(INTAKE_ERROR_STATUS) },
    ];
    return {
      module: SectorAppModule,
      controllers: [
        HealthController,
        MetricsController,
        RecordsController,
        AgencyRequestsController,
        TasksController,
        WhoamiController,
        OpenApiController,
        // Kafka consumers (@EventPattern), served by the ConsumerRunnerTransport startConsumers connects.
        SubmissionsConsumer,
        OutcomesConsumer,
        RequestsConsumer,
      ],
      providers,
    };
  }
}
