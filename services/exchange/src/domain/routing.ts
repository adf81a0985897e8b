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
}

export interface SubscriberPolicy {
  version: string;
  subscribers: SubscriberEntitlement[];
}

export interface RoutingDecision {
  subscriberId: string;
  allowed: boolean;
  /** The rule that decided: policy version and subscriber. */
  rule: string;
  /** Each condition checked, so an operator can see why a record went (or did not go). */
  reasons: string[];
}

const matchesAny = (
  allowed: string[],
  value: string,
  match: (a: string, v: string) => boolean = (a, v) => a === v,
) => allowed.includes('*') || allowed.some((a) => match(a, value));

/** Decides, for every subscriber, whether the record may reach it. Pure: no I/O. */
export function route(record: CanonicalRecord, policy: SubscriberPolicy): RoutingDecision[] {
  return policy.subscribers.map((s) => {
    const checks: [boolean, string][] = [
      [s.sectors.includes(record.source.sector), `sector ${record.source.sector}`],
      [matchesAny(s.kinds, record.kind), `kind ${record.kind}`],
      [s.levels.includes(record.disclosure.level), `level ${record.disclosure.level}`],
      [s.polarities?.includes(record.polarity) ?? true, `polarity ${record.polarity}`],
      [
        matchesAny(s.regions, record.subject.regionCode, (prefix, code) => code.startsWith(prefix)),
        `region ${record.subject.regionCode}`,
      ],
    ];
    return {
      subscriberId: s.id,
      allowed: checks.every(([ok]) => ok),
      rule: `subscribers@${policy.version}#${s.id}`,
      reasons: checks.map(([ok, what]) => `${what} ${ok ? 'allowed' : 'not entitled'}`),
    };
  });
}
