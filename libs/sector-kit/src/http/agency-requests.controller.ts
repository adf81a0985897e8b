import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  DisputeResolutionSchema,
  RepairDecisionSchema,
  SourceRefSchema,
} from '@cie/contracts';
import {
  type Agency,
  AgencyAuthGuard,
  Clock,
  CurrentAgency,
  EventPublisher,
  IdGenerator,
  isPastDue,
  type SqlRunner,
  uuidParam,
} from '@cie/platform';
import { DataSource } from 'typeorm';
import { IntakeErrorCode, IntakeException } from '../intake/intake.exception.js';
import type { SectorDefinition } from '../record-type.js';
import { DisputeResolutionDto, RepairDecisionDto } from './agency-answers.dto.js';
import { publishAgencyAnswer, requireStatus } from './agency-inbox.js';
import { SECTOR_DEFINITION } from './openapi.controller.js';

interface RequestRow {
  request_id: string;
  kind: 'dispute' | 'repair';
  agency_id: string;
  source_record_id: string;
  record_id: string;
  record_type: string;
  version: number;
  grounds: string;
  filed_by: string;
  filed_at: Date;
  due_by: string | null;
  status: string;
  answer: string | null;
  note: string | null;
  answered_at: Date | null;
  answer_event_id: string | null;
}

const COLUMNS = `request_id, kind, agency_id, source_record_id, record_id, record_type, version, grounds, filed_by,
  filed_at, due_by::text AS due_by, status, answer, note, answered_at, answer_event_id`;

/**
 * An agency's inbox of disputes and repair requests about its own records (DESIGN §8), and its
 * answers. An answer is stored, then published on the sector's events topic, in the record subject's
 * order, for the exchange to apply and propagate; the request is answered here once Kafka has it.
 */
@Controller('v1')
@UseGuards(AgencyAuthGuard)
export class AgencyRequestsController {
  constructor(
    private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(SECTOR_DEFINITION) private readonly sector: SectorDefinition,
  ) {}

  /** Disputes about the agency's records; `?status=open` (default), `resolved` or `all`; overdue ones counted. */
  @Get('disputes')
  async disputes(@CurrentAgency() agency: Agency, @Query('status') status = 'open') {
    return this.inbox(agency, 'dispute', status, ['open', 'resolved']);
  }

  @Get('disputes/:id')
  async dispute(@CurrentAgency() agency: Agency, @Param('id', uuidParam('id')) id: string) {
    return this.view(await this.find(agency, 'dispute', id), this.clock.now());
  }

  @Post('disputes/:id/resolution')
  @HttpCode(202)
  async resolve(
    @CurrentAgency() agency: Agency,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: DisputeResolutionDto,
  ) {
    const row = await this.find(agency, 'dispute', id);
    if (body.outcome === 'corrected' && row.status === 'open') {
      const [record] = await this.db.query<{ version: number }[]>(
        `SELECT version FROM ${this.sector.sector}.records WHERE agency_id = $1 AND source_record_id = $2`,
        [agency.agencyId, row.source_record_id],
      );
      if (!record || record.version <= row.version)
        throw new IntakeException(
          IntakeErrorCode.INVALID_RECORD,
          `the dispute was filed against version ${row.version}: send the correction (POST /v1/records/${row.source_record_id}/corrections) before resolving it as corrected`,
          [{ field: 'outcome', detail: 'no correction was sent after the dispute was filed' }],
        );
    }
    const note = body.note ?? '';
    return this.answer(
      agency,
      row,
      { answer: body.outcome, status: 'resolved', note },
      AgencyRequestType.disputeResolved,
      DisputeResolutionSchema,
      (at) => ({
        disputeId: id,
        source: this.sourceOf(agency, row),
        outcome: body.outcome,
        note,
        resolvedAt: timestampFromDate(at),
      }),
    );
  }

  /** Repair requests about the agency's records; `?status=pending` (default), `approved`, `rejected` or `all`. */
  @Get('repairs')
  async repairs(@CurrentAgency() agency: Agency, @Query('status') status = 'pending') {
    return this.inbox(agency, 'repair', status, ['pending', 'approved', 'rejected']);
  }

  @Get('repairs/:id')
  async repair(@CurrentAgency() agency: Agency, @Param('id', uuidParam('id')) id: string) {
    return this.view(await this.find(agency, 'repair', id), this.clock.now());
  }

  @Post('repairs/:id/decision')
  @HttpCode(202)
  async decide(
    @CurrentAgency() agency: Agency,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: RepairDecisionDto,
  ) {
    const row = await this.find(agency, 'repair', id);
    const decision = body.approved ? 'approved' : 'rejected';
    const note = body.note ?? '';
    return this.answer(
      agency,
      row,
      { answer: decision, status: decision, note },
      AgencyRequestType.repairDecided,
      RepairDecisionSchema,
      (at) => ({
        requestId: id,
        source: this.sourceOf(agency, row),
        approved: body.approved,
        note,
        decidedAt: timestampFromDate(at),
      }),
    );
  }

