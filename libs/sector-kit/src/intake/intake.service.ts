import { createHash } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  type CloudEventContext,
  CreditEventType,
  MAX_RECORD_BYTES,
  RecordWithdrawalSchema,
  SourceRefSchema,
  SubjectIdentitySchema,
  SubjectKind,
  Topics,
  WithdrawalReason,
} from '@cie/contracts';
import { normaliseIdentifier } from '@cie/identifiers';
import {
  type Agency,
  BrokerUnavailableError,
  bulkInsert,
  cieMetrics,
  type Clock,
  type EventPublisher,
  type IdGenerator,
  type SqlRunner,
} from '@cie/platform';
import { instanceToPlain } from 'class-transformer';
import { type DataSource } from 'typeorm';
import type { RecordTypeDefinition, SectorDefinition } from '../record-type.js';
import type { SectorRecordDto } from '../sector-record.dto.js';
import { validateRecord } from '../validate-record.js';
import { IntakeErrorCode, IntakeException } from './intake.exception.js';
import { canonicalJson, inspectJson, parseAgencyJson } from './json-guards.js';
import { type Receipt, refused } from './receipt.js';
import type { WithdrawalDto } from './withdrawal.dto.js';

export type Channel = 'http' | 'bulk' | 'kafka';

const SUBJECT_KIND = {
  legal_entity: SubjectKind.LEGAL_ENTITY,
  natural_person: SubjectKind.NATURAL_PERSON,
  other: SubjectKind.OTHER,
} as const;
const WITHDRAWAL_REASON = {
  decision_revoked: WithdrawalReason.DECISION_REVOKED,
  obligation_fulfilled: WithdrawalReason.OBLIGATION_FULFILLED,
  published_in_error: WithdrawalReason.PUBLISHED_IN_ERROR,
  other: WithdrawalReason.OTHER,
} as const;

/** A record that passed validation, on its way to Kafka. */
interface Candidate {
  index: number;
  definition: RecordTypeDefinition;
  record: SectorRecordDto;
  hash: string;
}

/** An event decided in the database transaction, published after it. */
interface Outgoing {
  index: number;
  eventId: string;
  key: string;
  value: Buffer;
  type: string;
  dataschema: string;
  receipt: Receipt;
  /** The trace the event continues, when its submission named one (a Kafka submission's span). */
  traceparent?: string;
}

interface SubmissionRow {
  event_id: string;
  source_record_id: string;
  action: 'publish' | 'correct' | 'withdraw';
  version: number;
  content_hash: string;
  status: 'pending' | 'accepted';
  topic: string | null;
  partition: number | null;
  offset: string | null;
  received_at: Date;
  accepted_at: Date | null;
  outcome?: string | null;
  outcome_reason?: string | null;
  exchange_record_id?: string | null;
  outcome_at?: Date | null;
}

interface RecordRow {
  record_type: string;
  version: number;
  status: 'active' | 'withdrawn';
  content_hash: string;
}

/**
 * The one path from an agency's record to a sector event, for every channel: validate, make it
 * idempotent per (agency, sourceRecordId) in the sector's own schema, publish with acks=all, and
 * answer with a receipt. A batch writes and publishes together (one INSERT, one produce request).
 */
export class IntakeService {
  private readonly topic: string;
  private readonly schema: string;

