import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Topics } from '@cie/contracts';
import {
  applyLegacyUsccAllowList,
  Clock,
  ConsumerRunnerTransport,
  createKafka,
  ensureTopics,
  EventPublisher,
  HealthController,
  IdGenerator,
  loadSignerKeys,
  MetricsController,
  partitionCount,
  ProblemDetailsFilter,
  READINESS_CHECKS,
  type ReadinessCheck,
  SystemClock,
  UuidV7Generator,
} from '@cie/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, ExchangeClients } from './access/exchange-clients.js';
import { AuditLog } from './audit/audit-log.js';
import {
  AUDIT_LOG,
  DEAD_LETTER_ERROR_STATUS,
  DeadLettersController,
} from './dead-letters/dead-letters.controller.js';
import { EXPLAIN_ERROR_STATUS, ExplainController } from './routing/explain.controller.js';
import { PolicyHolder } from './routing/policy-holder.js';
import { SUBJECT_ERROR_STATUS, SubjectsController } from './subjects/subjects.controller.js';
import { loadCatalogue } from './catalogue/catalogue.loader.js';
import { JOINT_MEASURES, loadJointMeasures } from './measures/measures.loader.js';
import { MeasuresMetrics } from './measures/measures.metrics.js';
import { MeasuresRepository } from './measures/measures.repository.js';
import { TasksController } from './measures/tasks.controller.js';
import { TASK_ERROR_STATUS, TasksService } from './measures/tasks.service.js';
import { createDataSource, migrate } from './database/data-source.js';
import { ExchangeConfig } from './exchange.config.js';
import { exchangeTopics } from './exchange-topics.js';
import { SubjectIdentityService } from './identity/subject-identity.service.js';
import { BatchProcessor } from './pipeline/batch-processor.js';
import { createBatchProcessor } from './pipeline/pipeline.factory.js';
import { ProgressRepository } from './pipeline/progress.repository.js';
import { SectorEventsConsumer } from './pipeline/sector-events.consumer.js';
import { loadPolicyFiles } from './routing/subscriber-policy.loader.js';
import { PolicyController } from './routing/policy.controller.js';
import { PolicyService } from './routing/policy.service.js';
import { DeletionAcksController } from './lifecycle/deletion-acks.controller.js';
import { ExpiryScheduler } from './lifecycle/expiry.scheduler.js';
import { FEED_ACK_SENDERS, FeedAcksConsumer } from './lifecycle/feed-acks.consumer.js';
import { LifecycleMetrics } from './lifecycle/lifecycle.metrics.js';
import {
  COMMAND_PUBLISHER,
  DisputeSettings,
  SUBJECT_RIGHTS_ERROR_STATUS,
  SubjectRightsController,
} from './lifecycle/subject-rights.controller.js';
import { loadWorkingCalendar } from './lifecycle/working-days.js';
import { DisputesRepository } from './lifecycle/disputes.repository.js';
import { SubjectRightsService } from './lifecycle/subject-rights.service.js';
import { RecordsRepository } from './records/records.repository.js';
import { CHECK_ERROR_STATUS } from './checks/checks.exception.js';
import { ChecksController } from './checks/checks.controller.js';
import { ChecksService } from './checks/checks.service.js';
import { SourceFreshnessReader } from './checks/source-freshness.reader.js';
import { ListEntriesReader } from './lists/list-entries.reader.js';
import { ReceiptService } from './receipts/receipt.service.js';
import { ReceiptSigner } from './receipts/receipt-signer.js';
import { RECEIPT_ERROR_STATUS } from './receipts/receipts.exception.js';
import { ReceiptsRepository } from './receipts/receipts.repository.js';
import { SigningKeyController } from './receipts/signing-key.controller.js';
import { SubjectRecordsReader } from './subjects/subject-records.reader.js';
import { HoldingsController } from './holdings/holdings.controller.js';
import { HoldingsReader } from './holdings/holdings.reader.js';
import { RESYNC_ERROR_STATUS, ResyncController } from './holdings/resync.controller.js';
import { OperatorPublisher } from './operator/operator-publisher.js';
import { LIST_ERROR_STATUS } from './lists/lists.exception.js';
import { ListsController } from './lists/lists.controller.js';
import { WhoamiController } from './access/whoami.controller.js';
import { ListsService } from './lists/lists.service.js';
import { ReportsController } from './reports/reports.controller.js';
import { ReportService } from './reports/report.service.js';

