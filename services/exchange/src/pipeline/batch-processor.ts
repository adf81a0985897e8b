import { Logger } from '@nestjs/common';
import { create, toBinary } from '@bufbuild/protobuf';
import { isSector, ProcessingOutcomeSchema, PROTOBUF_CONTENT_TYPE, Topics } from '@cie/contracts';
import { type Clock, deadLetterMessage, type IdGenerator } from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditLog } from '../audit/audit-log.js';
import { onePerRecord } from '../audit/audit-per-record.js';
import type { JointMeasuresHandler } from '../measures/joint-measures.handler.js';
import type { Applied, OutboundMessage, Refusal, Step } from '../outbound.js';
import type { Publication, PublicationHandler } from '../publication/publication.handler.js';
import { dispatch, type HandlerRegistry, type OneByOne } from './handlers.js';
import type { AgencyMessageRow, DeadLetterRow, OutboxRepository } from './outbox.repository.js';
import type { ProcessedRow, ProgressRepository } from './progress.repository.js';
import { type DecodedEvent, type DecodedSectorEvent, decodeSectorEvent } from './sector-event.decoder.js';

/** What became of one event, for its sector service (and the processed-events table). */
interface Outcome {
  d: DecodedSectorEvent;
  status: 'stored' | 'dead_lettered' | 'ignored_duplicate';
  recordId?: string;
  version?: number;
  refusal?: Refusal;
}

/**
 * Stores a batch of sector events and commands and decides what to publish, in one PostgreSQL
 * transaction; the consumer publishes the outputs and commits the offsets in one Kafka transaction.
 *
 * Exactly-once across PostgreSQL and Kafka: every output (feed message, dead letter, outcome,
 * agency request) is stored with the source position that produced it. When a batch comes back
 * (its Kafka transaction never committed, e.g. after kill -9) its stored outputs are published
 * again unchanged; when a topic is replayed below `consumer_progress.next_offset` (outputs known to
 * be committed) nothing is published; an event id seen before at another position is a duplicate.
 */
