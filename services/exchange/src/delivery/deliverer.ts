import { CreditEventType } from '@cie/contracts';
import { cieMetrics, type IdGenerator, processingTraceparent } from '@cie/platform';
import type { EntityManager } from 'typeorm';
import type { AuditEntryInput } from '../audit/audit-log.js';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import type { SubscriberPolicy } from '../domain/routing.js';
import type { OutboundMessage, Source } from '../outbound.js';
import type { RecordsRepository } from '../records/records.repository.js';
import type { PolicyHolder } from '../routing/policy-holder.js';
import { chinaDate } from './domain/disclosure.js';
import { type Change, fanOut, type Send, viewOf } from './domain/fan-out.js';
import { buildFeedMessage, type DisputeFlagView } from './feed-message.js';
import type { DeliveryRow, LedgerRepository } from './ledger.repository.js';

/** The id each subscriber knows a subject by (SubjectIdentityService). */
export interface SubjectIds {
  subjectIdFor(subscriberId: string, subject: { kind: string; canonicalId: string }): string;
}

export interface Delivery {
  /** The version the change is about, with its status after the change. */
  record: CanonicalRecord;
  change: Change;
  /** The sector event or command being applied: outputs are stored under its position, continue its trace. */
  source: Source;
  now: Date;
  audit: AuditEntryInput[];
  dispute?: DisputeFlagView;
  /** The policy to apply, when not the one in force (a policy change applies its new version). */
  policy?: SubscriberPolicy;
  /** Who holds the record, when the caller read it already (a policy change reads all at once). */
  holders?: Set<string>;
  /** Audit the decision for every subscriber (default), or only for those sent something. */
  auditDecisions?: 'all' | 'sent';
}

/**
 * The one way a feed message comes to be, for every event type: the pure fan-out rule decides who
 * gets what (delivery/domain/fan-out.ts), this builds each message in the receiver's view, audits
 * every decision and delivery, and stores each message in the ledger with its source position, so
 * that it is published exactly once with the source offsets.
 */
export class Deliverer {
  constructor(
    private readonly policies: PolicyHolder,
    private readonly ids: IdGenerator,
    private readonly ledger: LedgerRepository,
    private readonly records: RecordsRepository,
    /** Who the audit log says acted: this exchange instance. */
    private readonly actor: string,
    private readonly subjectIds: SubjectIds,
    /** `ce_pseudonymscheme` of every message. */
    private readonly pseudonymScheme: string,
  ) {}

  async deliver(em: EntityManager, d: Delivery): Promise<OutboundMessage[]> {
    const [outbound] = await this.deliverAll(em, [d]);
    return outbound ?? [];
  }

  /**
   * Several deliveries at once (a batch of new records): the same fan-out for each, with one ledger
   * insert for all. `clearIds` holds identity numbers the caller knows already (canonical id →
   * number), so that a person just normalised is not read back and unsealed.
   */
  async deliverAll(
    em: EntityManager,
    deliveries: readonly Delivery[],
    clearIds = new Map<string, string>(),
  ): Promise<OutboundMessage[][]> {
    const rows: DeliveryRow[] = [];
    const outbound: OutboundMessage[][] = [];
    for (const d of deliveries) outbound.push(await this.prepare(em, d, clearIds, rows));
    await this.ledger.insert(em, rows);
    return outbound;
  }

  private async prepare(
    em: EntityManager,
    d: Delivery,
    clearIds: Map<string, string>,
    rows: DeliveryRow[],
  ): Promise<OutboundMessage[]> {
    const policy = d.policy ?? this.policies.current;
    const holders = d.holders ?? (await this.ledger.holders(em, d.record.recordId));
    const { sends, decisions } = fanOut({
      record: d.record,
      change: d.change,
      holders,
      policy,
      today: chinaDate(d.now),
    });
    const about = { actor: this.actor, subjectId: d.record.subject.canonicalId, recordId: d.record.recordId };
    const sent = new Map(sends.map((s) => [s.subscriberId, s]));
    for (const decision of decisions) {
      if (d.auditDecisions === 'sent' && !sent.has(decision.subscriberId)) continue;
      cieMetrics.routingDecisions.inc({
        subscriber: decision.subscriberId,
        decision: decision.allowed ? 'allowed' : 'denied',
      });
      d.audit.push({
        ...about,
        kind: 'routing_decision',
        details: {
          version: d.record.version,
          policyVersion: policy.version,
          event: d.change.type,
          holds: holders.has(decision.subscriberId),
          sends: sent.get(decision.subscriberId)?.type ?? null,
          ...decision,
        },
      });
    }
    const outbound: OutboundMessage[] = [];
    const traceparent = processingTraceparent(d.source.message);
    for (const send of sends) {
      const carried = this.carried(send, d);
      const clearIdNumber =
        clearIds.get(carried.subject.canonicalId) ?? (await this.records.clearIdOf(em, carried));
      clearIds.set(carried.subject.canonicalId, clearIdNumber);
      const deliveryId = this.ids.next();
      const message = buildFeedMessage({
        eventId: deliveryId,
        type: send.type,
        record: carried,
        subscriber: viewOf(send, carried, policy),
        clearIdNumber,
        subjectId: this.subjectIds.subjectIdFor(send.subscriberId, carried.subject),
        pseudonymScheme: this.pseudonymScheme,
        occurredAt: d.now,
        traceparent,
        ...(d.dispute && send.type !== CreditEventType.withdrawn && { dispute: d.dispute }),
        ...(send.reason && { reason: send.reason }),
      });
      outbound.push(message);
      d.audit.push({
        ...about,
        kind: 'delivery',
        details: {
          deliveryId,
          subscriberId: send.subscriberId,
          version: carried.version,
          topic: message.topic,
          eventType: send.type,
          rule: send.rule,
        },
      });
      rows.push({
        delivery_id: deliveryId,
        record_id: carried.recordId,
        version: carried.version,
        subscriber_id: send.subscriberId,
        event_type: send.type,
        rule: send.rule,
        topic: message.topic,
        message_key: message.key,
        payload: message.value,
        headers: message.headers,
        source_topic: d.source.position.topic,
        source_partition: d.source.position.partition,
        source_offset: d.source.position.offset,
        created_at: d.now,
      });
    }
    return outbound;
  }

  /** The record a send carries, with the status a withdrawal gives it. */
  private carried(send: Send, d: Delivery): CanonicalRecord {
    const base = send.carries === 'previous' && d.change.type === 'corrected' ? d.change.previous : d.record;
    return send.type === CreditEventType.withdrawn && base.status !== 'withdrawn'
      ? { ...base, status: 'withdrawn' }
      : base;
  }
}
