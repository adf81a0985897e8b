import { Injectable, Logger } from '@nestjs/common';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  CreditEventType,
  isSector,
  ProcessingOutcomeSchema,
  PROTOBUF_CONTENT_TYPE,
  Topics,
} from '@cie/contracts';
import {
  bulkInsert,
  cieMetrics,
  Clock,
  deadLetterMessage,
  IdGenerator,
  processingTraceparent,
} from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditEntryInput, AuditLog } from '../audit/audit-log.js';
import type { CanonicalRecord, RecordStatusName } from '../domain/canonical-record.js';
import type { Catalogue } from '../domain/catalogue.js';
import { NormalisationError, type NormalisedRecord, normalise } from '../domain/normalise/index.js';
import { route, type SubscriberPolicy } from '../domain/routing.js';
import { buildFeedMessage } from '../feed/feed-message.js';
import { SubjectIdentityService } from '../identity/subject-identity.service.js';
import type { PolicyHolder } from '../routing/policy-holder.js';
import {
  DELIVERY_COLUMNS,
  ENDED_STATUSES,
  type LifecycleItem,
  OUTCOME_MESSAGE_COLUMNS,
  LifecycleService,
} from '../lifecycle/lifecycle.service.js';
import { type DecodedSectorEvent, decodeSectorEvent } from './sector-event.decoder.js';

