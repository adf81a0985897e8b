import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AgencyRequestType, DisputeFiledSchema, RepairRequestedSchema, Topics } from '@cie/contracts';
import {
  BrokerUnavailableError,
  Clock,
  CodedException,
  EventPublisher,
  IdGenerator,
  strictValidationPipe,
  traceparentOf,
} from '@cie/platform';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { DataSource, type EntityManager } from 'typeorm';
import { ClientAuthGuard, Roles } from '../access/exchange-clients.js';
import type { CanonicalRecord, RecordStatusName } from '../domain/canonical-record.js';
import { chinaDate, ENDED_STATUSES, isDisclosed } from '../delivery/domain/disclosure.js';
import { WorkingCalendar } from './working-days.js';

export enum SubjectRightsErrorCode {
  RECORD_NOT_FOUND = 'RECORD_NOT_FOUND',
  DISPUTE_NOT_FOUND = 'DISPUTE_NOT_FOUND',
  REPAIR_NOT_FOUND = 'REPAIR_NOT_FOUND',
  RECORD_NOT_DISCLOSED = 'RECORD_NOT_DISCLOSED',
  DISPUTE_ALREADY_OPEN = 'DISPUTE_ALREADY_OPEN',
  REPAIR_ALREADY_PENDING = 'REPAIR_ALREADY_PENDING',
  NOT_REPAIRABLE_YET = 'NOT_REPAIRABLE_YET',
  BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE',
}
export const SUBJECT_RIGHTS_ERROR_STATUS: Record<SubjectRightsErrorCode, number> = {
  [SubjectRightsErrorCode.RECORD_NOT_FOUND]: 404,
  [SubjectRightsErrorCode.DISPUTE_NOT_FOUND]: 404,
  [SubjectRightsErrorCode.REPAIR_NOT_FOUND]: 404,
  [SubjectRightsErrorCode.RECORD_NOT_DISCLOSED]: 409,
  [SubjectRightsErrorCode.DISPUTE_ALREADY_OPEN]: 409,
  [SubjectRightsErrorCode.REPAIR_ALREADY_PENDING]: 409,
  [SubjectRightsErrorCode.NOT_REPAIRABLE_YET]: 422,
  [SubjectRightsErrorCode.BROKER_UNAVAILABLE]: 503,
};
class SubjectRightsException extends CodedException<SubjectRightsErrorCode> {
  override readonly name = 'SubjectRightsException';
  constructor(code: SubjectRightsErrorCode, message: string, field?: string) {
    super(code, message, field ? [{ field, detail: message }] : []);
  }
}

/** A dispute (异议) or a credit repair request (信用修复), filed for the subject it is about. */
export class SubjectRequestDto {
  @IsUUID('all', { message: 'recordId must be the exchange record id (a UUID)' })
  recordId!: string;

  @IsString()
  @IsNotEmpty({ message: 'grounds must say why' })
  @MaxLength(4000)
  grounds!: string;

  /** Who files it: "subject", or a representative, e.g. "representative:张律师". */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  filedBy!: string;
}