@Global()
@Module({})
export class AppModule {
  static forRoot(config: ExchangeConfig): DynamicModule {
    const { document: policyDocument, policy } = loadPolicyFiles(
      config.SUBSCRIBERS_FILE,
      config.RELEASE_RULES_FILE,
    );
    // Loaded and validated at start: a broken catalogue stops the exchange before it consumes anything.
    const catalogue = loadCatalogue(config.CATALOGUE_FILE);
    const jointMeasures = loadJointMeasures(catalogue, {
      lists: config.LISTS_FILE,
      memoranda: config.MEMORANDA_FILE,
    });
    const calendar = loadWorkingCalendar(config.HOLIDAYS_FILE);
    applyLegacyUsccAllowList(config);
    const ackSenders = loadSignerKeys('FEED_ACK_KEYS_FILE', config.FEED_ACK_KEYS_FILE, {
      demoMode: config.DEMO_MODE,
    });
    // Read at start: a missing or wrong key (or the demo key outside DEMO_MODE) stops the exchange.
    const signer = ReceiptSigner.fromFile(config.CHECK_SIGNING_KEY_FILE, { demoMode: config.DEMO_MODE });
    return {
      module: AppModule,
      controllers: [
        HealthController,
        MetricsController,
        DeadLettersController,
        ExplainController,
        SubjectsController,
        SubjectRightsController,
        DeletionAcksController,
        PolicyController,
        ChecksController,
        SigningKeyController,
        ListsController,
        HoldingsController,
        ResyncController,
        ReportsController,
        TasksController,
        WhoamiController,
        FeedAcksConsumer,
      ],
      providers: [
        { provide: ExchangeConfig, useValue: config },
        { provide: JOINT_MEASURES, useValue: jointMeasures },
        { provide: PolicyHolder, useValue: new PolicyHolder(policy) },
        {
          provide: ExchangeClients,
          useValue: ExchangeClients.fromFile(config.CLIENTS_FILE, { demoMode: config.DEMO_MODE }),
        },
        { provide: AUDIT_LOG, inject: [Clock], useFactory: (clock: Clock) => new AuditLog({ clock }) },
        ClientAuthGuard,
        { provide: ListEntriesReader, useValue: new ListEntriesReader() },
        { provide: HoldingsReader, useValue: new HoldingsReader() },
        {
          provide: ListsService,
          inject: [DataSource, ListEntriesReader, PolicyHolder, Clock],
          useFactory: (db: DataSource, entries: ListEntriesReader, policies: PolicyHolder, clock: Clock) =>
            new ListsService(db, jointMeasures, entries, () => policies.current, clock),
        },
        {
          provide: ReportService,
          inject: [DataSource, SubjectRecordsReader, ListEntriesReader, ReceiptService, PolicyHolder, Clock],
          useFactory: (
            db: DataSource,
            records: SubjectRecordsReader,
            entries: ListEntriesReader,
            receipts: ReceiptService,
            policies: PolicyHolder,
            clock: Clock,
          ) =>
            new ReportService(db, jointMeasures, records, entries, receipts, () => policies.current, clock),
        },
        {
          provide: SubjectRecordsReader,
          inject: [SubjectIdentityService, IdGenerator],
          useFactory: (identity: SubjectIdentityService, ids: IdGenerator) =>
            new SubjectRecordsReader(identity, ids),
        },
        {
          provide: ReceiptService,
          inject: [AUDIT_LOG, Clock],
          useFactory: (audit: AuditLog, clock: Clock) =>
            new ReceiptService(signer, new ReceiptsRepository(), audit, clock),
        },
        {
          provide: ChecksService,
          inject: [
            DataSource,
            SubjectIdentityService,
            ListEntriesReader,
            ReceiptService,
            Clock,
            PolicyHolder,
          ],
          useFactory: (
            db: DataSource,
            identity: SubjectIdentityService,
            entries: ListEntriesReader,
            receipts: ReceiptService,
            clock: Clock,
            policies: PolicyHolder,
          ) =>
            new ChecksService(
              db,
              jointMeasures,
              identity,
              entries,
              new SourceFreshnessReader(),
              receipts,
              clock,
              config.CHECK_STALE_AFTER_HOURS,
              () => policies.current,
            ),
        },
        { provide: Kafka, useValue: createKafka('exchange', config.kafkaConnection) },
        {
          provide: OperatorPublisher,
          inject: [Kafka],
          useFactory: (kafka: Kafka) => new OperatorPublisher(kafka),
        },
        {
          provide: DataSource,
          useFactory: async () => {
            const db = createDataSource(config.DATABASE_URL, config.databaseTimeouts);
            await db.initialize();
            await migrate(db);
            return db;
          },
        },
        {
          provide: SubjectIdentityService,
          useValue: new SubjectIdentityService(config.PSEUDONYM_SECRET, config.piiKeys),
        },
        { provide: Clock, useClass: SystemClock },
        { provide: IdGenerator, useClass: UuidV7Generator },
        { provide: DisputeSettings, useValue: new DisputeSettings(config.DISPUTE_WORKING_DAYS, calendar) },
        {
          provide: MeasuresMetrics,
          inject: [DataSource, Clock],
          useFactory: (db: DataSource, clock: Clock) => new MeasuresMetrics(db, clock, calendar),
        },
        {
          provide: TasksService,
          inject: [DataSource, COMMAND_PUBLISHER, Clock, IdGenerator],
          useFactory: (db: DataSource, commands: EventPublisher, clock: Clock, ids: IdGenerator) =>
            new TasksService(db, new MeasuresRepository(), commands, calendar, clock, ids),
        },
        {
          provide: LifecycleMetrics,
          inject: [DataSource, Clock],
          useFactory: (db: DataSource, clock: Clock) => new LifecycleMetrics(db, clock, calendar),
        },
        { provide: ProgressRepository, useValue: new ProgressRepository() },
        {
          provide: BatchProcessor,
          inject: [DataSource, Clock, IdGenerator, SubjectIdentityService, PolicyHolder, ProgressRepository],
          useFactory: (
            db: DataSource,
            clock: Clock,
            ids: IdGenerator,
            identity: SubjectIdentityService,
            policies: PolicyHolder,
            progress: ProgressRepository,
          ) =>
            createBatchProcessor({
              db,
              clock,
              ids,
              identity,
              policies,
              catalogue,
              progress,
              jointMeasures,
              calendar,
              actor: config.EXCHANGE_INSTANCE_ID,
            }),
        },
        {
          // Topics exist before the consumer subscribes: the sector topics, their dead-letter topics, each feed.
          provide: 'TOPICS',
          inject: [Kafka],
          useFactory: (kafka: Kafka) =>
            ensureTopics(kafka, exchangeTopics(policy.subscribers.map((s) => s.id)), config.topicSettings),
        },
        {
          provide: COMMAND_PUBLISHER,
          inject: [Kafka, 'TOPICS'],
          useFactory: async (kafka: Kafka) =>
            new EventPublisher(
              kafka,
              await partitionCount(kafka, Topics.exchangeCommands),
              config.KAFKA_PUBLISH_TIMEOUT_MS,
            ),
        },
        {
          provide: SubjectRightsService,
          inject: [
            DataSource,
            SubjectIdentityService,
            COMMAND_PUBLISHER,
            DisputeSettings,
            Clock,
            IdGenerator,
          ],
          useFactory: (
            db: DataSource,
            identity: SubjectIdentityService,
            commands: EventPublisher,
            settings: DisputeSettings,
            clock: Clock,
            ids: IdGenerator,
          ) =>
            new SubjectRightsService(
              db,
              new RecordsRepository(identity),
              new DisputesRepository(),
              commands,
              settings,
              clock,
              ids,
            ),
        },
        {
          provide: PolicyService,
          inject: [PolicyHolder, DataSource, Kafka, COMMAND_PUBLISHER, AUDIT_LOG, Clock, IdGenerator],
          useFactory: (
            holder: PolicyHolder,
            db: DataSource,
            kafka: Kafka,
            commands: EventPublisher,
            audit: AuditLog,
            clock: Clock,
            ids: IdGenerator,
          ) =>
            new PolicyService(
              holder,
              policyDocument,
              {
                subscribersFile: config.SUBSCRIBERS_FILE,
                releaseRulesFile: config.RELEASE_RULES_FILE,
                watchIntervalMs: config.POLICY_WATCH_INTERVAL_MS,
                topicSettings: config.topicSettings,
              },
              db,
              kafka,
              commands,
              audit,
              clock,
              ids,
              config.EXCHANGE_INSTANCE_ID,
            ),
        },
        {
          provide: ExpiryScheduler,
          inject: [DataSource, COMMAND_PUBLISHER, Clock, IdGenerator],
          useFactory: (db: DataSource, commands: EventPublisher, clock: Clock, ids: IdGenerator) =>
            new ExpiryScheduler(
              db,
              commands,
              clock,
              ids,
              config.EXCHANGE_INSTANCE_ID,
              config.EXPIRY_SCAN_INTERVAL_MS,
            ),
        },
        { provide: FEED_ACK_SENDERS, useValue: ackSenders },
        {
          // The consumers declared with @EventPattern (FeedAcksConsumer); main.ts starts them.
          provide: ConsumerRunnerTransport,
          inject: [Kafka, 'TOPICS'],
          useFactory: (kafka: Kafka) =>
            new ConsumerRunnerTransport({
              kafka,
              stallAfterMs: config.KAFKA_STALL_AFTER_MS,
              consumers: {
                [FeedAcksConsumer.consumer]: { groupId: `${config.KAFKA_CONSUMER_GROUP}.feed-acks` },
              },
            }),
        },
        {
          provide: SectorEventsConsumer,
          inject: [Kafka, ExchangeConfig, BatchProcessor, ProgressRepository, DataSource, 'TOPICS'],
          useFactory: (
            kafka: Kafka,
            c: ExchangeConfig,
            processor: BatchProcessor,
            progress: ProgressRepository,
            db: DataSource,
          ) => new SectorEventsConsumer(kafka, c, processor, progress, db),
        },
        {
          provide: READINESS_CHECKS,
          inject: [DataSource, SectorEventsConsumer, ConsumerRunnerTransport],
          useFactory: (
            db: DataSource,
            consumer: SectorEventsConsumer,
            consumers: ConsumerRunnerTransport,
          ): ReadinessCheck[] => [
            { name: 'postgres', check: async () => void (await db.query('SELECT 1')) },
            { name: 'kafka', check: () => consumer.ready() },
            { name: 'feed-acks', check: () => consumers.ready(FeedAcksConsumer.consumer) },
          ],
        },
        {
          provide: APP_FILTER,
          useValue: new ProblemDetailsFilter({
            ...DEAD_LETTER_ERROR_STATUS,
            ...EXPLAIN_ERROR_STATUS,
            ...RESYNC_ERROR_STATUS,
            ...SUBJECT_ERROR_STATUS,
            ...SUBJECT_RIGHTS_ERROR_STATUS,
            ...CHECK_ERROR_STATUS,
            ...RECEIPT_ERROR_STATUS,
            ...LIST_ERROR_STATUS,
            ...TASK_ERROR_STATUS,
          }),
        },
      ],
    };
  }
}
