import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import {
  Clock,
  ConsumerRunnerTransport,
  createKafka,
  ensureTopics,
  HealthController,
  MetricsController,
  ProblemDetailsFilter,
  READINESS_CHECKS,
  type ReadinessCheck,
  loadMessageSigner,
  MessageSigner,
  SystemClock,
} from '@cie/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { openDatabase } from './database/data-source.js';
import { FeedApplier } from './feed/feed-applier.service.js';
import { FeedConsumer } from './feed/feed.consumer.js';
import { HoldingsRepository } from './holdings/holdings.repository.js';
import { PlatformAuthGuard, PlatformClients } from './access/platform-clients.js';
import { RegionalPlatformConfig } from './platform.config.js';
import { platformTopics } from './platform-topics.js';
import { RecordsController } from './records/records.controller.js';
import { RECORDS_ERROR_STATUS } from './records/records.exception.js';
import { TasksController } from './tasks/tasks.controller.js';
import { TasksRepository } from './tasks/tasks.repository.js';

@Global()
@Module({})
export class AppModule {
  static forRoot(config: RegionalPlatformConfig): DynamicModule {
    // Loaded at start: a platform without its ack key stops before it consumes anything.
    const ackSigner = loadMessageSigner(
      'FEED_ACK_SIGNING_KEYS_FILE',
      config.FEED_ACK_SIGNING_KEYS_FILE,
      config.SUBSCRIBER_ID,
      { demoMode: config.DEMO_MODE },
    );
    return {
      module: AppModule,
      // FeedConsumer: the feed's @EventPattern handler, served by the ConsumerRunnerTransport below.
      controllers: [HealthController, MetricsController, RecordsController, TasksController, FeedConsumer],
      providers: [
        { provide: RegionalPlatformConfig, useValue: config },
        {
          provide: PlatformClients,
          useValue: PlatformClients.fromFile(config.PLATFORM_CLIENTS_FILE, { demoMode: config.DEMO_MODE }),
        },
        PlatformAuthGuard,
        { provide: Clock, useClass: SystemClock },
        {
          provide: Kafka,
          useValue: createKafka(`regional-platform-${config.SUBSCRIBER_ID}`, config.kafkaConnection),
        },
        {
          provide: DataSource,
          useFactory: () => openDatabase(config.DATABASE_URL, config.schema, config.databaseTimeouts),
        },
        {
          provide: HoldingsRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) => new HoldingsRepository(db),
        },
        {
          provide: TasksRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) => new TasksRepository(db),
        },
        {
          provide: FeedApplier,
          inject: [DataSource, HoldingsRepository, Clock],
          useFactory: (db: DataSource, holdings: HoldingsRepository, clock: Clock) =>
            new FeedApplier(db, holdings, clock),
        },
        {
          // The exchange normally creates the feed; creating what is missing lets a platform start first.
          provide: 'TOPICS',
          inject: [Kafka],
          useFactory: (kafka: Kafka) =>
            ensureTopics(kafka, platformTopics(config.SUBSCRIBER_ID), config.topicSettings),
        },
        { provide: MessageSigner, useValue: ackSigner },
        {
          provide: ConsumerRunnerTransport,
          inject: [Kafka],
          useFactory: (kafka: Kafka) =>
            new ConsumerRunnerTransport({
              kafka,
              stallAfterMs: config.KAFKA_STALL_AFTER_MS,
              params: { subscriber: config.SUBSCRIBER_ID },
              consumers: { [FeedConsumer.consumer]: FeedConsumer.settings(config) },
            }),
        },
        {
          provide: READINESS_CHECKS,
          inject: [DataSource, ConsumerRunnerTransport],
          useFactory: (db: DataSource, consumers: ConsumerRunnerTransport): ReadinessCheck[] => [
            { name: 'postgres', check: async () => void (await db.query('SELECT 1')) },
            { name: 'kafka', check: () => consumers.ready(FeedConsumer.consumer) },
          ],
        },
        { provide: APP_FILTER, useValue: new ProblemDetailsFilter(RECORDS_ERROR_STATUS) },
      ],
    };
  }
}
