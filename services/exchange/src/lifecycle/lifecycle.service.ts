import { Logger } from '@nestjs/common';
import { create, type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  CreditEventType,
  DisputeFiledSchema,
  isSector,
  RepairRequestedSchema,
  type Sector,
  SourceRefSchema,
  Topics,
} from '@cie/contracts';
import { bulkInsert, cloudEventHeaders, type IdGenerator, processingTraceparent } from '@cie/platform';
import type { EntityManager } from 'typeorm';
import type { AuditEntryInput } from '../audit/audit-log.js';
import type { CanonicalRecord, RecordStatusName } from '../domain/canonical-record.js';
import {
  type RedactableField,
  route,
  type SubscriberEntitlement,
  type SubscriberPolicy,
} from '../domain/routing.js';
import { buildFeedMessage, type DisputeFlagView } from '../feed/feed-message.js';
import type { SubjectIdentityService } from '../identity/subject-identity.service.js';
import type { PolicyHolder } from '../routing/policy-holder.js';
import { type PolicyDocument, parsePolicy } from '../routing/subscriber-policy.loader.js';
import type { DecodedSectorEvent } from '../ingest/sector-event.decoder.js';
import type { OutboundMessage } from '../ingest/ingest.service.js';

type Decoded = Extract<DecodedSectorEvent, { ok: true }>;
/** Lifecycle work that is not an agency's publication, correction or withdrawal of its own record. */
export type LifecycleItem = Extract<
  Decoded,
  {
    action:
      'file_dispute' | 'request_repair' | 'expire' | 'resolve_dispute' | 'decide_repair' | 'apply_policy';
  }
>;
export type LifecycleResult =
  { reason: string } | { outbound: OutboundMessage[]; recordId: string; version: number };

/** Statuses in which a record is no longer disclosed to anyone. */
export const ENDED_STATUSES: readonly RecordStatusName[] = ['withdrawn', 'expired', 'repaired'];

/** Messages back to a sector service (outcomes, agency requests): one per source position. */
export const OUTCOME_MESSAGE_COLUMNS = [
  'source_topic',
  'source_partition',
  'source_offset',
  'event_id',
  'topic',
  'message_key',
  'payload',
  'headers',
  'created_at',
];

export const DELIVERY_COLUMNS = [
  'delivery_id',
  'record_id',
  'version',
  'subscriber_id',
  'event_type',
  'rule',
  'topic',
  'message_key',
  'payload',
  'headers',
  'source_topic',
  'source_partition',
  'source_offset',
  'created_at',
];

interface HeldRecord {
  record_id: string;
  sector: string;
  agency_id: string;
  current_version: number;
  status: RecordStatusName;
  open_dispute_id: string | null;
}

interface DisputeRow {
  dispute_id: string;
  record_id: string;
  sector: string;
  agency_id: string;
  version: number;
  status: 'open' | 'resolved';
  filed_at: Date;
  flagged_at: Date | null;
}

/**
 * Disputes, repair, expiry (DESIGN §8): each step changes the record in the same PostgreSQL
 * transaction as the sector events of its batch and tells every subscriber that ever received the
 * record (the delivery ledger, whatever today's policy says). Its outputs are stored with the source
 * position, like every other output of the ingest pipeline, so they are published exactly once.
 */
export class LifecycleService {
  private readonly logger = new Logger(LifecycleService.name);
  constructor(
    private readonly policies: PolicyHolder,
    private readonly ids: IdGenerator,
    private readonly identity: SubjectIdentityService,
    /** Who the audit log says acted: this exchange instance. */
    private readonly actor: string,
  ) {}

  private get policy(): SubscriberPolicy {
    return this.policies.current;
  }