/** Dispute deadlines: working days, and the holidays that do not count. */
export class DisputeSettings {
  constructor(
    readonly workingDays: number,
    readonly calendar: WorkingCalendar,
  ) {}
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Publishes the exchange's own lifecycle commands (disputes, repair requests, expiry). */
export const COMMAND_PUBLISHER = Symbol('COMMAND_PUBLISHER');

interface HeldRecord {
  record_id: string;
  sector: string;
  agency_id: string;
  status: RecordStatusName;
  current_version: number;
  open_dispute_id: string | null;
  body: CanonicalRecord;
}

/** Dates as the text PostgreSQL keeps (node-postgres would turn a date into local midnight). */
const DISPUTE_COLUMNS = `dispute_id, record_id, sector, agency_id, version, status, filed_at, flagged_at,
  due_by::text AS due_by, outcome, note, resolved_at`;

interface DisputeRow {
  dispute_id: string;
  record_id: string;
  sector: string;
  agency_id: string;
  version: number;
  status: string;
  filed_at: Date;
  flagged_at: Date | null;
  due_by: string;
  outcome: string | null;
  note: string | null;
  resolved_at: Date | null;
}

/**
 * The data subject's rights at the exchange (DESIGN §8), for the channel that serves subjects
 * (`subject-desk`) and for operators: file a dispute or a repair request, and follow it. The request
 * is stored and its command sent to the exchange's commands topic in one step (the response comes
 * only once Kafka has it); the ingest pipeline then flags the record, tells every past receiver and
 * hands the request to the owning agency's sector service, exactly once whichever instance took it.
 */
@Controller('v1')
@UseGuards(ClientAuthGuard)
@Roles('operator', 'subject-desk')
export class SubjectRightsController {
  constructor(
    private readonly db: DataSource,
    @Inject(COMMAND_PUBLISHER) private readonly commands: EventPublisher,
    private readonly settings: DisputeSettings,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  @Post('disputes')
  @HttpCode(202)
  async fileDispute(
    @Body(strictValidationPipe()) body: SubjectRequestDto,
    @Res({ passthrough: true }) response: Response,
    @Headers('traceparent') traceparent?: string,
  ) {
    const now = this.clock.now();
    const disputeId = this.ids.next();
    const dueBy = this.settings.calendar.deadline(now, this.settings.workingDays);
    return this.db.transaction(async (em) => {
      const held = await this.disclosedRecord(em, body.recordId, now);
      if (held.open_dispute_id)
        throw new SubjectRightsException(
          SubjectRightsErrorCode.DISPUTE_ALREADY_OPEN,
          `record ${held.record_id} already has open dispute ${held.open_dispute_id}`,
          'recordId',
        );
      const inserted = await em.query<{ dispute_id: string }[]>(
        `INSERT INTO exchange.disputes (dispute_id, record_id, sector, agency_id, version, grounds, filed_by, filed_at, due_by, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open') ON CONFLICT DO NOTHING RETURNING dispute_id`,
        [
          disputeId,
          held.record_id,
          held.sector,
          held.agency_id,
          held.current_version,
          body.grounds,
          body.filedBy,
          now,
          dueBy,
        ],
      );
      if (inserted.length === 0)
        throw new SubjectRightsException(
          SubjectRightsErrorCode.DISPUTE_ALREADY_OPEN,
          `record ${held.record_id} already has an open dispute`,
          'recordId',
        );
      await this.send(AgencyRequestType.disputeFiled, held, now, traceparent, (source) => ({
        schema: DisputeFiledSchema,
        message: {
          disputeId,
          recordId: held.record_id,
          source,
          recordType: held.body.kind,
          version: held.current_version,
          grounds: body.grounds,
          filedBy: body.filedBy,
          filedAt: timestampFromDate(now),
          dueBy,
        },
      }));
      response.setHeader('Location', `/v1/disputes/${disputeId}`);
      return { disputeId, recordId: held.record_id, status: 'open', filedAt: now.toISOString(), dueBy };
    });
  }

  @Get('disputes/:id')
  async dispute(@Param('id', new ParseUUIDPipe()) id: string) {
    const [row] = await this.db.query<DisputeRow[]>(
      `SELECT ${DISPUTE_COLUMNS} FROM exchange.disputes WHERE dispute_id = $1`,
      [id],
    );
    if (!row) throw new SubjectRightsException(SubjectRightsErrorCode.DISPUTE_NOT_FOUND, `no dispute ${id}`);
    return this.disputeView(row, this.clock.now());
  }

  /** Operators: disputes by status and sector, with how many are overdue. */
  @Get('disputes')
  @Roles('operator')
  async disputes(
    @Query('status') status: string | undefined,
    @Query('sector') sector: string | undefined,
    @Query('overdue') overdue: string | undefined,
  ) {
    const now = this.clock.now();
    const rows = await this.db.query<DisputeRow[]>(
      `SELECT ${DISPUTE_COLUMNS} FROM exchange.disputes WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR sector = $2)
       ORDER BY filed_at DESC LIMIT 1000`,
      [status ?? null, sector ?? null],
    );
    const views = rows.map((r) => this.disputeView(r, now));
    const listed = overdue === 'true' ? views.filter((v) => v.overdue) : views;
    return {
      disputes: listed,
      open: views.filter((v) => v.status === 'open').length,
      overdue: views.filter((v) => v.overdue).length,
    };
  }

  @Post('repairs')
  @HttpCode(202)
  async requestRepair(
    @Body(strictValidationPipe()) body: SubjectRequestDto,
    @Res({ passthrough: true }) response: Response,
    @Headers('traceparent') traceparent?: string,
  ) {
    const now = this.clock.now();
    const requestId = this.ids.next();
    return this.db.transaction(async (em) => {
      const held = await this.disclosedRecord(em, body.recordId, now);
      const repairableFrom = held.body.disclosure.repairableFrom ?? null;
      if (!repairableFrom)
        throw new SubjectRightsException(
          SubjectRightsErrorCode.NOT_REPAIRABLE_YET,
          `a ${held.body.kind} record cannot be repaired under catalogue ${held.body.catalogueEdition}`,
          'recordId',
        );
      if (repairableFrom > this.settings.calendar.dateOf(now))
        throw new SubjectRightsException(
          SubjectRightsErrorCode.NOT_REPAIRABLE_YET,
          `record ${held.record_id} can be repaired from ${repairableFrom}`,
          'recordId',
        );
      const inserted = await em.query<{ request_id: string }[]>(
        `INSERT INTO exchange.repair_requests (request_id, record_id, sector, agency_id, version, grounds, filed_by, filed_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') ON CONFLICT DO NOTHING RETURNING request_id`,
        [
          requestId,
          held.record_id,
          held.sector,
          held.agency_id,
          held.current_version,
          body.grounds,
          body.filedBy,
          now,
        ],
      );
      if (inserted.length === 0)
        throw new SubjectRightsException(
          SubjectRightsErrorCode.REPAIR_ALREADY_PENDING,
          `record ${held.record_id} already has a pending repair request`,
          'recordId',
        );
      await this.send(AgencyRequestType.repairRequested, held, now, traceparent, (source) => ({
        schema: RepairRequestedSchema,
        message: {
          requestId,
          recordId: held.record_id,
          source,
          recordType: held.body.kind,
          version: held.current_version,
          grounds: body.grounds,
          filedBy: body.filedBy,
          filedAt: timestampFromDate(now),
        },
      }));
      response.setHeader('Location', `/v1/repairs/${requestId}`);
      return { requestId, recordId: held.record_id, status: 'pending', filedAt: now.toISOString() };
    });
  }

  @Get('repairs/:id')
  async repair(@Param('id', new ParseUUIDPipe()) id: string) {
    const [row] = await this.db.query<
      {
        request_id: string;
        record_id: string;
        sector: string;
        status: string;
        filed_at: Date;
        note: string | null;
        decided_at: Date | null;
      }[]
    >(
      `SELECT request_id, record_id, sector, status, filed_at, note, decided_at FROM exchange.repair_requests WHERE request_id = $1`,
      [id],
    );
    if (!row)
      throw new SubjectRightsException(SubjectRightsErrorCode.REPAIR_NOT_FOUND, `no repair request ${id}`);
    return {
      requestId: row.request_id,
      recordId: row.record_id,
      sector: row.sector,
      status: row.status,
      filedAt: row.filed_at.toISOString(),
      note: row.note,
      decidedAt: row.decided_at?.toISOString() ?? null,
    };
  }

  /** The record, locked, if it is still disclosed (not ended, within its disclosure period). */
  private async disclosedRecord(em: EntityManager, recordId: string, now: Date): Promise<HeldRecord> {
    const [held] = await em.query<HeldRecord[]>(
      `SELECT r.record_id, r.sector, r.agency_id, r.status, r.current_version, r.open_dispute_id, v.body
         FROM exchange.records r JOIN exchange.record_versions v ON v.record_id = r.record_id AND v.version = r.current_version
        WHERE r.record_id = $1 FOR UPDATE OF r`,
      [recordId],
    );
    if (!held)
      throw new SubjectRightsException(
        SubjectRightsErrorCode.RECORD_NOT_FOUND,
        `no record ${recordId}`,
        'recordId',
      );
    if (!isDisclosed({ status: held.status, disclosure: held.body.disclosure }, chinaDate(now)))
      throw new SubjectRightsException(
        SubjectRightsErrorCode.RECORD_NOT_DISCLOSED,
        `record ${recordId} is no longer disclosed (${ENDED_STATUSES.includes(held.status) ? held.status : `disclosure ended ${held.body.disclosure.disclosureUntil}`})`,
        'recordId',
      );
    return held;
  }

  /** The command, on the exchange's commands topic keyed by record id; 503 when Kafka does not take it. */
  private async send(
    type: string,
    held: HeldRecord,
    now: Date,
    /** The caller's W3C trace context: the command continues it (with tracing on, the request's span does). */
    callerTrace: string | undefined,
    build: (source: CanonicalRecord['source']) => {
      schema: typeof DisputeFiledSchema | typeof RepairRequestedSchema;
      message: object;
    },
  ): Promise<void> {
    const { schema, message } = build(held.body.source);
    try {
      await this.commands.publish(
        Topics.exchangeCommands,
        held.record_id,
        schema,
        create(schema, message as never),
        {
          id: this.ids.next(),
          source: '/exchange/api',
          type,
          time: now,
          subject: held.body.subject.canonicalId,
          ...(!traceparentOf() && callerTrace && TRACEPARENT.test(callerTrace)
            ? { traceparent: callerTrace }
            : {}),
        },
      );
    } catch (error) {
      if (error instanceof BrokerUnavailableError)
        throw new SubjectRightsException(
          SubjectRightsErrorCode.BROKER_UNAVAILABLE,
          'the exchange cannot take requests right now; nothing was filed, try again',
        );
      throw error;
    }
  }

  private disputeView(row: DisputeRow, now: Date) {
    const dueBy = row.due_by;
    return {
      disputeId: row.dispute_id,
      recordId: row.record_id,
      sector: row.sector,
      agencyId: row.agency_id,
      version: row.version,
      status: row.status,
      filedAt: row.filed_at.toISOString(),
      flaggedAt: row.flagged_at?.toISOString() ?? null,
      dueBy,
      overdue: row.status === 'open' && this.settings.calendar.isOverdue(dueBy, now),
      outcome: row.outcome,
      note: row.note,
      resolvedAt: row.resolved_at?.toISOString() ?? null,
    };
  }
}
