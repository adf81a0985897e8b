import type { Sector } from '@cie/contracts';
import type { CanonicalRecord, DisclosureLevelName, PolarityName } from './canonical-record.js';

/** What one subscriber is entitled to (the skeleton's subset of DESIGN §7). */
export interface SubscriberEntitlement {
  id: string;
  name: string;
  sectors: Sector[];
  /** Catalogue kinds, or `*` for all kinds of the listed sectors. */
  kinds: string[];
  levels: DisclosureLevelName[];
  /** Record polarities it takes (e.g. only `negative` for a regulator's checks); absent: all. */
  polarities?: PolarityName[];
  /** Prefixes of administrative division codes ("11" for Beijing), or `*` for everywhere. */
  regions: string[];
  /** Whether natural persons' identity numbers are released in clear or only as the pseudonym. */
  naturalPersonIdentity: 'pseudonym' | 'clear';
  /** Fields left out of this subscriber's view (its field policy): attribute keys and/or `subject.name`. */
  redact?: RedactableField[];
}

/** Attribute keys the normalisers produce (any sector), and the subject's name: what a field policy may redact. */
export const REDACTABLE_FIELDS = [
  'subject.name',
  'actionsTaken',
  'authorityKind',
  'banFrom',
  'banUntil',
  'caseNumber',
  'court',
  'enforcementBasis',
  'evaluationYear',
  'facts',
  'fineAmount',
  'legalRepresentative',
  'misconduct',
  'obligation',
  'outstandingAmount',
  'penaltyAmount',
  'performanceStatus',
  'platformId',
  'platformName',
  'projectName',
  'projectNumber',
  'provisionsApplied',
  'purchaserName',
  'purchaserUscc',
  'rating',
  'restrictedMeasures',
  'shopId',
  'shopName',
  'shopUrl',
  'taxAmountInvolved',
  'violation',
  'violationPeriodFrom',
  'violationPeriodTo',
  'violationType',
] as const;
export type RedactableField = (typeof REDACTABLE_FIELDS)[number];

/** One release rule of a sector: which subscribers (or `*`) may receive which kinds (or `*`) at which levels. */
export interface ReleaseRule {
  subscribers: string[];
  kinds: string[];
  levels: DisclosureLevelName[];
}

/** The owning sectors' side (DESIGN §7): a record is released only if one rule of its sector matches. */
export interface ReleaseRules {
  version: string;
  /** Per sector, its rules; a sector without rules releases nothing. */
  sectors: Partial<Record<Sector, ReleaseRule[]>>;
}

export interface SubscriberPolicy {
  /** Both sides' versions, e.g. `subscribers@2026-11-22.2+release@2026-11-23.1`. */
  version: string;
  subscribers: SubscriberEntitlement[];
  release: ReleaseRules;
}

export interface RoutingDecision {
  subscriberId: string;
  allowed: boolean;
  /** The rules that decided: policy version, subscriber entry and release rule (`<sector>[i]`, or `<sector>:none`). */
  rule: string;
  /** Each condition checked, so an operator can see why a record went (or did not go). */
  reasons: string[];
}

const matchesAny = (
  allowed: string[],
  value: string,
  match: (a: string, v: string) => boolean = (a, v) => a === v,
) => allowed.includes('*') || allowed.some((a) => match(a, value));

/** The first release rule of the record's sector that lets `subscriberId` receive it, with its index. */
function releasingRule(record: CanonicalRecord, subscriberId: string, release: ReleaseRules) {
  const rules = release.sectors[record.source.sector] ?? [];
  const index = rules.findIndex(
    (r) =>
      matchesAny(r.subscribers, subscriberId) &&
      matchesAny(r.kinds, record.kind) &&
      r.levels.includes(record.disclosure.level),
  );
  return index < 0 ? undefined : { index, rule: rules[index]! };
}

/**
 * Decides, for every subscriber, whether the record may reach it: only if both the subscriber's
 * entitlement and a release rule of the owning sector allow it (DESIGN §7). Pure: no I/O.
 */
export function route(record: CanonicalRecord, policy: SubscriberPolicy): RoutingDecision[] {
  const sector = record.source.sector;
  const level = record.disclosure.level;
  return policy.subscribers.map((s) => {
    const checks: [boolean, string][] = [
      [s.sectors.includes(sector), `sector ${sector}`],
      [matchesAny(s.kinds, record.kind), `kind ${record.kind}`],
      [s.levels.includes(level), `level ${level}`],
      [s.polarities?.includes(record.polarity) ?? true, `polarity ${record.polarity}`],
      [
        matchesAny(s.regions, record.subject.regionCode, (prefix, code) => code.startsWith(prefix)),
        `region ${record.subject.regionCode}`,
      ],
    ];
    const released = releasingRule(record, s.id, policy.release);
    const releaseReason = released
      ? `release ${sector}: rule ${sector}[${released.index}] releases level ${level} to ${s.id}`
      : `release ${sector}: no rule releases level ${level} to ${s.id} (kind ${record.kind})`;
    return {
      subscriberId: s.id,
      allowed: checks.every(([ok]) => ok) && released !== undefined,
      rule: `${policy.version}#${s.id}+${released ? `${sector}[${released.index}]` : `${sector}:none`}`,
      reasons: [...checks.map(([ok, what]) => `${what} ${ok ? 'allowed' : 'not entitled'}`), releaseReason],
    };
  });
}