  constructor(
    private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    private readonly sector: SectorDefinition,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {
    this.topic = Topics.sectorEvents(sector.sector);
    this.schema = sector.sector;
  }

  /**
   * New records (one, an array, NDJSON lines or Kafka submissions); one receipt each, in order.
   * `traceparents[i]`, when given, is the trace body i's event continues (else the active span's).
   */
  async submit(
    agency: Agency,
    bodies: unknown[],
    channel: Channel,
    traceparents?: (string | undefined)[],
  ): Promise<Receipt[]> {
    countReceived(this.sector.sector, channel, bodies.length);
    const now = this.clock.now();
    const receipts: Receipt[] = new Array<Receipt>(bodies.length);
    const candidates: Candidate[] = [];
    bodies.forEach((body, index) => {
      const checked = this.check(body, now);
      if ('receipt' in checked) receipts[index] = checked.receipt;
      else candidates.push({ index, ...checked });
    });

    const aliases = new Map<number, number>(); // a repeated record in the same batch -> its first occurrence
    const outgoing = await this.db.transaction(async (em) => {
      const first = firstPerRecord(candidates);
      const inserted = new Set(
        (
          await bulkInsert<{ source_record_id: string }>(
            em,
            `${this.schema}.records`,
            [
              'agency_id',
              'source_record_id',
              'record_type',
              'version',
              'status',
              'content_hash',
              'subject_key',
              'created_at',
              'updated_at',
            ],
            [...first.values()].map((c) => [
              agency.agencyId,
              c.record.sourceRecordId,
              c.definition.recordType,
              1,
              'active',
              c.hash,
              subjectKeyOf(c.record),
              now,
              now,
            ]),
            'ON CONFLICT (agency_id, source_record_id) DO NOTHING RETURNING source_record_id',
          )
        ).map((r) => r.source_record_id),
      );
      // The records' rows are locked (in one order, so batches cannot deadlock): a withdrawal waits
      // until a pending publication re-sent below is on Kafka, and so comes after it.
      const published = new Map(
        (
          await em.query<(SubmissionRow & { record_status: RecordRow['status'] })[]>(
            `SELECT s.*, r.status AS record_status FROM ${this.schema}.submissions s
               JOIN ${this.schema}.records r ON r.agency_id = s.agency_id AND r.source_record_id = s.source_record_id
              WHERE s.agency_id = $1 AND s.source_record_id = ANY($2) AND s.action = 'publish'
              ORDER BY s.source_record_id FOR UPDATE OF r`,
            [agency.agencyId, [...first.keys()]],
          )
        ).map((s) => [s.source_record_id, s]),
      );

      const out: Outgoing[] = [];
      const resent: Outgoing[] = [];
      const fresh: unknown[][] = [];
      for (const c of candidates) {
        const id = c.record.sourceRecordId;
        const original = first.get(id)!;
        const stored = published.get(id);
        const conflict = () =>
          refused(
            id,
            409,
            [
              {
                field: 'sourceRecordId',
                detail: `record ${id} was already published with different content; send a correction to change it`,
              },
            ],
            'conflict',
          );
        if (original !== c) {
          if (original.hash !== c.hash) receipts[c.index] = conflict();
          else aliases.set(c.index, original.index);
        } else if (inserted.has(id)) {
          const eventId = this.ids.next();
          fresh.push([eventId, agency.agencyId, id, 'publish', 1, c.hash, channel, 'pending', now]);
          out.push(
            this.outgoingRecord(c, agency, eventId, CreditEventType.published, {
              status: 'accepted',
              httpStatus: 202,
              sourceRecordId: id,
              eventId,
              recordType: c.definition.recordType,
              action: 'publish',
              version: 1,
              receivedAt: now.toISOString(),
            }),
          );
        } else if (!stored || stored.content_hash !== c.hash) {
          receipts[c.index] = conflict();
        } else if (stored.status === 'accepted') {
          receipts[c.index] = toReceipt(stored, 'duplicate', 200, c.definition.recordType);
        } else if (stored.record_status === 'withdrawn') {
          // Never acknowledged, and withdrawn since: published now, it would follow the withdrawal on
          // the topic and bring back a record the agency withdrew.
          receipts[c.index] = refused(
            id,
            409,
            [
              {
                field: 'sourceRecordId',
                detail: `record ${id} was withdrawn; its publication, never acknowledged by Kafka, is not sent after the withdrawal`,
              },
            ],
            'conflict',
          );
        } else {
          // Stored but never acknowledged by Kafka (the broker failed, or the service died): publish
          // again with the same event id, which the exchange de-duplicates, before the row lock is
          // released, so that a withdrawal waiting on it is published after it.
          resent.push(
            this.outgoingRecord(
              c,
              agency,
              stored.event_id,
              CreditEventType.published,
              toReceipt(stored, 'accepted', 202, c.definition.recordType),
            ),
          );
        }
      }
      await this.insertSubmissions(em, fresh);
      for (const o of resent) o.traceparent = traceparents?.[o.index];
      await this.publish(resent, agency, now, em);
      return { out, resent };
    });

    for (const o of outgoing.out) o.traceparent = traceparents?.[o.index];
    await this.publish(outgoing.out, agency, now);
    for (const o of [...outgoing.resent, ...outgoing.out]) receipts[o.index] = o.receipt;
    for (const [index, originalIndex] of aliases) {
      const original = receipts[originalIndex];
      receipts[index] =
        original && original.eventId ? { ...original, status: 'duplicate', httpStatus: 200 } : original!;
    }
    countReceipts(this.sector.sector, receipts);
    return receipts;
  }

  /** A new version of an existing record: every past receiver will get `corrected`. */
  async correct(agency: Agency, sourceRecordId: string, body: unknown, channel: Channel): Promise<Receipt> {
    countReceived(this.sector.sector, channel, 1);
    const receipt = await this.correctOne(agency, sourceRecordId, body, channel);
    countReceipts(this.sector.sector, [receipt]);
    return receipt;
  }

  private async correctOne(
    agency: Agency,
    sourceRecordId: string,
    body: unknown,
    channel: Channel,
  ): Promise<Receipt> {
    const now = this.clock.now();
    const checked = this.check(body, now);
    if ('receipt' in checked) return checked.receipt;
    if (checked.record.sourceRecordId !== sourceRecordId) {
      return refused(sourceRecordId, 422, [
        { field: 'sourceRecordId', detail: `must be ${sourceRecordId}, the record being corrected` },
      ]);
    }
    const candidate: Candidate = { index: 0, ...checked };
    const outgoing = await this.db.transaction(async (em) => {
      const current = await this.lockRecord(em, agency, sourceRecordId);
      if (!current)
        return refused(
          sourceRecordId,
          404,
          [{ field: 'sourceRecordId', detail: `no record ${sourceRecordId} of agency ${agency.agencyId}` }],
          'not_found',
        );
      if (current.record_type !== candidate.definition.recordType) {
        return refused(sourceRecordId, 422, [
          { field: 'recordType', detail: `record ${sourceRecordId} is a ${current.record_type}` },
        ]);
      }
      if (current.status === 'withdrawn')
        return refused(
          sourceRecordId,
          409,
          [{ field: 'sourceRecordId', detail: 'the record was withdrawn and cannot be corrected' }],
          'conflict',
        );
      if (current.content_hash === candidate.hash) {
        // A pending one is re-sent under the row lock, as in submit: a withdrawal follows it.
        const replayed = await this.replay(em, agency, sourceRecordId, candidate);
        if (!('receipt' in replayed)) return replayed;
        await this.publish([replayed], agency, now, em);
        return replayed.receipt;
      }
      const version = current.version + 1;
      const eventId = this.ids.next();
      await em.query(
        `UPDATE ${this.schema}.records SET version = $3, content_hash = $4, updated_at = $5 WHERE agency_id = $1 AND source_record_id = $2`,
        [agency.agencyId, sourceRecordId, version, candidate.hash, now],
      );
      await this.insertSubmissions(em, [
        [
          eventId,
          agency.agencyId,
          sourceRecordId,
          'correct',
          version,
          candidate.hash,
          channel,
          'pending',
          now,
        ],
      ]);
      return this.outgoingRecord(candidate, agency, eventId, CreditEventType.corrected, {
        status: 'accepted',
        httpStatus: 202,
        sourceRecordId,
        eventId,
        recordType: candidate.definition.recordType,
        action: 'correct',
        version,
        receivedAt: now.toISOString(),
      });
    });
    return this.publishOne(outgoing, agency, now);
  }

  /** Withdraws a record (decision revoked, obligation fulfilled, published in error). */
  async withdraw(
    agency: Agency,
    sourceRecordId: string,
    withdrawal: WithdrawalDto,
    channel: Channel,
  ): Promise<Receipt> {
    countReceived(this.sector.sector, channel, 1);
    const receipt = await this.withdrawOne(agency, sourceRecordId, withdrawal, channel);
    countReceipts(this.sector.sector, [receipt]);
    return receipt;
  }

  private async withdrawOne(
    agency: Agency,
    sourceRecordId: string,
    withdrawal: WithdrawalDto,
    channel: Channel,
  ): Promise<Receipt> {
    const now = this.clock.now();
    const hash = sha256(canonicalJson(instanceToPlain(withdrawal)));
    const outgoing = await this.db.transaction(async (em): Promise<Receipt | Outgoing> => {
      const current = await this.lockRecord(em, agency, sourceRecordId);
      if (!current)
        return refused(
          sourceRecordId,
          404,
          [{ field: 'sourceRecordId', detail: `no record ${sourceRecordId} of agency ${agency.agencyId}` }],
          'not_found',
        );
      const event = () =>
        toBinary(
          RecordWithdrawalSchema,
          create(RecordWithdrawalSchema, {
            source: create(SourceRefSchema, {
              sector: this.sector.sector,
              agencyId: agency.agencyId,
              sourceRecordId,
            }),
            recordType: current.record_type,
            reason: WITHDRAWAL_REASON[withdrawal.reason],
            note: withdrawal.note ?? '',
            withdrawnOn: withdrawal.withdrawnOn,
          }),
        );
      if (current.status === 'withdrawn') {
        const [stored] = await em.query<SubmissionRow[]>(
          `SELECT * FROM ${this.schema}.submissions WHERE agency_id = $1 AND source_record_id = $2 AND action = 'withdraw'`,
          [agency.agencyId, sourceRecordId],
        );
        if (!stored) throw new Error(`withdrawn record ${sourceRecordId} has no withdrawal`);
        if (stored.content_hash !== hash)
          return refused(
            sourceRecordId,
            409,
            [{ field: 'sourceRecordId', detail: 'the record was already withdrawn' }],
            'conflict',
          );
        const receipt = toReceipt(
          stored,
          stored.status === 'accepted' ? 'duplicate' : 'accepted',
          stored.status === 'accepted' ? 200 : 202,
          current.record_type,
        );
        if (stored.status === 'accepted') return receipt;
        return {
          index: 0,
          eventId: stored.event_id,
          key: await this.subjectKeyOf(em, agency, sourceRecordId),
          value: Buffer.from(event()),
          type: CreditEventType.withdrawn,
          dataschema: RecordWithdrawalSchema.typeName,
          receipt,
        };
      }
      const eventId = this.ids.next();
      await em.query(
        `UPDATE ${this.schema}.records SET status = 'withdrawn', updated_at = $3 WHERE agency_id = $1 AND source_record_id = $2`,
        [agency.agencyId, sourceRecordId, now],
      );
      await this.insertSubmissions(em, [
        [
          eventId,
          agency.agencyId,
          sourceRecordId,
          'withdraw',
          current.version,
          hash,
          channel,
          'pending',
          now,
        ],
      ]);
      return {
        index: 0,
        eventId,
        key: await this.subjectKeyOf(em, agency, sourceRecordId),
        value: Buffer.from(event()),
        type: CreditEventType.withdrawn,
        dataschema: RecordWithdrawalSchema.typeName,
        receipt: {
          status: 'accepted',
          httpStatus: 202,
          sourceRecordId,
          eventId,
          recordType: current.record_type,
          action: 'withdraw',
          version: current.version,
          receivedAt: now.toISOString(),
        },
      };
    });
    return this.publishOne(outgoing, agency, now);
  }

  /** The record's state and every event sent for it, newest last. */
  async history(agency: Agency, sourceRecordId: string) {
    const [record] = await this.db.query<(RecordRow & { created_at: Date; updated_at: Date })[]>(
      `SELECT * FROM ${this.schema}.records WHERE agency_id = $1 AND source_record_id = $2`,
      [agency.agencyId, sourceRecordId],
    );
    if (!record) return undefined;
    const submissions = await this.db.query<SubmissionRow[]>(
      `SELECT * FROM ${this.schema}.submissions WHERE agency_id = $1 AND source_record_id = $2 ORDER BY version, received_at`,
      [agency.agencyId, sourceRecordId],
    );
    return {
      sourceRecordId,
      agencyId: agency.agencyId,
      recordType: record.record_type,
      status: record.status,
      version: record.version,
      events: submissions.map((s) =>
        toReceipt(s, s.status === 'accepted' ? 'accepted' : 'duplicate', 200, record.record_type),
      ),
    };
  }

  /**
   * Every record, whatever its channel, is checked here. `body` is a parsed value, or the raw bytes of
   * a submission-topic message (parsed here, so every channel has the same parse and problems).
   */
  private check(input: unknown, now: Date): { receipt: Receipt } | Omit<Candidate, 'index'> {
    const parsed = input instanceof Uint8Array ? parseAgencyJson(input) : { ok: true as const, value: input };
    if (!parsed.ok) return { receipt: refused(null, 400, parsed.problems) };
    const body = parsed.value;
    const id = sourceIdOf(body);
    // First: JSON.stringify below, class-transformer and class-validator all recurse.
    const hostile = inspectJson(body);
    if (hostile.length > 0) return { receipt: refused(id, 422, hostile) };
    const size = Buffer.byteLength(JSON.stringify(body) ?? '');
    if (size > MAX_RECORD_BYTES)
      return {
        receipt: refused(
          id,
          413,
          [{ field: '', detail: `a record may be at most ${MAX_RECORD_BYTES} bytes; this one is ${size}` }],
          'too_large',
        ),
      };
    const checked = validateRecord(this.sector, body);
    if (!checked.ok)
      return {
        receipt: refused(
          id,
          checked.status,
          checked.problems,
          checked.status === 403 ? 'forbidden' : 'refused',
        ),
      };
    if (checked.record.decisionDate > now.toISOString().slice(0, 10)) {
      return {
        receipt: refused(id, 422, [{ field: 'decisionDate', detail: 'decisionDate is in the future' }]),
      };
    }
    return {
      definition: checked.definition,
      record: checked.record,
      hash: sha256(canonicalJson(instanceToPlain(checked.record))),
    };
  }

  private outgoingRecord(
    c: Candidate,
    agency: Agency,
    eventId: string,
    type: string,
    receipt: Receipt,
  ): Outgoing {
    const { record, definition } = c;
    const source = create(SourceRefSchema, {
      sector: this.sector.sector,
      agencyId: agency.agencyId,
      sourceRecordId: record.sourceRecordId,
      decisionNumber: record.decisionNumber,
      decidingAuthority: record.decidingAuthority,
      decisionDate: record.decisionDate,
    });
    const subject = create(SubjectIdentitySchema, {
      kind: SUBJECT_KIND[record.subject.kind],
      idNumber: normaliseIdentifier(record.subject.idNumber),
      name: record.subject.name.trim(),
    });
    const value = Buffer.from(toBinary(definition.schema, definition.toEvent(record, { source, subject })));
    return {
      index: c.index,
      eventId,
      key: subjectKeyOf(record),
      value,
      type,
      dataschema: definition.schema.typeName,
      receipt,
    };
  }

  /** Publishes and marks the submissions accepted, through `em` when inside the caller's transaction. */
  private async publish(
    outgoing: Outgoing[],
    agency: Agency,
    now: Date,
    em: SqlRunner = this.db,
  ): Promise<void> {
    const unique = [...new Map(outgoing.map((o) => [o.eventId, o])).values()];
    if (unique.length === 0) return;
    let positions;
    try {
      positions = await this.publisher.publishBatch(
        this.topic,
        unique.map((o) => ({ key: o.key, value: o.value, ctx: this.context(o, agency, now) })),
      );
    } catch (error) {
      if (error instanceof BrokerUnavailableError) {
        cieMetrics.recordsRefused.inc(
          { sector: this.sector.sector, reason: 'broker_unavailable' },
          unique.length,
        );
        // Nothing is claimed as accepted; the stored submissions stay pending and a resubmission
        // publishes them again under the same event ids.
        throw new IntakeException(
          IntakeErrorCode.BROKER_UNAVAILABLE,
          'Kafka did not acknowledge the record(s); nothing was accepted. Retry later.',
        );
      }
      throw error;
    }
    const acceptedAt = this.clock.now();
    await em.query(
      `UPDATE ${this.schema}.submissions s SET status = 'accepted', topic = $2, partition = p.partition, "offset" = p.off, accepted_at = $3
         FROM unnest($1::uuid[], $4::int[], $5::bigint[]) AS p(event_id, partition, off)
        WHERE s.event_id = p.event_id AND s.status = 'pending'`,
      [
        unique.map((o) => o.eventId),
        this.topic,
        acceptedAt,
        positions.map((p) => p.partition),
        positions.map((p) => p.offset),
      ],
    );
    const byEvent = new Map(unique.map((o, i) => [o.eventId, positions[i]]));
    for (const o of outgoing)
      Object.assign(o.receipt, byEvent.get(o.eventId), { acceptedAt: acceptedAt.toISOString() });
  }

  private async publishOne(outgoing: Outgoing | Receipt, agency: Agency, now: Date): Promise<Receipt> {
    if (!('eventId' in outgoing && 'receipt' in outgoing)) return outgoing;
    await this.publish([outgoing], agency, now);
    return outgoing.receipt;
  }

  private context(o: Outgoing, agency: Agency, now: Date): CloudEventContext {
    return {
      id: o.eventId,
      source: `/sectors/${this.sector.sector}/agencies/${agency.agencyId}`,
      type: o.type,
      time: now,
      subject: o.key,
      dataschema: o.dataschema,
      ...(o.traceparent ? { traceparent: o.traceparent } : {}),
    };
  }

  /** A correction identical to the record's current content: its receipt again, published again if pending. */
  private async replay(
    em: SqlRunner,
    agency: Agency,
    sourceRecordId: string,
    candidate: Candidate,
  ): Promise<Receipt | Outgoing> {
    const [stored] = await em.query<SubmissionRow[]>(
      `SELECT * FROM ${this.schema}.submissions WHERE agency_id = $1 AND source_record_id = $2 AND action IN ('publish', 'correct') AND content_hash = $3
        ORDER BY version DESC LIMIT 1`,
      [agency.agencyId, sourceRecordId, candidate.hash],
    );
    if (!stored)
      throw new Error(`record ${sourceRecordId} has content ${candidate.hash} but no submission with it`);
    if (stored.status === 'accepted')
      return toReceipt(stored, 'duplicate', 200, candidate.definition.recordType);
    const type = stored.action === 'publish' ? CreditEventType.published : CreditEventType.corrected;
    return this.outgoingRecord(
      candidate,
      agency,
      stored.event_id,
      type,
      toReceipt(stored, 'accepted', 202, candidate.definition.recordType),
    );
  }

  private async lockRecord(
    em: SqlRunner,
    agency: Agency,
    sourceRecordId: string,
  ): Promise<RecordRow | undefined> {
    const [row] = await em.query<RecordRow[]>(
      `SELECT * FROM ${this.schema}.records WHERE agency_id = $1 AND source_record_id = $2 FOR UPDATE`,
      [agency.agencyId, sourceRecordId],
    );
    return row;
  }

  /** A withdrawal travels on the subject's key like the record it withdraws, so it stays in order. */
  private async subjectKeyOf(em: SqlRunner, agency: Agency, sourceRecordId: string): Promise<string> {
    const [row] = await em.query<{ subject_key: string }[]>(
      `SELECT subject_key FROM ${this.schema}.records WHERE agency_id = $1 AND source_record_id = $2`,
      [agency.agencyId, sourceRecordId],
    );
    if (!row) throw new Error(`record ${sourceRecordId} has no subject key`);
    return row.subject_key;
  }

  private async insertSubmissions(em: SqlRunner, rows: unknown[][]): Promise<void> {
    await bulkInsert(
      em,
      `${this.schema}.submissions`,
      [
        'event_id',
        'agency_id',
        'source_record_id',
        'action',
        'version',
        'content_hash',
        'channel',
        'status',
        'received_at',
      ],
      rows,
    );
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The `channel` label: the Kafka door is the agency's submission topic. */
const CHANNEL_LABEL: Record<Channel, string> = { http: 'http', bulk: 'bulk', kafka: 'topic' };

export function countReceived(sector: string, channel: Channel, n: number): void {
  if (n > 0) cieMetrics.recordsReceived.inc({ sector, channel: CHANNEL_LABEL[channel] }, n);
}

/** Accepted by record type; refused by a reason code (bounded, never a record id). */
export function countReceipts(sector: string, receipts: (Receipt | undefined)[]): void {
  for (const r of receipts) {
    if (!r || r.status === 'duplicate') continue;
    if (r.status === 'accepted')
      cieMetrics.recordsAccepted.inc({ sector, record_type: r.recordType ?? 'unknown' });
    else cieMetrics.recordsRefused.inc({ sector, reason: refusalReason(r) });
  }
}

function refusalReason(r: Receipt): string {
  if (r.status !== 'refused') return r.status;
  switch (r.httpStatus) {
    case 400:
      return 'malformed';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 413:
      return 'too_large';
    case 422:
      return 'invalid';
    default:
      return `http_${r.httpStatus}`;
  }
}
/** Partition key of a subject: a digest of its identity number, so no clear resident id is in keys or headers. */
export const subjectKey = (idNumber: string) => sha256(normaliseIdentifier(idNumber));
export const subjectKeyOf = (record: SectorRecordDto) => subjectKey(record.subject.idNumber);

function sourceIdOf(body: unknown): string | null {
  const id =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)['sourceRecordId']
      : undefined;
  return typeof id === 'string' ? id : null;
}

/** The first occurrence of each record in a batch; later ones are duplicates or conflicts of it. */
function firstPerRecord(candidates: Candidate[]): Map<string, Candidate> {
  const first = new Map<string, Candidate>();
  for (const c of candidates) if (!first.has(c.record.sourceRecordId)) first.set(c.record.sourceRecordId, c);
  return first;
}

function toReceipt(
  s: SubmissionRow,
  status: Receipt['status'],
  httpStatus: number,
  recordType: string,
): Receipt {
  return {
    status,
    httpStatus,
    sourceRecordId: s.source_record_id,
    recordType,
    action: s.action,
    version: s.version,
    eventId: s.event_id,
    ...(s.topic ? { topic: s.topic, partition: s.partition ?? -1, offset: String(s.offset) } : {}),
    receivedAt: s.received_at.toISOString(),
    ...(s.accepted_at ? { acceptedAt: s.accepted_at.toISOString() } : {}),
    ...(s.outcome
      ? {
          exchangeOutcome: {
            status: s.outcome,
            recordId: s.exchange_record_id ?? undefined,
            reason: s.outcome_reason ?? undefined,
            at: s.outcome_at?.toISOString(),
          },
        }
      : {}),
  };
}
