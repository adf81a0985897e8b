import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  DisputeFiledSchema,
  RepairRequestedSchema,
  type Sector,
  TopicPatterns,
} from '@cie/contracts';
import {
  bulkInsert,
  Clock,
  type ConsumerPatternExtras,
  decodePayload,
  readCloudEvent,
  RefusalError,
  type RefusingSlice,
  SERVICE_SECTOR,
  type SqlRunner,
} from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { measureTaskRow } from '../tasks/measure-task.decoder.js';
import { type MeasureTaskRow, MeasureTasksRepository } from '../tasks/measure-tasks.repository.js';

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

type Decoded = { request: Row } | { task: MeasureTaskRow };

/**
 * Reads the disputes, repair requests and measure tasks the exchange sends this sector
 * (credit.<sector>.requests.v1) into the agencies' inbox (`GET /v1/disputes`, `GET /v1/repairs`,
 * `GET /v1/tasks`). Inserts are idempotent by request or task id; a message that cannot be read (or
 * stored) goes to the topic's .dlq with its code and the partition moves on.
 */
@Controller()
export class RequestsConsumer {
  constructor(
    @Inject(SERVICE_SECTOR) private readonly sector: Sector,
    private readonly db: DataSource,
    private readonly tasks: MeasureTasksRepository,
    private readonly clock: Clock,
  ) {}

  @EventPattern(TopicPatterns.requests, { consumer: '{sector}-requests' } satisfies ConsumerPatternExtras)
  async handle(@Payload() slice: RefusingSlice): Promise<void> {
    const now = this.clock.now();
    const decoded = slice.decode((message) => this.decode(message, now)).map(({ value }) => value);
    const rows = decoded.flatMap((d) => ('request' in d ? [d.request] : []));
    const tasks = decoded.flatMap((d) => ('task' in d ? [d.task] : []));
    await this.db.transaction(async (em) => {
      if (tasks.length > 0) await this.tasks.insert(em, tasks);
      if (rows.length > 0) await this.insertRequests(em, rows);
    });
  }

  private async insertRequests(em: SqlRunner, rows: Row[]): Promise<void> {
    await bulkInsert(
      em,
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
  }

  private decode(message: KafkaMessage, now: Date): Decoded {
    const context = readCloudEvent(message.headers);
    if (context.type === AgencyRequestType.measureTask)
      return { task: measureTaskRow(message, context, now) };
    return { request: this.decodeRequest(message, context.type, now) };
  }

  private decodeRequest(message: KafkaMessage, type: string, now: Date): Row {
    if (type === AgencyRequestType.disputeFiled) {
      const d = decodePayload(DisputeFiledSchema, message);
      if (!d.source) throw new RefusalError('invalid_field', 'source is required', 'source');
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
        d.dueBy,
        'open',
        now,
      ];
    }
    if (type === AgencyRequestType.repairRequested) {
      const r = decodePayload(RepairRequestedSchema, message);
      if (!r.source) throw new RefusalError('invalid_field', 'source is required', 'source');
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
    throw new RefusalError('undecodable', `unsupported request type ${type}`);
  }
}
