import { fromBinary, type JsonValue, toJson } from '@bufbuild/protobuf';
import { CreditRecordSchema, FeedEventSchema } from '@cie/contracts';
import type { IdGenerator, SqlRunner } from '@cie/platform';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import { route, type SubscriberEntitlement, type SubscriberPolicy } from '../domain/routing.js';
import { buildFeedMessage } from '../delivery/feed-message.js';
import {
  CANONICAL_PSEUDONYM,
  FEED_PSEUDONYM_SCHEME,
  type SubjectIdentityService,
} from '../identity/subject-identity.service.js';

/** A version of a subject's record that was disclosed at the instant asked about. */
export interface DisclosedVersion {
  body: CanonicalRecord;
  idNumberEncrypted: Buffer | null;
  validFrom: Date;
  validTo: Date | null;
}

/** What one caller may see of a version: the record in its view, and the rule that let it. */
export interface ReleasedRecord {
  record: JsonValue;
  rule: string;
  validFrom: string;
  validTo: string | null;
  body: CanonicalRecord;
}

/**
 * A subject's records as they were disclosed at an instant (now, or an `asOf`): the version valid
 * then (from exchange.record_versions' valid_from / valid_to: a correction opens a new version, a
 * withdrawal, expiry or repair closes the last) whose disclosure period ran on that day, China time.
 */
export class SubjectRecordsReader {
  constructor(
    private readonly identity: SubjectIdentityService,
    private readonly ids: IdGenerator,
  ) {}

  /** The id `subscriberId` knows the subject by (its own pseudonym for a person). */
  subjectIdFor(subscriberId: string, canonicalId: string): string {
    return this.identity.subjectIdFor(subscriberId, {
      kind: CANONICAL_PSEUDONYM.test(canonicalId) ? 'natural_person' : 'legal_entity',
      canonicalId,
    });
  }

  async disclosedAt(db: SqlRunner, canonicalId: string, at: Date, day: string): Promise<DisclosedVersion[]> {
    const rows = await db.query<
      { body: CanonicalRecord; id_number_encrypted: Buffer | null; valid_from: Date; valid_to: Date | null }[]
    >(
      `SELECT v.body, s.id_number_encrypted, v.valid_from, v.valid_to
         FROM exchange.records r
         JOIN exchange.record_versions v ON v.record_id = r.record_id
         JOIN exchange.subjects s ON s.canonical_id = r.subject_id
        WHERE r.subject_id = $1 AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2)
          AND (v.body->'disclosure'->>'disclosureUntil') >= $3
        ORDER BY r.created_at, v.version`,
      [canonicalId, at, day],
    );
    return rows.map((r) => ({
      body: r.body,
      idNumberEncrypted: r.id_number_encrypted,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    }));
  }

  /**
   * The versions a subscriber may see, in the same view its feed carries (redactions, identity as
   * pseudonym or clear), so a query never shows more than the feed; `undefined` for an operator:
   * every version, unredacted but for the sealed number.
   */
  release(
    versions: readonly DisclosedVersion[],
    policy: SubscriberPolicy,
    subscriber: SubscriberEntitlement | undefined,
    now: Date,
  ): ReleasedRecord[] {
    return versions.flatMap((v) => {
      const times = { validFrom: v.validFrom.toISOString(), validTo: v.validTo?.toISOString() ?? null };
      if (!subscriber)
        return [{ record: v.body as unknown as JsonValue, rule: 'operator', ...times, body: v.body }];
      const decision = route(v.body, policy).find((d) => d.subscriberId === subscriber.id);
      if (!decision?.allowed) return [];
      const clear = v.idNumberEncrypted
        ? this.identity.decrypt(v.idNumberEncrypted)
        : v.body.subject.canonicalId;
      const message = buildFeedMessage({
        eventId: this.ids.next(),
        type: 'query',
        record: v.body,
        subscriber,
        clearIdNumber: clear,
        subjectId: this.identity.subjectIdFor(subscriber.id, v.body.subject),
        pseudonymScheme: FEED_PSEUDONYM_SCHEME,
        occurredAt: now,
      });
      const record = fromBinary(FeedEventSchema, message.value).record;
      return record
        ? [{ record: toJson(CreditRecordSchema, record), rule: decision.rule, ...times, body: v.body }]
        : [];
    });
  }
}