export class BatchProcessor {
  private readonly logger = new Logger(BatchProcessor.name);

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly audit: AuditLog,
    private readonly progress: ProgressRepository,
    private readonly outbox: OutboxRepository,
    private readonly publication: PublicationHandler,
    private readonly handlers: HandlerRegistry,
    private readonly measures: JointMeasuresHandler,
  ) {}

  async processBatch(topic: string, partition: number, messages: KafkaMessage[]): Promise<OutboundMessage[]> {
    return this.db.transaction(async (em) => {
      const committedBelow = await this.progress.committedBelow(em, topic, partition);
      const pending = messages.filter((m) => BigInt(m.offset) >= committedBelow);
      if (pending.length === 0) return [];
      const handled = await this.progress.storedOutputs(
        em,
        topic,
        partition,
        pending.map((m) => m.offset),
      );
      if (handled.positions.size > 0)
        this.logger.log(
          `re-publishing the stored outputs of ${handled.positions.size} event(s) on ${topic}[${partition}]`,
        );
      const fresh = pending
        .filter((m) => !handled.positions.has(m.offset))
        .map((m) => decodeSectorEvent({ topic, partition, offset: m.offset }, m));
      return [...handled.outbound, ...(await this.handleFresh(em, fresh))];
    });
  }

  /**
   * One message that failed on its own with an error that is not transient (a bug, data the database
   * refuses): dead-lettered with its code and original bytes, so the partition moves on. Its stored
   * outputs, if a retry finds any, are published instead.
   */
  async isolate(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
  ): Promise<OutboundMessage[]> {
    return this.db.transaction(async (em) => {
      const handled = await this.progress.storedOutputs(em, topic, partition, [message.offset]);
      if (handled.positions.size > 0) return handled.outbound;
      const d: DecodedSectorEvent = {
        ok: false,
        position: { topic, partition, offset: message.offset },
        message,
        reason: `processing failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000),
        code: 'processing_failed',
      };
      const now = this.clock.now();
      const outcomes: Outcome[] = [
        { d, status: 'dead_lettered', refusal: { code: d.code, detail: d.reason } },
      ];
      return [
        ...(await this.deadLetter(em, outcomes, now)),
        ...(await this.recordOutcomes(em, outcomes, now)),
      ];
    });
  }

  private async handleFresh(em: EntityManager, decoded: DecodedSectorEvent[]): Promise<OutboundMessage[]> {
    const step: Step = { em, now: this.clock.now(), audit: [] };
    const seenBefore = await this.progress.seenBefore(
      em,
      decoded.flatMap((d) => (d.ok ? [d.context.id] : [])),
    );
    const outcomes: Outcome[] = [];
    const publications: Publication[] = [];
    const others: DecodedEvent<OneByOne>[] = [];
    for (const d of decoded) {
      if (!d.ok)
        outcomes.push({
          d,
          status: 'dead_lettered',
          refusal: { code: d.code, detail: d.reason, ...(d.field !== undefined && { field: d.field }) },
        });
      else if (seenBefore.has(d.context.id)) {
        this.logger.warn(`event ${d.context.id} at ${where(d)} was processed before; ignored`);
        outcomes.push({ d, status: 'ignored_duplicate' });
      } else {
        seenBefore.add(d.context.id);
        if (d.action === 'publish') publications.push(d);
        else others.push(d);
      }
    }
    const outbound: OutboundMessage[] = [];
    /** What follows from each change (list entries, measure tasks), under its source position. */
    const applied = async (results: [DecodedEvent, Applied][]) => {
      const changes = results.flatMap(([d, result]) =>
        'refused' in result || !result.changed ? [] : [{ change: result.changed, source: d }],
      );
      const followed = new Map(
        (await this.measures.reconcileAll(step, changes)).map((out, i) => [changes[i]!.source, out]),
      );
      for (const [d, result] of results) {
        if ('refused' in result) outcomes.push({ d, status: 'dead_lettered', refusal: result.refused });
        else {
          outbound.push(...result.outbound, ...(followed.get(d) ?? []));
          outcomes.push({ d, status: 'stored', recordId: result.recordId, version: result.version });
        }
      }
    };
    // New records first, all at once: a correction may follow its record's publication in the same
    // batch. Then the others one by one, each seeing what the ones before it stored.
    await applied([...(await this.publication.publishAll(step, publications))]);
    for (const item of others) await applied([[item, await dispatch(this.handlers, step, item)]]);

    await this.progress.insertProcessed(
      em,
      outcomes.flatMap((o) => processedRow(o, step.now)),
    );
    const deadLetters = await this.deadLetter(em, outcomes, step.now);
    const outcomeMessages = await this.recordOutcomes(em, outcomes, step.now);
    // Last in the transaction: the audit log's lock serialises the chain from here to the commit.
    await this.audit.append(em, onePerRecord(step.audit));
    return [...outbound, ...deadLetters, ...outcomeMessages];
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
    const rows: AgencyMessageRow[] = [];
    for (const { d, status, recordId, version, refusal } of outcomes) {
      const eventId = d.ok ? d.context.id : d.eventId;
      const sector = /^credit\.([a-z]+)\.events\.v1$/.exec(d.position.topic)?.[1];
      if (!eventId || !sector || !isSector(sector)) continue; // nothing the sector service could match it to
      const outcome = create(ProcessingOutcomeSchema, {
        eventId,
        status,
        recordId: recordId ?? '',
        version: version ?? 0,
        reason: refusal?.detail ?? '',
        processedAt: now.toISOString(),
      });
      rows.push({
        ...sourceOf(d),
        event_id: eventId,
        topic: Topics.outcomes(sector),
        message_key: d.message.key,
        payload: Buffer.from(toBinary(ProcessingOutcomeSchema, outcome)),
        headers: { 'content-type': PROTOBUF_CONTENT_TYPE, ce_dataschema: ProcessingOutcomeSchema.typeName },
        created_at: now,
      });
    }
    await this.outbox.insertAgencyMessages(em, rows);
    return rows.map(toOutbound);
  }

  private async deadLetter(em: EntityManager, outcomes: Outcome[], now: Date): Promise<OutboundMessage[]> {
    const rows: DeadLetterRow[] = [];
    for (const { d, status, refusal } of outcomes) {
      if (status !== 'dead_lettered' || !refusal) continue;
      const message = deadLetterMessage(d.position, d.message, refusal);
      this.logger.warn(`dead-lettered ${where(d)} (${refusal.code}): ${refusal.detail}`);
      rows.push({
        dead_letter_id: this.ids.next(),
        ...sourceOf(d),
        event_id: d.ok ? d.context.id : (d.eventId ?? null),
        reason: refusal.detail,
        topic: message.topic,
        message_key: message.key,
        payload: message.value,
        headers: message.headers,
        created_at: now,
      });
    }
    await this.outbox.insertDeadLetters(em, rows);
    return rows.map(toOutbound);
  }
}

const where = (d: DecodedSectorEvent) => `${d.position.topic}[${d.position.partition}]@${d.position.offset}`;

const sourceOf = (d: DecodedSectorEvent) => ({
  source_topic: d.position.topic,
  source_partition: d.position.partition,
  source_offset: d.position.offset,
});

const toOutbound = (r: {
  topic: string;
  message_key: Buffer | null;
  payload: Buffer | null;
  headers: Record<string, string>;
}): OutboundMessage => ({
  topic: r.topic,
  key: r.message_key,
  value: r.payload,
  headers: r.headers,
});

/** Decoded events are remembered by id (refused ones too, unless they had no readable id). */
function processedRow(o: Outcome, now: Date): ProcessedRow[] {
  if (!o.d.ok || o.status === 'ignored_duplicate') return [];
  return [
    {
      event_id: o.d.context.id,
      topic: o.d.position.topic,
      partition: o.d.position.partition,
      offset: o.d.position.offset,
      outcome: o.status,
      processed_at: now,
    },
  ];
}
