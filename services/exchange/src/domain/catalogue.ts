import type { Sector } from '@cie/contracts';
import type { DisclosureLevelName, PolarityName, SeverityName, SubjectKindName } from './canonical-record.js';

/**
 * One condition on a record's facts (its normalised attributes, plus `subjectKind` and, once they are
 * decided, `polarity` and `severity`). Exactly one operator is set. A missing or empty fact satisfies
 * only `present: false`.
 */
export interface Condition {
  field: string;
  /** The fact equals one of these. */
  in?: string[];
  /** The fact is a comma-separated list (e.g. `actionsTaken`) holding at least one of these. */
  includesAny?: string[];
  /** The fact is a decimal amount at least this one. */
  atLeast?: string;
  /** The fact is a decimal amount below this one. */
  below?: string;
  /** The fact is (true) or is not (false) given. */
  present?: boolean;
  /** The fact matches this regular expression (unicode). */
  matches?: string;
}

/** A rule applies when all its conditions hold (an empty `when` always holds); the first that applies wins. */
export interface Rule<T> {
  when: Condition[];
  then: T;
}

/** A fixed value, or rules evaluated in order. */
export type Ruled<T> = { value: T } | { rules: Rule<T>[] };

/** How long a record is disclosed, counted from the decision date. */
export type DisclosurePeriod =
  /** Whole months after the decision date. */
  | { months: number }
  /** Until the ISO date held by this fact (e.g. a ban's last day). */
  | { untilDate: string }
  /** Until 31 December of the year after the four-digit year held by this fact. */
  | { endOfYearAfter: string };

/** One record kind of the catalogue (DESIGN §6): how records of that kind are classified and disclosed. */
export interface CatalogueEntry {
  kind: string;
  sector: Sector;
  category: string;
  title: string;
  /** The subjects a record of this kind may be about. */
  subjectKinds: SubjectKindName[];
  polarity: Ruled<PolarityName>;
  severity: Ruled<SeverityName>;
  level: Ruled<DisclosureLevelName>;
  legalBasis: string;
  /** Natural persons are disclosed publicly only when the legal basis names them; otherwise `authorised`. */
  naturalPersonsPublic: boolean;
  disclosurePeriod: Ruled<DisclosurePeriod>;
  /** Months after the decision from which repair may be requested; null: not repairable (withdrawn or expires). */
  repairableAfterMonths: Ruled<number | null>;
}

export interface Catalogue {
  edition: string;
  version: string;
  entries: ReadonlyMap<string, CatalogueEntry>;
}

/** What the catalogue says about one record. */
export interface Classification {
  entry: CatalogueEntry;
  polarity: PolarityName;
  severity: SeverityName;
  level: DisclosureLevelName;
  legalBasis: string;
  effectiveFrom: string;
  disclosureUntil: string;
  repairableFrom: string | null;
}

export type ClassificationResult = ({ ok: true } & Classification) | { ok: false; reason: string };

