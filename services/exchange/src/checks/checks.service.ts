import type { Sector } from '@cie/contracts';
import type { Clock } from '@cie/platform';
import type { DataSource } from 'typeorm';
import type { ExchangeClient } from '../access/exchange-clients.js';
import { chinaDate } from '../delivery/domain/disclosure.js';
import type { SubjectIdentityService } from '../identity/subject-identity.service.js';
import type { SubscriberPolicy } from '../domain/routing.js';
import { entitledEntries } from '../lists/entitled-entries.js';
import type { ListEntriesReader } from '../lists/list-entries.reader.js';
import type { JointMeasures } from '../measures/measures.loader.js';
import type { Scenario } from '../measures/domain/joint-measures.js';
import type { ReceiptService } from '../receipts/receipt.service.js';
import { canonicalSubjectId, subscriberSubjectId } from '../subjects/subject-id.js';
import {
  type CheckStatus,
  decideSubject,
  freshness,
  relevantSectors,
  type SourceFreshness,
  type SubjectVerdict,
} from './domain/check-verdict.js';
import { CheckErrorCode, CheckException } from './checks.exception.js';
import type { SourceFreshnessReader } from './source-freshness.reader.js';

export interface CheckRequest {
  subjects: string[];
  scenario: Scenario;
  businessReference: string;
  purpose: string;
}

/** The signed content of a check receipt. */
export interface CheckReceipt {
  type: 'cie.check-receipt';
  formatVersion: 1;
  number: string;
  issuedAt: string;
  checkedBy: { clientId: string; role: string; agencyId?: string; subscriberId?: string };
  scenario: Scenario;
  businessReference: string;
  purpose: string;
  /** Which entries the check could see: a subscriber's only those its entitlement covers. */
  scope: string;
  listsVersion: string;
  memorandaVersion: string;
  staleAfterHours: number;
  sources: SourceFreshness[];
  summary: Record<CheckStatus, number>;
  results: (SubjectVerdict & { index: number })[];
}

/**
 * Checks at the point of decision (DESIGN §13): for up to 1,000 subjects at once, the entries in
 * force (one query for all), the measures for the scenario, the freshness of the sources they
 * depend on, and a verdict each; the answer is a signed receipt, stored and chained in the audit log.
 */
export class ChecksService {
  constructor(
    private readonly db: DataSource,
    private readonly measures: JointMeasures,
    private readonly identity: SubjectIdentityService,
    private readonly entries: ListEntriesReader,
    private readonly sources: SourceFreshnessReader,
    private readonly receipts: ReceiptService,
    private readonly clock: Clock,
    private readonly staleAfterHours: number,
    private readonly policy: () => SubscriberPolicy,
  ) {}

  async check(request: CheckRequest, client: ExchangeClient) {
    // A subscriber asks as its feed names people: by its own pseudonym, and by a clear resident id
    // only when entitled to clear identities (else 403), so a check cannot link a pseudonym.
    const subscriber =
      client.role === 'subscriber'
        ? this.policy().subscribers.find((s) => s.id === (client.subscriberId ?? client.clientId))
        : undefined;
    const canonical = request.subjects.map((raw) =>
      subscriber
        ? subscriberSubjectId(raw, subscriber, this.identity)
        : canonicalSubjectId(raw, this.identity),
    );
    const invalid = canonical.flatMap((id, i) =>
      id === undefined
        ? [
            {
              field: `subjects[${i}]`,
              detail:
                'must be a unified social credit code, a resident identity number or a subject pseudonym',
            },
          ]
        : [],
    );
    if (invalid.length > 0)
      throw new CheckException(
        CheckErrorCode.INVALID_SUBJECT_ID,
        `${invalid.length} subject id${invalid.length === 1 ? ' is' : 's are'} not valid: ${invalid.map((p) => p.field).join(', ')}`,
        invalid,
      );
    const subjects = canonical as string[];
    const { lists, memoranda } = this.measures;
    const sectors: Sector[] = relevantSectors(request.scenario, lists, memoranda);

    return this.db.transaction(async (em) => {
      const now = this.clock.now();
      const today = chinaDate(now);
      const inForce = await this.entries.inForceForSubjects(em, [...new Set(subjects)], now, today);
      // A subscriber sees the entries of records its entitlement lets it receive; officers (who
      // implement the measures) and operators see every entry.
      const found =
        client.role === 'subscriber'
          ? await entitledEntries(em, inForce, this.policy(), client.subscriberId)
          : inForce;
      const last = await this.sources.lastProcessed(em, sectors);
      const staleAfterMs = this.staleAfterHours * 3_600_000;
      const sources = sectors.map((s) =>
        freshness(s, `credit.${s}.events.v1`, last.get(s) ?? null, now, staleAfterMs),
      );
      const bySubject = new Map<string, typeof found>();
      for (const e of found) bySubject.set(e.subjectId, [...(bySubject.get(e.subjectId) ?? []), e]);
      const results = subjects.map((subject, index) => ({
        index,
        ...decideSubject({
          subject,
          scenario: request.scenario,
          entries: bySubject.get(subject) ?? [],
          lists,
          memoranda,
          sources,
          listedDay: chinaDate,
        }),
      }));
      const summary: Record<CheckStatus, number> = { hit: 0, clear: 0, indeterminate: 0 };
      for (const r of results) summary[r.status] += 1;
      return this.receipts.issue<CheckReceipt>(
        em,
        'check',
        client,
        (number, issuedAt) => ({
          type: 'cie.check-receipt',
          formatVersion: 1,
          number,
          issuedAt,
          checkedBy: {
            clientId: client.clientId,
            role: client.role,
            ...(client.agencyId && { agencyId: client.agencyId }),
            ...(client.subscriberId && { subscriberId: client.subscriberId }),
          },
          scenario: request.scenario,
          businessReference: request.businessReference.trim(),
          purpose: request.purpose.trim(),
          scope:
            client.role === 'subscriber'
              ? `entries of records the entitlement of subscriber ${client.subscriberId ?? ''} covers`
              : 'every entry in force',
          listsVersion: lists.version,
          memorandaVersion: memoranda.version,
          staleAfterHours: this.staleAfterHours,
          sources,
          summary,
          results,
        }),
        {
          ...(subjects.length === 1 && { subjectId: subjects[0] }),
          details: {
            scenario: request.scenario,
            businessReference: request.businessReference.trim(),
            purpose: request.purpose.trim(),
            subjects: subjects.length,
            summary,
          },
        },
      );
    });
  }
}
