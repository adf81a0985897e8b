import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  DisputeFiledSchema,
  RepairRequestedSchema,
  type Sector,
  Topics,
} from '@cie/contracts';
import {
  bulkInsert,
  type Clock,
  deadLetterMessage,
  printable,
  readCloudEvent,
  unstorableText,
} from '@cie/platform';
import { isUUID } from 'class-validator';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';

/** A dispute or repair request as the agency's inbox keeps it. */
type Row = [
  string, // request_id
  'dispute' | 'repair',
  string, // agency_id
  string, // source_record_id
  string, // record_id
  string, // record_type
  number, // version
  string, // grounds
  string, // filed_by
  Date, // filed_at
  string | null, // due_by
  'open' | 'pending',
  Date, // received_at
];

/**
 * Reads the disputes and repair requests the exchange sends this sector (credit.<sector>.requests.v1)
 * into the agencies' inbox (`GET /v1/disputes`, `GET /v1/repairs`). Inserts are idempotent by
 * request id; a message that cannot be read goes to the topic's .dlq with the reason and the
 * partition moves on.
 */
export class RequestsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RequestsConsumer.name);
  private readonly consumer: Consumer;
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly sector: Sector,
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {
    this.consumer = kafka.consumer({ groupId: `${sector}-requests`, allowAutoTopicCreation: false });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: Topics.requests(this.sector), fromBeginning: true });
    await this.consumer.run({ eachBatch: (payload) => this.handle(payload) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async handle({ batch }: EachBatchPayload): Promise<void> {
    const now = this.clock.now();
    const rows: Row[] = [];
    const rejected: { message: KafkaMessage; reason: string }[] = [];
    for (const message of batch.messages) {
      try {
        rows.push(this.decode(message, now));
      } catch (error) {
        rejected.push({ message, reason: (error as Error).message });
      }
    }
    await bulkInsert(
      this.db,
      `${this.sector}.agency_requests`,
      [
        'request_id',
        'kind',
        'agency_id',
        'source_record_id',
        'record_id',
        'record_type',
        'version',
        'grounds',
        'filed_by',
        'filed_at',
        'due_by',
        'status',
        'received_at',
      ],
      rows,
      'ON CONFLICT (request_id) DO NOTHING',
    );
    if (rejected.length === 0) return;
    for (const { message, reason } of rejected)
      this.logger.warn(`request at ${batch.topic}[${batch.partition}]@${message.offset} refused: ${reason}`);
    await this.producer.send({
      topic: Topics.deadLetters(batch.topic),
      acks: -1,
      messages: rejected.map(({ message, reason }) =>
        deadLetterMessage(
          { topic: batch.topic, partition: batch.partition, offset: message.offset },
          message,
          reason,
        ),
      ),
    });
  }

  /** A row PostgreSQL would refuse fails the whole batch again and again: refused here, by field, to the .dlq. */
  private decode(message: KafkaMessage, now: Date): Row {
    const row = this.read(message, now);
    const [requestId, , agencyId, sourceRecordId, recordId, recordType, , grounds, filedBy, , dueBy] = row;
    for (const [field, id] of [
      ['request id', requestId],
      ['recordId', recordId],
    ] as const)
      if (!isUUID(id)) throw new Error(`${field} ${printable(id)} is not a UUID`);
    for (const [field, text] of Object.entries({ agencyId, sourceRecordId, recordType, grounds, filedBy })) {
      const why = unstorableText(text);
      if (why) throw new Error(`${field} ${why}`);
    }
    if (dueBy !== null && !/^\d{4}-\d{2}-\d{2}$/.test(dueBy))
      throw new Error(`dueBy ${printable(dueBy)} is not a date YYYY-MM-DD`);
    return row;
  }

  private read(message: KafkaMessage, now: Date): Row {
    const context = readCloudEvent(message.headers);
    if (!message.value) throw new Error('empty payload');
    if (context.type === AgencyRequestType.disputeFiled) {
      const d = fromBinary(DisputeFiledSchema, message.value);
      if (!d.source) throw new Error('source is required');
      return [
        d.disputeId,
        'dispute',
        d.source.agencyId,
        d.source.sourceRecordId,
        d.recordId,
        d.recordType,
        d.version,
        d.grounds,
        d.filedBy,
        d.filedAt ? timestampDate(d.filedAt) : now,
        d.dueBy || null,
        'open',
        now,
      ];
    }
    if (context.type === AgencyRequestType.repairRequested) {
      const r = fromBinary(RepairRequestedSchema, message.value);
      if (!r.source) throw new Error('source is required');
      return [
        r.requestId,
        'repair',
        r.source.agencyId,
        r.source.sourceRecordId,
        r.recordId,
        r.recordType,
        r.version,
        r.grounds,
        r.filedBy,
        r.filedAt ? timestampDate(r.filedAt) : now,
        null,
        'pending',
        now,
      ];
    }
    throw new Error(`unsupported request type ${context.type}`);
  }
}