/** The facts the catalogue classifies a record by. */
export interface RecordFacts {
  kind: string;
  sector: string;
  subjectKind: SubjectKindName;
  /** ISO calendar date of the decision. */
  decisionDate: string;
  attributes: Readonly<Record<string, string>>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Compares two non-negative decimal strings exactly (no floating point). */
export function compareDecimal(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  const scale = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(scale, '0'));
  const y = BigInt(bi + bf.padEnd(scale, '0'));
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Whether one condition holds for the facts. */
export function conditionHolds(condition: Condition, facts: Readonly<Record<string, string>>): boolean {
  const value = facts[condition.field] ?? '';
  if (condition.present !== undefined) return (value !== '') === condition.present;
  if (value === '') return false;
  if (condition.in) return condition.in.includes(value);
  if (condition.includesAny) {
    const items = value.split(',');
    return condition.includesAny.some((wanted) => items.includes(wanted));
  }
  if (condition.atLeast !== undefined)
    return DECIMAL.test(value) && compareDecimal(value, condition.atLeast) >= 0;
  if (condition.below !== undefined) return DECIMAL.test(value) && compareDecimal(value, condition.below) < 0;
  if (condition.matches !== undefined) return new RegExp(condition.matches, 'u').test(value);
  return false;
}

/** The fixed value, or the `then` of the first rule whose conditions all hold; undefined when none does. */
export function evaluate<T>(
  ruled: Ruled<T>,
  facts: Readonly<Record<string, string>>,
): { value: T } | undefined {
  if ('value' in ruled) return ruled;
  const rule = ruled.rules.find((r) => r.when.every((c) => conditionHolds(c, facts)));
  return rule ? { value: rule.then } : undefined;
}

/** Adds whole months to an ISO calendar date, clamping to the end of shorter months. */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

function disclosureEnd(
  period: DisclosurePeriod,
  decisionDate: string,
  facts: Readonly<Record<string, string>>,
): { until: string } | { reason: string } {
  if ('months' in period) return { until: addMonths(decisionDate, period.months) };
  if ('untilDate' in period) {
    const date = facts[period.untilDate] ?? '';
    if (!isIsoDate(date)) return { reason: `${period.untilDate} (${date || 'empty'}) is not an ISO date` };
    if (date < decisionDate)
      return { reason: `${period.untilDate} (${date}) is before the decision date (${decisionDate})` };
    return { until: date };
  }
  const year = facts[period.endOfYearAfter] ?? '';
  if (!/^\d{4}$/.test(year)) return { reason: `${period.endOfYearAfter} (${year || 'empty'}) is not a year` };
  return { until: `${Number(year) + 1}-12-31` };
}

/**
 * Classifies a record against the catalogue: polarity, severity, disclosure level and dates. Pure.
 * Refuses (with the reason) a kind the catalogue does not hold, a subject the kind does not allow, and
 * facts no rule covers: nothing outside the catalogue may be recorded (DESIGN §6).
 */
export function classify(catalogue: Catalogue, record: RecordFacts): ClassificationResult {
  const entry = catalogue.entries.get(record.kind);
  const edition = `catalogue ${catalogue.edition} (${catalogue.version})`;
  if (!entry) return { ok: false, reason: `${record.kind} is not in ${edition}` };
  if (entry.sector !== record.sector)
    return { ok: false, reason: `${record.kind} belongs to sector ${entry.sector}, not ${record.sector}` };
  if (!entry.subjectKinds.includes(record.subjectKind))
    return {
      ok: false,
      reason: `${record.kind} is for ${entry.subjectKinds.join(', ')} subjects, not ${record.subjectKind}`,
    };
  if (!isIsoDate(record.decisionDate))
    return { ok: false, reason: `source.decisionDate ${record.decisionDate} is not an ISO date` };

  const facts: Record<string, string> = { ...record.attributes, subjectKind: record.subjectKind };
  const unclassified = (what: string) => ({
    ok: false as const,
    reason: `${edition} has no ${what} rule for this ${record.kind} record`,
  });

  const polarity = evaluate(entry.polarity, facts);
  if (!polarity) return unclassified('polarity');
  facts['polarity'] = polarity.value;
  const severity = evaluate(entry.severity, facts);
  if (!severity) return unclassified('severity');
  facts['severity'] = severity.value;
  const level = evaluate(entry.level, facts);
  if (!level) return unclassified('disclosure level');
  const period = evaluate(entry.disclosurePeriod, facts);
  if (!period) return unclassified('disclosure period');
  const end = disclosureEnd(period.value, record.decisionDate, facts);
  if ('reason' in end) return { ok: false, reason: `disclosure period of ${record.kind}: ${end.reason}` };
  const repair = evaluate(entry.repairableAfterMonths, facts);
  if (!repair) return unclassified('repair');

  return {
    ok: true,
    entry,
    polarity: polarity.value,
    severity: severity.value,
    level:
      record.subjectKind === 'natural_person' && level.value === 'public' && !entry.naturalPersonsPublic
        ? 'authorised'
        : level.value,
    legalBasis: entry.legalBasis,
    effectiveFrom: record.decisionDate,
    disclosureUntil: end.until,
    repairableFrom: repair.value === null ? null : addMonths(record.decisionDate, repair.value),
  };
}
