import { Controller, Get, Inject, Param, Query, Req, UseGuards } from '@nestjs/common';
import { normaliseIdentifier } from '@cie/identifiers';
import { Clock, CodedException, RequestErrorCode, RequestException } from '@cie/platform';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AUDIT_LOG } from '../dead-letters/dead-letters.controller.js';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import type { SubscriberEntitlement, SubscriberPolicy } from '../domain/routing.js';
import {
  CANONICAL_PSEUDONYM,
  FEED_PSEUDONYM_SCHEME,
  SubjectIdentityService,
} from '../identity/subject-identity.service.js';
import { listingNotices } from '../measures/listing-notices.js';
import { JOINT_MEASURES, type JointMeasures } from '../measures/measures.loader.js';
import { PolicyHolder } from '../routing/policy-holder.js';
import { chinaDate } from '../delivery/domain/disclosure.js';
import { asOfParam } from './as-of.param.js';
import { canonicalSubjectId, subscriberSubjectId } from './subject-id.js';
import { SubjectRecordsReader } from './subject-records.reader.js';

export enum SubjectErrorCode {
  INVALID_SUBJECT_ID = 'INVALID_SUBJECT_ID',
  /** The caller was never sent anything about this subject. */
  SUBJECT_NOT_HELD = 'SUBJECT_NOT_HELD',
}
export const SUBJECT_ERROR_STATUS: Record<SubjectErrorCode, number> = {
  [SubjectErrorCode.INVALID_SUBJECT_ID]: 422,
  [SubjectErrorCode.SUBJECT_NOT_HELD]: 404,
};
class SubjectException extends CodedException<SubjectErrorCode> {
  override readonly name = 'SubjectException';
  constructor(code: SubjectErrorCode, message: string, field: string) {
    super(code, message, [{ field, detail: message }]);
  }
}

/**
 * A subscriber's query about one company or person: what its entitlement lets it hold today, in
 * the same view its feed carries (redactions, identity as its own pseudonym or clear), records past
 * their disclosure period excluded. The purpose is required and every query is audited. A person is
 * asked about by the pseudonym the caller's feed carries; by clear resident id only when its
 * entitlement is `clear`, so a pseudonym-only subscriber cannot re-identify its feed.
 */
@Controller('v1/subjects')
@UseGuards(ClientAuthGuard)
@Roles('subscriber')
export class SubjectsController {
  constructor(
    private readonly db: DataSource,
    private readonly policies: PolicyHolder,
    private readonly identity: SubjectIdentityService,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly reader: SubjectRecordsReader,
    @Inject(JOINT_MEASURES) private readonly measures: JointMeasures,
  ) {}

  private get policy(): SubscriberPolicy {
    return this.policies.current;
  }

  @Get(':id/records')
  @Roles('subscriber')
  async records(
    @Param('id') id: string,
    @Query('purpose') purpose: string | undefined,
    @Query('asOf') asOfRaw: string | undefined,
    @Req() request: ClientRequest,
  ) {
    const client = request.client!;
    const subscriber = this.subscriberOf(request);
    if (!purpose || purpose.trim().length === 0 || purpose.length > 200) {
      throw new RequestException(
        RequestErrorCode.INVALID_FIELDS,
        'purpose is required: why the subscriber asks (at most 200 characters)',
        [
          {
            field: 'purpose',
            detail: 'purpose is required: why the subscriber asks (at most 200 characters)',
          },
        ],
      );
    }
    const canonicalId = this.subscriberSubjectOf(id, subscriber);
    const subjectId = this.identity.subjectIdFor(subscriber.id, {
      kind: CANONICAL_PSEUDONYM.test(canonicalId) ? 'natural_person' : 'legal_entity',
      canonicalId,
    });
    const now = this.clock.now();
    // Without asOf: now. With it, the versions valid then, in the subscriber's view under today's policy.
    const asOf = asOfRaw === undefined ? undefined : asOfParam(asOfRaw);
    const at = asOf?.instant ?? now;
    const day = asOf?.day ?? chinaDate(now);

    return this.db.transaction(async (em) => {
      const versions = await this.reader.disclosedAt(em, canonicalId, at, day);
      const released = this.reader.release(versions, this.policy, subscriber, now);
      await this.audit.append(em, [
        {
          kind: 'query',
          actor: client.clientId,
          subjectId: canonicalId,
          details: {
            subscriber: subscriber.id,
            purpose: purpose.trim(),
            ...(asOf && { asOf: asOf.instant.toISOString() }),
            returned: released.map((r) => r.body.recordId),
          },
        },
      ]);
      return {
        subject: subjectId,
        subscriber: subscriber.id,
        purpose: purpose.trim(),
        ...(asOf && { asOf: asOf.instant.toISOString() }),
        records: released.map((r) => ({
          record: r.record,
          rule: r.rule,
          ...(asOf && { validFrom: r.validFrom, validTo: r.validTo }),
        })),
      };
    });
  }