/** A message to publish in the same Kafka transaction that commits the source offsets. */
export interface OutboundMessage {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

type Decoded = Extract<DecodedSectorEvent, { ok: true }>;
type Accepted = Extract<Decoded, { action: 'publish' | 'correct' }> & { normalised: NormalisedRecord };
/** A correction or withdrawal of a record the exchange already holds. */
type Correction = Extract<Decoded, { action: 'publish' | 'correct' }> & { action: 'correct' };
type AgencyChange = Correction | Extract<Decoded, { action: 'withdraw' }>;
type Lifecycle = AgencyChange | LifecycleItem;

/** What became of one sector event, for its sector service. */
interface Outcome {
  d: DecodedSectorEvent;
  status: 'stored' | 'dead_lettered' | 'ignored_duplicate';
  recordId?: string;
  version?: number;
  reason?: string;
}

/**
 * Stores a batch of sector events and decides what to publish, in one PostgreSQL transaction.
 *
 * Exactly-once across PostgreSQL and Kafka: every output (feed message or dead letter) is stored
 * with the source position that produced it, and published with the offset commit in one Kafka
 * transaction. When a batch comes back (the Kafka transaction never committed, e.g. after kill -9),
 * its stored outputs are published again unchanged; when a sector topic is replayed (offsets below
 * `consumer_progress.next_offset`, whose outputs are known to be committed) nothing is published;
 * an event id seen before at another position is a duplicate and publishes nothing.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    private readonly db: DataSource,
    private readonly identity: SubjectIdentityService,
    private readonly policies: PolicyHolder,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly catalogue: Catalogue,
    private readonly audit: AuditLog,
    /** Who the audit log says acted: this exchange instance. */
    private readonly actor: string,
    private readonly lifecycle: LifecycleService,
  ) {}

  /** The policy in force; a reload replaces it between batches' uses. */
  private get policy(): SubscriberPolicy {
    return this.policies.current;
  }

  async processBatch(topic: string, partition: number, messages: KafkaMessage[]): Promise<OutboundMessage[]> {
    return this.db.transaction(async (em) => {
      const [progress] = await em.query<{ next_offset: string }[]>(
        `SELECT next_offset FROM exchange.consumer_progress WHERE topic = $1 AND partition = $2`,
        [topic, partition],
      );
      const committedBelow = BigInt(progress?.next_offset ?? '0');
      const pending = messages.filter((m) => BigInt(m.offset) >= committedBelow);
      if (pending.length === 0) return [];

      const offsets = pending.map((m) => m.offset);
      const handled = await this.storedOutputs(em, topic, partition, offsets);
      const fresh = pending
        .filter((m) => !handled.positions.has(m.offset))
        .map((m) => decodeSectorEvent({ topic, partition, offset: m.offset }, m));
      const outbound = [...handled.outbound, ...(await this.handleFresh(em, fresh))];
      if (handled.positions.size > 0)
        this.logger.log(
          `re-publishing the stored outputs of ${handled.positions.size} event(s) on ${topic}[${partition}]`,
        );
      return outbound;
    });
  }

  /** Records, after the Kafka transaction committed, that outputs below `nextOffset` are published. */
  async markCommitted(topic: string, partition: number, nextOffset: string): Promise<void> {
    await this.db.query(
      `INSERT INTO exchange.consumer_progress (topic, partition, next_offset, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (topic, partition)
       DO UPDATE SET next_offset = GREATEST(exchange.consumer_progress.next_offset, EXCLUDED.next_offset), updated_at = now()`,
      [topic, partition, nextOffset],
    );
  }

  /** The stored progress of a partition when it is beyond `end` (the partition's end offset). */
  async progressBeyond(topic: string, partition: number, end: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ next_offset: string }[]>(
      `SELECT next_offset::text AS next_offset FROM exchange.consumer_progress WHERE topic = $1 AND partition = $2 AND next_offset > $3`,
      [topic, partition, end],
    );
    return row?.next_offset;
  }

  /** Outputs already stored for these positions (their Kafka transaction may not have committed). */
  private async storedOutputs(em: EntityManager, topic: string, partition: number, offsets: string[]) {
    const processed = await em.query<{ offset: string }[]>(
      `SELECT "offset"::text AS offset FROM exchange.processed_events WHERE topic = $1 AND partition = $2 AND "offset" = ANY($3::bigint[])
       UNION SELECT source_offset::text FROM exchange.dead_letters WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])`,
      [topic, partition, offsets],
    );
    const positions = new Set(processed.map((r) => r.offset));
    if (positions.size === 0) return { positions, outbound: [] };
    const rows = await em.query<
      { topic: string; key: Buffer | null; value: Buffer | null; headers: Record<string, string> }[]
    >(
      `SELECT topic, message_key AS key, payload AS value, headers, source_offset FROM (
         SELECT topic, convert_to(message_key, 'UTF8') AS message_key, payload, headers, source_offset, created_at, delivery_id::text AS id
           FROM exchange.deliveries WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])
         UNION ALL
         SELECT topic, message_key, payload, headers, source_offset, created_at, dead_letter_id::text
           FROM exchange.dead_letters WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])
         UNION ALL
         SELECT topic, message_key, payload, headers, source_offset, created_at, 'outcome'
           FROM exchange.outcome_messages WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])
       ) o ORDER BY source_offset, created_at, id`,
      [topic, partition, [...positions]],
    );
    return {
      positions,
      outbound: rows.map((r) => ({ topic: r.topic, key: r.key, value: r.value, headers: r.headers })),
    };
  }

  private async handleFresh(em: EntityManager, decoded: DecodedSectorEvent[]): Promise<OutboundMessage[]> {
    const now = this.clock.now();
    const eventIds = decoded.filter((d) => d.ok).map((d) => d.context.id);
    const seenBefore = new Set(
      (
        await em.query<{ event_id: string }[]>(
          `SELECT event_id FROM exchange.processed_events WHERE event_id = ANY($1::text[])`,
          [eventIds],
        )
      ).map((r) => r.event_id),
    );

    const rejected: { d: DecodedSectorEvent; reason: string }[] = [];
    const accepted: Accepted[] = [];
    const outcomes: Outcome[] = [];
    const processed: unknown[][] = [];
    const lifecycle: Lifecycle[] = [];
    for (const d of decoded) {
      if (!d.ok) {
        rejected.push({ d, reason: d.reason });
        continue;
      }
      if (seenBefore.has(d.context.id)) {
        this.logger.warn(
          `event ${d.context.id} at ${d.position.topic}[${d.position.partition}]@${d.position.offset} was processed before; ignored`,
        );
        outcomes.push({ d, status: 'ignored_duplicate' });
        continue;
      }
      seenBefore.add(d.context.id);
      if (d.action !== 'publish') {
        // Narrowed on `action`: a correction or a withdrawal.
        lifecycle.push(d as Lifecycle);
        continue;
      }
      try {
        const normalised = normalise(d.event, {
          recordId: this.ids.next(),
          recordedAt: now,
          pseudonymise: this.identity.pseudonymise,
          catalogue: this.catalogue,
        });
        accepted.push({ ...d, normalised });
      } catch (error) {
        if (!(error instanceof NormalisationError)) throw error;
        rejected.push({ d, reason: error.message });
        processed.push([
          d.context.id,
          d.position.topic,
          d.position.partition,
          d.position.offset,
          'dead_lettered',
          now,
        ]);
      }
    }

    const stored = await this.storeRecords(em, accepted, now);
    for (const a of accepted) {
      const outcome = stored.has(a.normalised.record.recordId) ? 'stored' : 'dead_lettered';
      if (outcome === 'dead_lettered') {
        rejected.push({
          d: a,
          reason: `agency ${a.normalised.record.source.agencyId} already published record ${a.normalised.record.source.sourceRecordId}; send a correction instead`,
        });
      }
      processed.push([a.context.id, a.position.topic, a.position.partition, a.position.offset, outcome, now]);
    }
    const storedRecords = accepted.filter((a) => stored.has(a.normalised.record.recordId));
    const audit: AuditEntryInput[] = [];
    const deliveries = await this.routeAndRecord(em, storedRecords, now, audit);
    // After the new records: a correction may follow its record's publication in the same batch.
    for (const item of lifecycle) {
      const applied =
        item.action === 'correct' || item.action === 'withdraw'
          ? await this.applyAgencyChange(em, item, now, audit)
          : await this.lifecycle.apply(em, item, now, audit);
      processed.push([
        item.context.id,
        item.position.topic,
        item.position.partition,
        item.position.offset,
        'reason' in applied ? 'dead_lettered' : 'stored',
        now,
      ]);
      if ('reason' in applied) rejected.push({ d: item, reason: applied.reason });
      else {
        deliveries.push(...applied.outbound);
        outcomes.push({ d: item, status: 'stored', recordId: applied.recordId, version: applied.version });
      }
    }
    const deadLetters = await this.deadLetter(em, rejected, now);
    await bulkInsert(
      em,
      'exchange.processed_events',
      ['event_id', 'topic', 'partition', 'offset', 'outcome', 'processed_at'],
      processed,
    );
    for (const a of storedRecords)
      outcomes.push({
        d: a,
        status: 'stored',
        recordId: a.normalised.record.recordId,
        version: a.normalised.record.version,
      });
    for (const { d, reason } of rejected) outcomes.push({ d, status: 'dead_lettered', reason });
    const outcomeMessages = await this.recordOutcomes(em, outcomes, now);
    // Last in the transaction: the audit log's lock serialises the chain from here to the commit.
    await this.audit.append(em, audit);
    return [...deliveries, ...deadLetters, ...outcomeMessages];
  }

  /**
   * Tells the sector service what became of each of its events (credit.<sector>.outcomes.v1), so
   * the agency can read it on its receipt. Stored like every other output, for exact republishing.
   */
  private async recordOutcomes(
    em: EntityManager,
    outcomes: Outcome[],
    now: Date,
  ): Promise<OutboundMessage[]> {
    const rows: unknown[][] = [];
    const outbound: OutboundMessage[] = [];
    for (const { d, status, recordId, version, reason } of outcomes) {
      const eventId = d.ok ? d.context.id : d.eventId;
      const sector = /^credit\.([a-z]+)\.events\.v1$/.exec(d.position.topic)?.[1];
      if (!eventId || !sector || !isSector(sector)) continue; // nothing the sector service could match it to
      const value = Buffer.from(
        toBinary(
          ProcessingOutcomeSchema,
          create(ProcessingOutcomeSchema, {
            eventId,
            status,
            recordId: recordId ?? '',
            version: version ?? 0,
            reason: reason ?? '',
            processedAt: now.toISOString(),
          }),
        ),
      );
      const message = {
        topic: Topics.outcomes(sector),
        key: d.message.key,
        value,
        headers: { 'content-type': PROTOBUF_CONTENT_TYPE, ce_dataschema: ProcessingOutcomeSchema.typeName },
      };
      outbound.push(message);
      rows.push([
        d.position.topic,
        d.position.partition,
        d.position.offset,
        eventId,
        message.topic,
        message.key,
        value,
        message.headers,
        now,
      ]);
    }
    await bulkInsert(
      em,
      'exchange.outcome_messages',
      OUTCOME_MESSAGE_COLUMNS,
      rows,
      'ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING',
    );
    return outbound;
  }

  /** Subjects of new or corrected records: name kept current, a person's number sealed at rest. */
  private async upsertSubjects(em: EntityManager, records: NormalisedRecord[], now: Date): Promise<void> {
    const subjects = new Map(
      records.map(({ record, clearIdNumber }) => [record.subject.canonicalId, { record, clearIdNumber }]),
    );
    await bulkInsert(
      em,
      'exchange.subjects',
      ['canonical_id', 'kind', 'name', 'region_code', 'id_number_encrypted', 'created_at', 'updated_at'],
      [...subjects.values()].map(({ record: { subject }, clearIdNumber }) => [
        subject.canonicalId,
        subject.kind,
        subject.name,
        subject.regionCode,
        subject.kind === 'natural_person' ? this.identity.encrypt(clearIdNumber) : null,
        now,
        now,
      ]),
      `ON CONFLICT (canonical_id) DO UPDATE SET name = EXCLUDED.name, updated_at = EXCLUDED.updated_at`,
    );
  }

  /**
   * A correction (new version) or withdrawal of a held record. Every subscriber that received any
   * version gets `corrected` / `withdrawn` (from the ledger, whatever today's policy says); for a
   * correction, a subscriber newly entitled to the record gets it `published`.
   */
  private async applyAgencyChange(
    em: EntityManager,
    item: AgencyChange,
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<{ reason: string } | { outbound: OutboundMessage[]; recordId: string; version: number }> {
    const source = item.action === 'withdraw' ? item.withdrawal.source : item.event.source;
    if (!source) return { reason: 'source is required' };
    const [current] = await em.query<
      { record_id: string; current_version: number; status: string; subject_id: string }[]
    >(
      `SELECT record_id, current_version, status, subject_id FROM exchange.records WHERE agency_id = $1 AND source_record_id = $2 FOR UPDATE`,
      [source.agencyId, source.sourceRecordId],
    );
    const verb = item.action === 'withdraw' ? 'withdraw' : 'correct';
    if (!current)
      return { reason: `agency ${source.agencyId} has no record ${source.sourceRecordId} to ${verb}` };
    if (ENDED_STATUSES.includes(current.status as RecordStatusName))
      return { reason: `record ${source.sourceRecordId} of agency ${source.agencyId} was ${current.status}` };
    const [previous] = await em.query<{ body: CanonicalRecord }[]>(
      `SELECT body FROM exchange.record_versions WHERE record_id = $1 AND version = $2`,
      [current.record_id, current.current_version],
    );
    if (!previous) throw new Error(`record ${current.record_id} has no version ${current.current_version}`);

    let record: CanonicalRecord;
    let clearIdNumber: string;
    if (item.action === 'correct') {
      let normalised: NormalisedRecord;
      try {
        normalised = normalise(item.event, {
          recordId: current.record_id,
          recordedAt: now,
          pseudonymise: this.identity.pseudonymise,
          catalogue: this.catalogue,
        });
      } catch (error) {
        if (error instanceof NormalisationError) return { reason: error.message };
        throw error;
      }
      record = { ...normalised.record, version: current.current_version + 1, status: 'corrected' };
      clearIdNumber = normalised.clearIdNumber;
      await this.upsertSubjects(em, [{ ...normalised, record }], now);
      await em.query(
        `UPDATE exchange.record_versions SET valid_to = $3 WHERE record_id = $1 AND version = $2`,
        [current.record_id, current.current_version, now],
      );
      await bulkInsert(
        em,
        'exchange.record_versions',
        ['record_id', 'version', 'body', 'source_event_id', 'recorded_at', 'valid_from', 'valid_to'],
        [[record.recordId, record.version, record, item.context.id, now, now, null]],
      );
      await em.query(
        `UPDATE exchange.records SET current_version = $2, status = 'corrected', subject_id = $3 WHERE record_id = $1`,
        [current.record_id, record.version, record.subject.canonicalId],
      );
    } else {
      record = { ...previous.body, status: 'withdrawn' };
      clearIdNumber = await this.lifecycle.clearIdOf(em, record);
      await em.query(
        `UPDATE exchange.record_versions SET valid_to = $3 WHERE record_id = $1 AND version = $2`,
        [current.record_id, current.current_version, now],
      );
      await em.query(`UPDATE exchange.records SET status = 'withdrawn' WHERE record_id = $1`, [
        current.record_id,
      ]);
    }

    // Whoever holds the record hears of the change, whatever today's policy says.
    const receivers = new Set(await this.lifecycle.holders(em, current.record_id));
    const decisions = new Map(route(record, this.policy).map((d) => [d.subscriberId, d]));
    const expired = record.disclosure.disclosureUntil < now.toISOString().slice(0, 10);
    const about = { actor: this.actor, subjectId: record.subject.canonicalId, recordId: record.recordId };
    const eventType = item.action === 'withdraw' ? CreditEventType.withdrawn : CreditEventType.corrected;
    const outbound: OutboundMessage[] = [];
    const rows: unknown[][] = [];
    for (const subscriber of this.policy.subscribers) {
      const decision = decisions.get(subscriber.id);
      const type = receivers.has(subscriber.id)
        ? eventType
        : item.action === 'correct' && decision?.allowed && !expired
          ? CreditEventType.published
          : undefined;
      audit.push({
        ...about,
        kind: 'routing_decision',
        details: {
          version: record.version,
          policyVersion: this.policy.version,
          event: eventType,
          pastReceiver: receivers.has(subscriber.id),
          sends: type ?? null,
          ...decision,
        },
      });
      if (!type) continue;
      const deliveryId = this.ids.next();
      const rule = receivers.has(subscriber.id)
        ? `ledger:past-receiver#${subscriber.id}`
        : (decision?.rule ?? '');
      const message = buildFeedMessage({
        eventId: deliveryId,
        type,
        record,
        subscriber,
        clearIdNumber,
        occurredAt: now,
        traceparent: processingTraceparent(item.message),
      });
      outbound.push(message);
      audit.push({
        ...about,
        kind: 'delivery',
        details: {
          deliveryId,
          subscriberId: subscriber.id,
          version: record.version,
          topic: message.topic,
          eventType: type,
          rule,
        },
      });
      rows.push([
        deliveryId,
        record.recordId,
        record.version,
        subscriber.id,
        type,
        rule,
        message.topic,
        message.key,
        message.value,
        message.headers,
        item.position.topic,
        item.position.partition,
        item.position.offset,
        now,
      ]);
    }
    await bulkInsert(em, 'exchange.deliveries', DELIVERY_COLUMNS, rows);
    return { outbound, recordId: record.recordId, version: record.version };
  }

  /** Subjects, records and first versions; returns the ids of the records actually inserted. */
  private async storeRecords(em: EntityManager, accepted: Accepted[], now: Date): Promise<Set<string>> {
    if (accepted.length === 0) return new Set();
    await this.upsertSubjects(
      em,
      accepted.map((a) => a.normalised),
      now,
    );
    const inserted = await bulkInsert<{ record_id: string }>(
      em,
      'exchange.records',
      [
        'record_id',
        'sector',
        'agency_id',
        'source_record_id',
        'subject_id',
        'kind',
        'status',
        'current_version',
        'created_at',
      ],
      accepted.map(({ normalised: { record: r } }) => [
        r.recordId,
        r.source.sector,
        r.source.agencyId,
        r.source.sourceRecordId,
        r.subject.canonicalId,
        r.kind,
        r.status,
        r.version,
        now,
      ]),
      `ON CONFLICT (agency_id, source_record_id) DO NOTHING RETURNING record_id`,
    );
    const ids = new Set(inserted.map((r) => r.record_id));
    await bulkInsert(
      em,
      'exchange.record_versions',
      ['record_id', 'version', 'body', 'source_event_id', 'recorded_at', 'valid_from', 'valid_to'],
      accepted
        .filter((a) => ids.has(a.normalised.record.recordId))
        .map(({ normalised: { record }, context }) => [
          record.recordId,
          record.version,
          record,
          context.id,
          now,
          now,
          null,
        ]),
    );
    return ids;
  }

  /** Routes each stored record; every decision (allowed or not) and every delivery is audited. */
  private async routeAndRecord(
    em: EntityManager,
    stored: Accepted[],
    now: Date,
    audit: AuditEntryInput[],
  ): Promise<OutboundMessage[]> {
    const rows: unknown[][] = [];
    const outbound: OutboundMessage[] = [];
    for (const { normalised, position, message: source } of stored) {
      const { record, clearIdNumber } = normalised;
      const about = { actor: this.actor, subjectId: record.subject.canonicalId, recordId: record.recordId };
      if (record.disclosure.disclosureUntil < now.toISOString().slice(0, 10)) {
        // Stored (it is part of the subject's history) but never disclosed: its period is over.
        audit.push({
          ...about,
          kind: 'routing_decision',
          details: {
            version: record.version,
            expired: true,
            disclosureUntil: record.disclosure.disclosureUntil,
          },
        });
        continue;
      }
      const decisions = route(record, this.policy);
      for (const decision of decisions) {
        cieMetrics.routingDecisions.inc({
          subscriber: decision.subscriberId,
          decision: decision.allowed ? 'allowed' : 'denied',
        });
        audit.push({
          ...about,
          kind: 'routing_decision',
          details: { version: record.version, policyVersion: this.policy.version, ...decision },
        });
      }
      for (const decision of decisions.filter((d) => d.allowed)) {
        const subscriber = this.policy.subscribers.find((s) => s.id === decision.subscriberId);
        if (!subscriber) continue;
        const eventId = this.ids.next();
        const message = buildFeedMessage({
          eventId,
          type: CreditEventType.published,
          record,
          subscriber,
          clearIdNumber,
          occurredAt: now,
          traceparent: processingTraceparent(source),
        });
        outbound.push(message);
        audit.push({
          ...about,
          kind: 'delivery',
          details: {
            deliveryId: eventId,
            subscriberId: subscriber.id,
            version: record.version,
            topic: message.topic,
            eventType: CreditEventType.published,
            rule: decision.rule,
          },
        });
        rows.push([
          eventId,
          record.recordId,
          record.version,
          subscriber.id,
          CreditEventType.published,
          decision.rule,
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
    }
    await bulkInsert(em, 'exchange.deliveries', DELIVERY_COLUMNS, rows);
    return outbound;
  }

  private async deadLetter(
    em: EntityManager,
    rejected: { d: DecodedSectorEvent; reason: string }[],
    now: Date,
  ): Promise<OutboundMessage[]> {
    const outbound: OutboundMessage[] = [];
    const rows = rejected.map(({ d, reason }) => {
      const message = deadLetterMessage(d.position, d.message, reason);
      outbound.push(message);
      this.logger.warn(
        `dead-lettered ${d.position.topic}[${d.position.partition}]@${d.position.offset}: ${reason}`,
      );
      const eventId = d.ok ? d.context.id : (d.eventId ?? null);
      return [
        this.ids.next(),
        d.position.topic,
        d.position.partition,
        d.position.offset,
        eventId,
        reason,
        message.topic,
        message.key,
        message.value,
        message.headers,
        now,
      ];
    });
    await bulkInsert(
      em,
      'exchange.dead_letters',
      [
        'dead_letter_id',
        'source_topic',
        'source_partition',
        'source_offset',
        'event_id',
        'reason',
        'topic',
        'message_key',
        'payload',
        'headers',
        'created_at',
      ],
      rows,
      `ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING`,
    );
    return outbound;
  }
}
