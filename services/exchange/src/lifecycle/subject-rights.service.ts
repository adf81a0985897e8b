import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AgencyRequestType, DisputeFiledSchema, RepairRequestedSchema, Topics } from '@cie/contracts';
import {
  BrokerUnavailableError,
  type Clock,
  type EventPublisher,
  type IdGenerator,
  traceparentOf,
} from '@cie/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { chinaDate, ENDED_STATUSES, isDisclosed } from '../delivery/domain/disclosure.js';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import type { HeldRecord, RecordsRepository } from '../records/records.repository.js';
import type { DisputesRepository, DisputeView } from './disputes.repository.js';
import { SubjectRightsErrorCode as Code, SubjectRightsException } from './subject-rights.exception.js';
import type { WorkingCalendar } from './working-days.js';

/** Dispute deadlines: working days, and the holidays that do not count. */
export class DisputeSettings {
  constructor(
    readonly workingDays: number,
    readonly calendar: WorkingCalendar,
  ) {}
}

/** What a subject (or its representative) files: the record, why, and who. */
export interface SubjectRequest {
  recordId: string;
  grounds: string;
  filedBy: string;
}

/** What a dispute and a repair request store alike: the record as it stands, and who filed why. */
const filing = (held: HeldRecord, body: SubjectRequest, now: Date) => ({
  recordId: held.recordId,
  sector: held.sector,
  agencyId: held.agencyId,
  version: held.currentVersion,
  grounds: body.grounds,
  filedBy: body.filedBy,
  filedAt: now,
});

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The data subject's rights at the exchange (DESIGN §8): a dispute or a repair request is stored and
 * its command sent to the exchange's commands topic in one step (the answer comes only once Kafka
 * has it); the pipeline then flags the record, tells its holders and hands the request to the
 * owning agency, exactly once whichever instance took it.
 */