  async apply(
    em: EntityManager,
    item: LifecycleItem,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<LifecycleResult> {
    switch (item.action) {
      case 'file_dispute':
        return this.fileDispute(em, item, now, audit);
      case 'resolve_dispute':
        return this.resolveDispute(em, item, now, audit);
      case 'request_repair':
        return this.requestRepair(em, item, now, audit);
      case 'decide_repair':
        return this.decideRepair(em, item, now, audit);
      case 'expire':
        return this.expire(em, item, now, audit);
      case 'apply_policy':
        return this.applyPolicy(em, item, now, audit);
    }
  }

  /**
   * A new policy version was recorded: every subscriber that holds a record the new version no
   * longer lets it hold gets `withdrawn` (reason entitlement_removed), in its view under the new
   * version. Records it may still hold are left alone; records it newly may hold wait for their
   * next event (nothing is re-sent wholesale).
   */
  private async applyPolicy(
    em: EntityManager,
    item: Extract<LifecycleItem, { action: 'apply_policy' }>,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<LifecycleResult> {
    const [stored] = await em.query<{ document: PolicyDocument; version: string }[]>(
      `SELECT document, version FROM exchange.policy_versions WHERE sha256 = $1`,
      [item.policy.sha256],
    );
    if (!stored) return { reason: `no policy version ${item.policy.sha256}` };
    const policy = parsePolicy(stored.document);
    const held = await em.query<{ record_id: string; subscriber_id: string; body: CanonicalRecord }[]>(
      `SELECT h.record_id, h.subscriber_id, v.body FROM exchange.holdings h
       JOIN exchange.records r ON r.record_id = h.record_id AND r.status IN ('active', 'corrected')
       JOIN exchange.record_versions v ON v.record_id = r.record_id AND v.version = r.current_version
       ORDER BY h.record_id, h.subscriber_id`,
    );
    const outbound: OutboundMessage[] = [];
    for (const { record_id, subscriber_id, body } of held) {
      const decision = route(body, policy).find((d) => d.subscriberId === subscriber_id);
      if (decision?.allowed) continue;
      outbound.push(
        ...(await this.deliver(em, {
          record: { ...body, status: 'withdrawn' },
          type: CreditEventType.withdrawn,
          subscribers: [subscriber_id],
          rule: () => `${policy.version}#${subscriber_id}:entitlement-removed`,
          reason: 'entitlement_removed',
          policy,
          source: item,
          now,
          audit,
        })),
      );
      audit.push({
        kind: 'routing_decision',
        actor: this.actor,
        subjectId: body.subject.canonicalId,
        recordId: record_id,
        details: {
          version: body.version,
          policyVersion: policy.version,
          event: 'policy_changed',
          sends: CreditEventType.withdrawn,
          subscriberId: subscriber_id,
          reasons: decision?.reasons ?? [`subscriber ${subscriber_id} is not in policy ${policy.version}`],
        },
      });
    }
    this.logger.log(
      `policy ${policy.version}: ${outbound.length} withdrawal(s) for entitlements it no longer grants`,
    );
    return { outbound, recordId: '', version: 0 };
  }

  private async fileDispute(
    em: EntityManager,
    item: Extract<LifecycleItem, { action: 'file_dispute' }>,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<LifecycleResult> {
    const d = item.dispute;
    const held = await this.lockRecord(em, d.recordId);
    if (!held) return { reason: `no record ${d.recordId} to dispute` };
    if (!isSector(held.sector)) throw new Error(`record ${held.record_id} has sector ${held.sector}`);
    const filedAt = d.filedAt ? timestampDate(d.filedAt) : now;
    // The API stores the dispute before it sends the command; a command alone (the API's commit
    // failed after the send) still creates it.
    await em.query(
      `INSERT INTO exchange.disputes (dispute_id, record_id, sector, agency_id, version, grounds, filed_by, filed_at, due_by, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open') ON CONFLICT (dispute_id) DO NOTHING`,
      [
        d.disputeId,
        held.record_id,
        held.sector,
        held.agency_id,
        d.version,
        d.grounds,
        d.filedBy,
        filedAt,
        d.dueBy,
      ],
    );
    const [dispute] = await em.query<DisputeRow[]>(
      `SELECT * FROM exchange.disputes WHERE dispute_id = $1 FOR UPDATE`,
      [d.disputeId],
    );
    if (!dispute || dispute.status !== 'open') return { reason: `dispute ${d.disputeId} is not open` };
    if (ENDED_STATUSES.includes(held.status)) {
      await this.closeDispute(em, dispute.dispute_id, 'upheld', `the record was already ${held.status}`, now);
      return { reason: `record ${held.record_id} is ${held.status}; there is nothing to dispute` };
    }
    await em.query(`UPDATE exchange.records SET open_dispute_id = $2 WHERE record_id = $1`, [
      held.record_id,
      dispute.dispute_id,
    ]);
    await em.query(`UPDATE exchange.disputes SET flagged_at = $2 WHERE dispute_id = $1`, [
      dispute.dispute_id,
      now,
    ]);
    const record = await this.currentVersion(em, held);
    const outbound = await this.notifyPastReceivers(em, {
      record: { ...record, status: 'disputed' },
      type: CreditEventType.disputed,
      dispute: { disputeId: dispute.dispute_id, status: 'open', filedAt },
      source: item,
      now,
      audit,
    });
    audit.push({
      kind: 'dispute_filed',
      actor: this.actor,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { disputeId: dispute.dispute_id, dueBy: d.dueBy, receivers: outbound.length },
    });
    // The owning agency gets the whole dispute (grounds and who filed it) through its sector service.
    const request = await this.toAgency(em, item, held.sector, held.agency_id, DisputeFiledSchema, {
      ...d,
      // The record's own reference for the agency; a message, as the spread request already is one.
      source: create(SourceRefSchema, record.source),
      recordType: record.kind,
    });
    return { outbound: [...outbound, request], recordId: held.record_id, version: held.current_version };
  }

  private async resolveDispute(
    em: EntityManager,
    item: Extract<LifecycleItem, { action: 'resolve_dispute' }>,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<LifecycleResult> {
    const r = item.resolution;
    const [dispute] = await em.query<DisputeRow[]>(
      `SELECT * FROM exchange.disputes WHERE dispute_id = $1 FOR UPDATE`,
      [r.disputeId],
    );
    const owner = this.checkOwner(item, dispute, r.source?.agencyId, `dispute ${r.disputeId}`);
    if (owner) return owner;
    if (!dispute) return { reason: `no dispute ${r.disputeId}` };
    if (dispute.status !== 'open') return { reason: `dispute ${r.disputeId} is already resolved` };
    if (!['upheld', 'corrected', 'withdrawn'].includes(r.outcome))
      return { reason: `outcome must be upheld, corrected or withdrawn, not "${r.outcome}"` };
    const held = await this.lockRecord(em, dispute.record_id);
    if (!held) throw new Error(`dispute ${dispute.dispute_id} is about a missing record`);
    if (r.outcome === 'corrected' && held.current_version <= dispute.version)
      return {
        reason: `dispute ${r.disputeId} cannot be resolved as corrected: record ${held.record_id} is still at version ${held.current_version}; send the correction first`,
      };
    const resolvedAt = r.resolvedAt ? timestampDate(r.resolvedAt) : now;
    await this.closeDispute(em, dispute.dispute_id, r.outcome, r.note, resolvedAt);
    await em.query(
      `UPDATE exchange.records SET open_dispute_id = NULL WHERE record_id = $1 AND open_dispute_id = $2`,
      [held.record_id, dispute.dispute_id],
    );
    const record = await this.currentVersion(em, held);
    audit.push({
      kind: 'dispute_resolved',
      actor: `agency:${held.agency_id}`,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { disputeId: dispute.dispute_id, outcome: r.outcome },
    });
    if (ENDED_STATUSES.includes(held.status))
      return { outbound: [], recordId: held.record_id, version: held.current_version };
    const outbound = await this.notifyPastReceivers(em, {
      record,
      type: CreditEventType.disputeResolved,
      dispute: {
        disputeId: dispute.dispute_id,
        status: 'resolved',
        filedAt: dispute.filed_at,
        outcome: r.outcome,
        resolvedAt,
      },
      source: item,
      now,
      audit,
    });
    if (r.outcome === 'withdrawn')
      outbound.push(...(await this.end(em, held, record, 'withdrawn', 'dispute_upheld', item, now, audit)));
    return { outbound, recordId: held.record_id, version: held.current_version };
  }

  private async requestRepair(
    em: EntityManager,
    item: Extract<LifecycleItem, { action: 'request_repair' }>,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<LifecycleResult> {
    const q = item.repair;
    const held = await this.lockRecord(em, q.recordId);
    if (!held) return { reason: `no record ${q.recordId} to repair` };
    if (!isSector(held.sector)) throw new Error(`record ${held.record_id} has sector ${held.sector}`);
    const filedAt = q.filedAt ? timestampDate(q.filedAt) : now;
    await em.query(
      `INSERT INTO exchange.repair_requests (request_id, record_id, sector, agency_id, version, grounds, filed_by, filed_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') ON CONFLICT (request_id) DO NOTHING`,
      [q.requestId, held.record_id, held.sector, held.agency_id, q.version, q.grounds, q.filedBy, filedAt],
    );
    const record = await this.currentVersion(em, held);
    audit.push({
      kind: 'repair_requested',
      actor: this.actor,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { requestId: q.requestId },
    });
    const request = await this.toAgency(em, item, held.sector, held.agency_id, RepairRequestedSchema, {
      ...q,
      // The record's own reference for the agency; a message, as the spread request already is one.
      source: create(SourceRefSchema, record.source),
      recordType: record.kind,
    });
    return { outbound: [request], recordId: held.record_id, version: held.current_version };
  }

  private async decideRepair(
    em: EntityManager,
    item: Extract<LifecycleItem, { action: 'decide_repair' }>,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<LifecycleResult> {
    const r = item.decision;
    const [request] = await em.query<
      { record_id: string; sector: string; agency_id: string; status: string }[]
    >(`SELECT * FROM exchange.repair_requests WHERE request_id = $1 FOR UPDATE`, [r.requestId]);
    const owner = this.checkOwner(item, request, r.source?.agencyId, `repair request ${r.requestId}`);
    if (owner) return owner;
    if (!request) return { reason: `no repair request ${r.requestId}` };
    if (request.status !== 'pending') return { reason: `repair request ${r.requestId} is already decided` };
    const decidedAt = r.decidedAt ? timestampDate(r.decidedAt) : now;
    await em.query(
      `UPDATE exchange.repair_requests SET status = $2, note = $3, decided_at = $4 WHERE request_id = $1`,
      [r.requestId, r.approved ? 'approved' : 'rejected', r.note, decidedAt],
    );
    const held = await this.lockRecord(em, request.record_id);
    if (!held) throw new Error(`repair request ${r.requestId} is about a missing record`);
    const record = await this.currentVersion(em, held);
    audit.push({
      kind: 'repair_decided',
      actor: `agency:${held.agency_id}`,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { requestId: r.requestId, approved: r.approved },
    });
    const outbound =
      r.approved && !ENDED_STATUSES.includes(held.status)
        ? await this.end(em, held, record, 'repaired', 'repair_approved', item, now, audit)
        : [];
    return { outbound, recordId: held.record_id, version: held.current_version };
  }

  private async expire(
    em: EntityManager,
    item: Extract<LifecycleItem, { action: 'expire' }>,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<LifecycleResult> {
    const held = await this.lockRecord(em, item.expiry.recordId);
    if (!held) return { reason: `no record ${item.expiry.recordId} to expire` };
    const done = { outbound: [], recordId: held.record_id, version: held.current_version };
    if (ENDED_STATUSES.includes(held.status)) return done;
    const record = await this.currentVersion(em, held);
    if (record.disclosure.disclosureUntil >= now.toISOString().slice(0, 10)) {
      // Corrected to a later end since the scheduler asked: let it ask again when that one passes.
      await em.query(`DELETE FROM exchange.expiry_requests WHERE record_id = $1`, [held.record_id]);
      return done;
    }
    const outbound = await this.end(em, held, record, 'expired', 'disclosure_period_ended', item, now, audit);
    return { ...done, outbound };
  }

  /** Ends a record's disclosure (withdrawn, expired, repaired) and tells every past receiver. */
  private async end(
    em: EntityManager,
    held: HeldRecord,
    record: CanonicalRecord,
    status: 'withdrawn' | 'expired' | 'repaired',
    reason: string,
    source: LifecycleItem,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<OutboundMessage[]> {
    await em.query(
      `UPDATE exchange.record_versions SET valid_to = $3 WHERE record_id = $1 AND version = $2 AND valid_to IS NULL`,
      [held.record_id, held.current_version, now],
    );
    await em.query(`UPDATE exchange.records SET status = $2 WHERE record_id = $1`, [held.record_id, status]);
    audit.push({
      kind: `record_${status}`,
      actor: this.actor,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { version: held.current_version, reason },
    });
    const type = {
      withdrawn: CreditEventType.withdrawn,
      expired: CreditEventType.expired,
      repaired: CreditEventType.repaired,
    }[status];
    return this.notifyPastReceivers(em, {
      record: { ...record, status },
      type,
      reason,
      source,
      now,
      audit,
    });
  }

  /**
   * One feed event to every subscriber in the record's delivery ledger, in its view of the record.
   * A subscriber no longer in the policy still gets it, in the most restricted view (pseudonym, no
   * name, no attributes): it holds the record and must hear that it changed.
   */
  async notifyPastReceivers(
    em: EntityManager,
    args: {
      record: CanonicalRecord;
      type: string;
      /** The command or agency answer being applied: its position and its trace. */
      source: LifecycleItem;
      now: Date;
      audit: AuditEntryInput[];
      dispute?: DisputeFlagView;
      reason?: string;
    },
  ): Promise<OutboundMessage[]> {
    const subscribers = await this.holders(em, args.record.recordId);
    return this.deliver(em, { ...args, subscribers, rule: (id) => `ledger:past-receiver#${id}` });
  }

  /** One feed event per subscriber, each in its view under `policy` (today's by default), stored in the ledger. */
  private async deliver(
    em: EntityManager,
    args: {
      record: CanonicalRecord;
      type: string;
      subscribers: string[];
      rule: (subscriberId: string) => string;
      source: LifecycleItem;
      now: Date;
      audit: AuditEntryInput[];
      dispute?: DisputeFlagView;
      reason?: string;
      policy?: SubscriberPolicy;
    },
  ): Promise<OutboundMessage[]> {
    const { record, now } = args;
    const { position } = args.source;
    // The feed messages continue the trace of the command or answer that caused them.
    const traceparent = processingTraceparent(args.source.message);
    if (args.subscribers.length === 0) return [];
    const policy = args.policy ?? this.policy;
    const clearIdNumber = await this.clearIdOf(em, record);
    const outbound: OutboundMessage[] = [];
    const rows: unknown[][] = [];
    for (const subscriberId of args.subscribers) {
      const subscriber =
        policy.subscribers.find((s) => s.id === subscriberId) ?? restrictedView(subscriberId, record);
      const deliveryId = this.ids.next();
      const rule = args.rule(subscriberId);
      const message = buildFeedMessage({
        eventId: deliveryId,
        type: args.type,
        record,
        subscriber,
        clearIdNumber,
        occurredAt: now,
        traceparent,
        ...(args.dispute && { dispute: args.dispute }),
        ...(args.reason && { reason: args.reason }),
      });
      outbound.push(message);
      args.audit.push({
        kind: 'delivery',
        actor: this.actor,
        subjectId: record.subject.canonicalId,
        recordId: record.recordId,
        details: {
          deliveryId,
          subscriberId,
          version: record.version,
          topic: message.topic,
          eventType: args.type,
          rule,
        },
      });
      rows.push([
        deliveryId,
        record.recordId,
        record.version,
        subscriberId,
        args.type,
        rule,
        message.topic,
        message.key,
        message.value,
        message.headers,
        position.topic,
        position.partition,
        position.offset,
        now,
      ]);
    }
    await bulkInsert(em, 'exchange.deliveries', DELIVERY_COLUMNS, rows);
    return outbound;
  }

  /**
   * The subscribers that hold the record: every one it was ever delivered to, except those whose last
   * event about it removed it (withdrawn, expired, repaired, or withdrawn when an entitlement ended).
   */
  async holders(em: EntityManager, recordId: string): Promise<string[]> {
    const rows = await em.query<{ subscriber_id: string }[]>(
      `SELECT subscriber_id FROM exchange.holdings WHERE record_id = $1 ORDER BY subscriber_id`,
      [recordId],
    );
    return rows.map((r) => r.subscriber_id);
  }

  /** Stored like the ingest's outcome messages: one agency message per source position. */
  private async toAgency<D extends DescMessage>(
    em: EntityManager,
    item: LifecycleItem,
    sector: Sector,
    agencyId: string,
    schema: D,
    body: MessageShape<D> | Record<string, unknown>,
  ): Promise<OutboundMessage> {
    const value = Buffer.from(toBinary(schema, create(schema, body as MessageShape<D>)));
    const type =
      schema.typeName === DisputeFiledSchema.typeName
        ? AgencyRequestType.disputeFiled
        : AgencyRequestType.repairRequested;
    const message: OutboundMessage = {
      topic: Topics.requests(sector),
      key: agencyId,
      value,
      headers: cloudEventHeaders({
        id: item.context.id,
        source: '/exchange',
        type,
        time: item.context.time,
        subject: item.context.subject,
        dataschema: schema.typeName,
      }),
    };
    await bulkInsert(
      em,
      'exchange.outcome_messages',
      OUTCOME_MESSAGE_COLUMNS,
      [
        [
          item.position.topic,
          item.position.partition,
          item.position.offset,
          item.context.id,
          message.topic,
          Buffer.from(agencyId),
          value,
          message.headers,
          item.context.time,
        ],
      ],
      'ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING',
    );
    return message;
  }

  /** An agency answers only for its own records, on its own sector's topic. */
  private checkOwner(
    item: LifecycleItem,
    row: { sector: string; agency_id: string } | undefined,
    agencyId: string | undefined,
    what: string,
  ): { reason: string } | undefined {
    if (!row) return undefined;
    if (item.position.topic !== Topics.sectorEvents(row.sector as Sector))
      return { reason: `${what} belongs to sector ${row.sector}, not to ${item.position.topic}` };
    if (agencyId !== row.agency_id)
      return { reason: `${what} belongs to agency ${row.agency_id}, not to ${agencyId ?? '(none)'}` };
    return undefined;
  }

  private async closeDispute(em: EntityManager, id: string, outcome: string, note: string, at: Date) {
    await em.query(
      `UPDATE exchange.disputes SET status = 'resolved', outcome = $2, note = $3, resolved_at = $4 WHERE dispute_id = $1`,
      [id, outcome, note, at],
    );
  }

  private async lockRecord(em: EntityManager, recordId: string): Promise<HeldRecord | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(recordId)) return undefined;
    const [row] = await em.query<HeldRecord[]>(
      `SELECT record_id, sector, agency_id, current_version, status, open_dispute_id FROM exchange.records WHERE record_id = $1 FOR UPDATE`,
      [recordId],
    );
    return row;
  }

  private async currentVersion(em: EntityManager, held: HeldRecord): Promise<CanonicalRecord> {
    const [row] = await em.query<{ body: CanonicalRecord }[]>(
      `SELECT body FROM exchange.record_versions WHERE record_id = $1 AND version = $2`,
      [held.record_id, held.current_version],
    );
    if (!row) throw new Error(`record ${held.record_id} has no version ${held.current_version}`);
    return row.body;
  }

  /** The identity number a feed may carry: a company's code, or a person's number unsealed. */
  async clearIdOf(em: EntityManager, record: CanonicalRecord): Promise<string> {
    if (record.subject.kind !== 'natural_person') return record.subject.canonicalId;
    const [row] = await em.query<{ id_number_encrypted: Buffer | null }[]>(
      `SELECT id_number_encrypted FROM exchange.subjects WHERE canonical_id = $1`,
      [record.subject.canonicalId],
    );
    if (!row?.id_number_encrypted)
      throw new Error(`subject ${record.subject.canonicalId} has no sealed identity number`);
    return this.identity.decrypt(row.id_number_encrypted);
  }
}

/** The view for a past receiver the policy no longer lists: identity as pseudonym, nothing optional. */
function restrictedView(id: string, record: CanonicalRecord): SubscriberEntitlement {
  return {
    id,
    name: id,
    sectors: [],
    kinds: [],
    levels: [],
    regions: [],
    naturalPersonIdentity: 'pseudonym',
    // Every key the view could carry: the record's own attribute keys are all redactable fields.
    redact: ['subject.name', ...(Object.keys(record.attributes) as RedactableField[])],
  };
}