  /**
   * Moving a feed consumer to per-subscriber pseudonyms (README, "Feed pseudonyms"): the pseudonym
   * the caller's feed now carries for a person its feed named by the canonical pseudonym before
   * (scheme v1). Answered only for a subject the caller was delivered a record about; audited.
   */
  @Get(':id/pseudonym')
  @Roles('subscriber')
  async pseudonym(@Param('id') id: string, @Req() request: ClientRequest) {
    const subscriber = this.subscriberOf(request);
    const legacy = normaliseIdentifier(id);
    if (!CANONICAL_PSEUDONYM.test(legacy))
      throw new SubjectException(
        SubjectErrorCode.INVALID_SUBJECT_ID,
        'id must be a pseudonym of the v1 feeds (P and 32 hex digits)',
        'id',
      );
    return this.db.transaction(async (em) => {
      const [held] = await em.query<{ n: number }[]>(
        `SELECT 1 AS n FROM exchange.deliveries d JOIN exchange.records r USING (record_id)
          WHERE r.subject_id = $1 AND d.subscriber_id = $2 LIMIT 1`,
        [legacy, subscriber.id],
      );
      if (!held)
        throw new SubjectException(
          SubjectErrorCode.SUBJECT_NOT_HELD,
          `subscriber ${subscriber.id} was never sent a record about ${legacy}`,
          'id',
        );
      await this.audit.append(em, [
        {
          kind: 'query',
          actor: request.client!.clientId,
          subjectId: legacy,
          details: { subscriber: subscriber.id, purpose: 'pseudonym migration', returned: [] },
        },
      ]);
      return {
        legacy,
        pseudonym: this.identity.subjectIdFor(subscriber.id, { kind: 'natural_person', canonicalId: legacy }),
        scheme: FEED_PSEUDONYM_SCHEME,
      };
    });
  }

  private subscriberOf(request: ClientRequest): SubscriberEntitlement {
    const client = request.client!;
    const subscriber = this.policy.subscribers.find((s) => s.id === client.subscriberId);
    if (!subscriber)
      throw new RequestException(
        RequestErrorCode.FORBIDDEN,
        `client ${client.clientId} acts for no subscriber of policy ${this.policy.version}`,
      );
    return subscriber;
  }

  /** The subject a subscriber asks about (subscriberSubjectId); 422 for no valid id. */
  private subscriberSubjectOf(raw: string, subscriber: SubscriberEntitlement): string {
    return subscriberSubjectId(raw, subscriber, this.identity) ?? this.canonicalIdOf(raw);
  }

  /**
   * Subject access report (DESIGN §8): every record about the subject in every status and version,
   * every disclosure (who received which version, when, under which rule) and every query about
   * the subject. For operators handling a subject-access request; the request itself is audited.
   */
  @Get(':id/access-report')
  @Roles('operator', 'subject-desk')
  async accessReport(@Param('id') id: string, @Req() request: ClientRequest) {
    const canonicalId = this.canonicalIdOf(id);
    return this.db.transaction(async (em) => {
      const versions = await em.query<
        {
          record_id: string;
          version: number;
          body: CanonicalRecord;
          status: string;
          recorded_at: Date;
          valid_from: Date;
          valid_to: Date | null;
        }[]
      >(
        `SELECT v.record_id, v.version, v.body, r.status, v.recorded_at, v.valid_from, v.valid_to
           FROM exchange.records r JOIN exchange.record_versions v USING (record_id)
          WHERE r.subject_id = $1 ORDER BY r.created_at, v.version`,
        [canonicalId],
      );
      const deliveries = await em.query<
        {
          record_id: string;
          version: number;
          subscriber_id: string;
          event_type: string;
          rule: string;
          created_at: Date;
        }[]
      >(
        `SELECT d.record_id, d.version, d.subscriber_id, d.event_type, d.rule, d.created_at
           FROM exchange.deliveries d JOIN exchange.records r USING (record_id)
          WHERE r.subject_id = $1 ORDER BY d.created_at, d.subscriber_id`,
        [canonicalId],
      );
      const queries = await em.query<
        {
          actor: string;
          recorded_at: Date;
          details: { purpose?: string; subscriber?: string; returned?: string[] };
        }[]
      >(
        `SELECT actor, recorded_at, details FROM exchange.audit_log WHERE subject_id = $1 AND kind = 'query' ORDER BY seq`,
        [canonicalId],
      );
      const listings = await listingNotices(em, canonicalId, this.measures);
      await this.audit.append(em, [
        {
          kind: 'access_report',
          actor: request.client?.clientId ?? 'operator',
          subjectId: canonicalId,
          details: { records: new Set(versions.map((v) => v.record_id)).size },
        },
      ]);
      const records = [...new Set(versions.map((v) => v.record_id))].map((recordId) => {
        const mine = versions.filter((v) => v.record_id === recordId);
        const latest = mine.at(-1)!;
        return {
          recordId,
          kind: latest.body.kind,
          status: latest.status,
          source: latest.body.source,
          disclosure: latest.body.disclosure,
          versions: mine.map((v) => ({
            version: v.version,
            recordedAt: v.recorded_at.toISOString(),
            validFrom: v.valid_from.toISOString(),
            validTo: v.valid_to?.toISOString() ?? null,
            attributes: v.body.attributes,
          })),
        };
      });
      return {
        subject: canonicalId,
        records,
        disclosures: deliveries.map((d) => ({
          recordId: d.record_id,
          version: d.version,
          subscriber: d.subscriber_id,
          eventType: d.event_type,
          rule: d.rule,
          at: d.created_at.toISOString(),
        })),
        listings,
        queries: queries.map((q) => ({
          by: q.actor,
          subscriber: q.details.subscriber ?? null,
          purpose: q.details.purpose ?? null,
          returned: q.details.returned ?? [],
          at: q.recorded_at.toISOString(),
        })),
      };
    });
  }

  /** A USCC, a resident id (turned into its pseudonym: the exchange never keys on the clear number) or a pseudonym. */
  private canonicalIdOf(raw: string): string {
    const canonical = canonicalSubjectId(raw, this.identity);
    if (canonical) return canonical;
    throw new SubjectException(
      SubjectErrorCode.INVALID_SUBJECT_ID,
      'id must be a unified social credit code, a resident identity number or a subject pseudonym',
      'id',
    );
  }
}