export class SubjectRightsService {
  constructor(
    private readonly db: DataSource,
    private readonly records: RecordsRepository,
    private readonly requests: DisputesRepository,
    private readonly commands: EventPublisher,
    private readonly settings: DisputeSettings,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  fileDispute(body: SubjectRequest, traceparent: string | undefined) {
    const now = this.clock.now();
    const disputeId = this.ids.next();
    const dueBy = this.settings.calendar.deadline(now, this.settings.workingDays);
    return this.db.transaction(async (em) => {
      const { held, record } = await this.disclosedRecord(em, body.recordId, now);
      const alreadyOpen = (detail: string) =>
        new SubjectRightsException(Code.DISPUTE_ALREADY_OPEN, detail, 'recordId');
      if (held.openDisputeId)
        throw alreadyOpen(`record ${held.recordId} already has open dispute ${held.openDisputeId}`);
      const filed = await this.requests.fileDispute(em, {
        disputeId,
        ...filing(held, body, now),
        dueBy,
      });
      if (!filed) throw alreadyOpen(`record ${held.recordId} already has an open dispute`);
      await this.send(AgencyRequestType.disputeFiled, held, record, now, traceparent, {
        schema: DisputeFiledSchema,
        message: {
          disputeId,
          recordId: held.recordId,
          source: record.source,
          recordType: record.kind,
          version: held.currentVersion,
          grounds: body.grounds,
          filedBy: body.filedBy,
          filedAt: timestampFromDate(now),
          dueBy,
        },
      });
      return { disputeId, recordId: held.recordId, status: 'open', filedAt: now.toISOString(), dueBy };
    });
  }

  requestRepair(body: SubjectRequest, traceparent: string | undefined) {
    const now = this.clock.now();
    const requestId = this.ids.next();
    return this.db.transaction(async (em) => {
      const { held, record } = await this.disclosedRecord(em, body.recordId, now);
      const repairableFrom = record.disclosure.repairableFrom ?? null;
      const notYet = (detail: string) =>
        new SubjectRightsException(Code.NOT_REPAIRABLE_YET, detail, 'recordId');
      if (!repairableFrom)
        throw notYet(`a ${record.kind} record cannot be repaired under catalogue ${record.catalogueEdition}`);
      if (repairableFrom > this.settings.calendar.dateOf(now))
        throw notYet(`record ${held.recordId} can be repaired from ${repairableFrom}`);
      const filed = await this.requests.requestRepair(em, {
        requestId,
        ...filing(held, body, now),
      });
      if (!filed)
        throw new SubjectRightsException(
          Code.REPAIR_ALREADY_PENDING,
          `record ${held.recordId} already has a pending repair request`,
          'recordId',
        );
      await this.send(AgencyRequestType.repairRequested, held, record, now, traceparent, {
        schema: RepairRequestedSchema,
        message: {
          requestId,
          recordId: held.recordId,
          source: record.source,
          recordType: record.kind,
          version: held.currentVersion,
          grounds: body.grounds,
          filedBy: body.filedBy,
          filedAt: timestampFromDate(now),
        },
      });
      return { requestId, recordId: held.recordId, status: 'pending', filedAt: now.toISOString() };
    });
  }

  async dispute(id: string) {
    const row = await this.requests.disputeView(this.db, id);
    if (!row) throw new SubjectRightsException(Code.DISPUTE_NOT_FOUND, `no dispute ${id}`);
    return this.disputeView(row, this.clock.now());
  }

  /** Operators: disputes by status and sector, with how many are open and overdue. */
  async disputes(filter: { status?: string; sector?: string; overdue?: string }) {
    const now = this.clock.now();
    const views = (await this.requests.disputeViews(this.db, filter)).map((r) => this.disputeView(r, now));
    return {
      disputes: filter.overdue === 'true' ? views.filter((v) => v.overdue) : views,
      open: views.filter((v) => v.status === 'open').length,
      overdue: views.filter((v) => v.overdue).length,
    };
  }

  async repair(id: string) {
    const row = await this.requests.repairView(this.db, id);
    if (!row) throw new SubjectRightsException(Code.REPAIR_NOT_FOUND, `no repair request ${id}`);
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
  private async disclosedRecord(em: EntityManager, recordId: string, now: Date) {
    const found = await this.records.lockWithCurrent(em, recordId);
    if (!found) throw new SubjectRightsException(Code.RECORD_NOT_FOUND, `no record ${recordId}`, 'recordId');
    const { held, record } = found;
    if (!isDisclosed({ status: held.status, disclosure: record.disclosure }, chinaDate(now)))
      throw new SubjectRightsException(
        Code.RECORD_NOT_DISCLOSED,
        `record ${recordId} is no longer disclosed (${ENDED_STATUSES.includes(held.status) ? held.status : `disclosure ended ${record.disclosure.disclosureUntil}`})`,
        'recordId',
      );
    return found;
  }

  /** The command, on the exchange's commands topic keyed by record id; 503 when Kafka does not take it. */
  private async send(
    type: string,
    held: HeldRecord,
    record: CanonicalRecord,
    now: Date,
    /** The caller's W3C trace context: the command continues it (with tracing on, the request's span does). */
    callerTrace: string | undefined,
    command: { schema: typeof DisputeFiledSchema | typeof RepairRequestedSchema; message: object },
  ): Promise<void> {
    try {
      await this.commands.publish(
        Topics.exchangeCommands,
        held.recordId,
        command.schema,
        create(command.schema, command.message as never),
        {
          id: this.ids.next(),
          source: '/exchange/api',
          type,
          time: now,
          subject: record.subject.canonicalId,
          ...(!traceparentOf() && callerTrace && TRACEPARENT.test(callerTrace)
            ? { traceparent: callerTrace }
            : {}),
        },
      );
    } catch (error) {
      if (error instanceof BrokerUnavailableError)
        throw new SubjectRightsException(
          Code.BROKER_UNAVAILABLE,
          'the exchange cannot take requests right now; nothing was filed, try again',
        );
      throw error;
    }
  }

  private disputeView(row: DisputeView, now: Date) {
    return {
      disputeId: row.dispute_id,
      recordId: row.record_id,
      sector: row.sector,
      agencyId: row.agency_id,
      version: row.version,
      status: row.status,
      filedAt: row.filed_at.toISOString(),
      flaggedAt: row.flagged_at?.toISOString() ?? null,
      dueBy: row.due_by,
      overdue: row.status === 'open' && this.settings.calendar.isOverdue(row.due_by, now),
      outcome: row.outcome,
      note: row.note,
      resolvedAt: row.resolved_at?.toISOString() ?? null,
    };
  }
}