  private async inbox(agency: Agency, kind: 'dispute' | 'repair', status: string, statuses: string[]) {
    requireStatus(status, statuses);
    const rows = await this.db.query<RequestRow[]>(
      `SELECT ${COLUMNS} FROM ${this.sector.sector}.agency_requests
        WHERE agency_id = $1 AND kind = $2 AND ($3 = 'all' OR status = $3) ORDER BY filed_at LIMIT 1000`,
      [agency.agencyId, kind, status],
    );
    const now = this.clock.now();
    const items = rows.map((r) => this.view(r, now));
    return { items, count: items.length, overdue: items.filter((i) => i.overdue).length };
  }

  /**
   * Stores the answer, then publishes it, then marks the request answered. Never published unless
   * stored: the answer and its event id are written (the request still open) before Kafka sees it.
   * Never lost once acknowledged: the 202 comes only after Kafka has it. When publishing fails the
   * agency gets 503 and the same answer sent again is published again under the same event id and
   * time (the exchange de-duplicates by event id); a different answer is a 409, since the first one
   * may have reached Kafka although its acknowledgement did not come back.
   */
  private async answer<D extends DescMessage>(
    agency: Agency,
    request: RequestRow,
    given: { answer: string; status: string; note: string },
    type: string,
    schema: D,
    message: (answeredAt: Date) => Partial<MessageShape<D>>,
  ) {
    const stored = await this.db.transaction(async (em) => {
      const row = await this.find(agency, request.kind, request.request_id, em, 'FOR UPDATE');
      if (row.answer_event_id) {
        const published = row.status !== 'open' && row.status !== 'pending';
        if (row.answer !== given.answer || (row.note ?? '') !== given.note)
          throw this.conflict(
            published
              ? `${request.kind === 'dispute' ? 'dispute' : 'repair request'} ${row.request_id} is already ${row.status}`
              : `${row.request_id} was already answered ${row.answer} and that answer is being published; send the same answer again`,
          );
        return { eventId: row.answer_event_id, at: row.answered_at ?? this.clock.now(), published };
      }
      const eventId = this.ids.next();
      const at = this.clock.now();
      await em.query(
        `UPDATE ${this.sector.sector}.agency_requests SET answer = $2, note = $3, answered_at = $4, answer_event_id = $5 WHERE request_id = $1`,
        [row.request_id, given.answer, given.note, at, eventId],
      );
      return { eventId, at, published: false };
    });
    if (!stored.published) {
      await this.publish(agency, request, stored.eventId, stored.at, type, schema, message(stored.at));
      await this.db.query(
        `UPDATE ${this.sector.sector}.agency_requests SET status = $2 WHERE request_id = $1 AND answer_event_id = $3`,
        [request.request_id, given.status, stored.eventId],
      );
    }
    const updated = await this.find(agency, request.kind, request.request_id);
    return { ...this.view(updated, this.clock.now()), answer: given.answer, eventId: stored.eventId };
  }

  /** On the sector topic, keyed like the record, so the answer stays in order with its events. */
  private async publish<D extends DescMessage>(
    agency: Agency,
    row: RequestRow,
    eventId: string,
    at: Date,
    type: string,
    schema: D,
    message: Partial<MessageShape<D>>,
  ): Promise<void> {
    const [record] = await this.db.query<{ subject_key: string }[]>(
      `SELECT subject_key FROM ${this.sector.sector}.records WHERE agency_id = $1 AND source_record_id = $2`,
      [agency.agencyId, row.source_record_id],
    );
    // A record the service never published (not expected) falls back to the record id.
    const key = record?.subject_key ?? row.record_id;
    await publishAgencyAnswer(
      this.publisher,
      this.sector,
      agency,
      { key, eventId, at, type },
      schema,
      message,
    );
  }

  private async find(
    agency: Agency,
    kind: 'dispute' | 'repair',
    id: string,
    runner: SqlRunner = this.db,
    lock: '' | 'FOR UPDATE' = '',
  ): Promise<RequestRow> {
    const [row] = await runner.query<RequestRow[]>(
      `SELECT ${COLUMNS} FROM ${this.sector.sector}.agency_requests WHERE request_id = $1 AND kind = $2 AND agency_id = $3 ${lock}`,
      [id, kind, agency.agencyId],
    );
    if (!row)
      throw new IntakeException(
        IntakeErrorCode.REQUEST_NOT_FOUND,
        `no ${kind === 'dispute' ? 'dispute' : 'repair request'} ${id} for agency ${agency.agencyId}`,
      );
    return row;
  }

  private sourceOf(agency: Agency, row: RequestRow) {
    return create(SourceRefSchema, {
      sector: this.sector.sector,
      agencyId: agency.agencyId,
      sourceRecordId: row.source_record_id,
    });
  }

  private conflict(detail: string) {
    return new IntakeException(IntakeErrorCode.REQUEST_ALREADY_ANSWERED, detail);
  }

  private view(row: RequestRow, now: Date) {
    return {
      id: row.request_id,
      kind: row.kind,
      recordId: row.record_id,
      sourceRecordId: row.source_record_id,
      recordType: row.record_type,
      version: row.version,
      grounds: row.grounds,
      filedBy: row.filed_by,
      filedAt: row.filed_at.toISOString(),
      ...(row.kind === 'dispute' && {
        dueBy: row.due_by,
        overdue: row.status === 'open' && isPastDue(row.due_by, now),
      }),
      status: row.status,
      answer: row.answer,
      note: row.note,
      answeredAt: row.answered_at?.toISOString() ?? null,
    };
  }
}
