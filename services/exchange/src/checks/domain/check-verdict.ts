import type { Sector } from '@cie/contracts';
import type {
  ListCatalogue,
  Measure,
  MemorandumCatalogue,
  Scenario,
} from '../../measures/domain/joint-measures.js';

/**
 * The check at the point of decision (DESIGN §13), as pure rules: which entries and measures apply
 * to a subject in a scenario, which sources matter, and the verdict. No I/O: the service reads the
 * entries and the sources' freshness, these decide.
 */

export type CheckStatus = 'hit' | 'clear' | 'indeterminate';

/** An active list entry as the check reads it. */
export interface ActiveEntry {
  entryId: string;
  listType: string;
  subjectId: string;
  recordId: string;
  listedAt: Date;
  /** YYYY-MM-DD, the last day of validity. */
  validUntil: string;
}

/** When the exchange last processed an event of a sector's topic. */
export interface SourceFreshness {
  sector: Sector;
  topic: string;
  lastProcessedAt: string | null;
  stale: boolean;
}

export interface EntryView {
  entryId: string;
  listType: string;
  colour: string;
  title: string;
  legalBasis: string;
  listedAt: string;
  validUntil: string;
  recordId: string;
}

export interface MeasureView {
  memorandumId: string;
  documentNumber: string;
  memorandumType: 'reward' | 'punishment';
  measureId: string;
  text: string;
  mode: Measure['mode'];
  legalBasis: string;
  /** The entry that triggers it. */
  entryId: string;
  /** YYYY-MM-DD: the last day the measure applies (while listed: the entry's last day of validity). */
  until: string;
  whileListed: boolean;
}

export interface SubjectVerdict {
  subject: string;
  status: CheckStatus;
  entries: EntryView[];
  measures: MeasureView[];
  /** Sectors whose staleness kept a subject without measures from being clear. */
  staleSources: Sector[];
  reason: string;
}

/** The list types whose entries trigger at least one measure for `scenario`. */
export function relevantListTypes(
  scenario: Scenario,
  lists: ListCatalogue,
  memoranda: MemorandumCatalogue,
): string[] {
  const types = new Set<string>();
  for (const memorandum of memoranda.memoranda)
    if (memorandum.measures.some((m) => m.scenarios.includes(scenario)))
      for (const t of memorandum.triggers) if (lists.types.has(t)) types.add(t);
  return [...types].sort();
}

/** The sectors a check in `scenario` depends on: those whose lists can bring a measure for it. */
export function relevantSectors(
  scenario: Scenario,
  lists: ListCatalogue,
  memoranda: MemorandumCatalogue,
): Sector[] {
  const sectors = new Set<Sector>();
  for (const t of relevantListTypes(scenario, lists, memoranda)) {
    const type = lists.types.get(t);
    if (type) sectors.add(type.sector);
  }
  return [...sectors].sort();
}

/** Stale when nothing was ever processed, or the last event is older than `staleAfterMs`. */
export function freshness(
  sector: Sector,
  topic: string,
  lastProcessedAt: Date | null,
  now: Date,
  staleAfterMs: number,
): SourceFreshness {
  return {
    sector,
    topic,
    lastProcessedAt: lastProcessedAt?.toISOString() ?? null,
    stale: lastProcessedAt === null || now.getTime() - lastProcessedAt.getTime() > staleAfterMs,
  };
}

/** YYYY-MM-DD plus whole months (the day clamped to the month's last day), minus one day. */
export function addMonthsLastDay(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastOfMonth = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastOfMonth));
  return new Date(target.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/**
 * The verdict for one subject: `hit` when a measure of a memorandum triggered by one of its active
 * entries applies to the scenario; otherwise `indeterminate` when a relevant source is stale (a stale
 * source never gives `clear`: an entry may be waiting in it), else `clear`. Entries that bring no
 * measure for the scenario are still shown.
 */
export function decideSubject(input: {
  subject: string;
  scenario: Scenario;
  entries: readonly ActiveEntry[];
  lists: ListCatalogue;
  memoranda: MemorandumCatalogue;
  sources: readonly SourceFreshness[];
  /** China Standard Time date of the check, for the measures' end dates. */
  listedDay: (at: Date) => string;
}): SubjectVerdict {
  const { subject, scenario, lists, memoranda } = input;
  const entries = [...input.entries].sort(
    (a, b) => a.listedAt.getTime() - b.listedAt.getTime() || a.entryId.localeCompare(b.entryId),
  );
  const views: EntryView[] = entries.map((e) => {
    const type = lists.types.get(e.listType);
    return {
      entryId: e.entryId,
      listType: e.listType,
      colour: type?.colour ?? 'unknown',
      title: type?.title ?? e.listType,
      legalBasis: type?.legalBasis ?? '',
      listedAt: e.listedAt.toISOString(),
      validUntil: e.validUntil,
      recordId: e.recordId,
    };
  });
  const measures: MeasureView[] = [];
  for (const entry of entries)
    for (const memorandum of memoranda.memoranda) {
      if (!memorandum.triggers.includes(entry.listType)) continue;
      for (const measure of memorandum.measures) {
        if (!measure.scenarios.includes(scenario)) continue;
        const whileListed = 'whileListed' in measure.duration;
        const until =
          'months' in measure.duration
            ? addMonthsLastDay(input.listedDay(entry.listedAt), measure.duration.months)
            : entry.validUntil;
        measures.push({
          memorandumId: memorandum.id,
          documentNumber: memorandum.documentNumber,
          memorandumType: memorandum.type,
          measureId: measure.id,
          text: measure.text,
          mode: measure.mode,
          legalBasis: measure.legalBasis,
          entryId: entry.entryId,
          until,
          whileListed,
        });
      }
    }
  const stale = input.sources.filter((s) => s.stale).map((s) => s.sector);
  const triggering = new Set(measures.map((m) => m.entryId)).size;
  if (measures.length > 0)
    return {
      subject,
      status: 'hit',
      entries: views,
      measures,
      staleSources: [],
      reason: `${measures.length} measure(s) for ${scenario} from ${triggering} active entr${triggering === 1 ? 'y' : 'ies'}`,
    };
  if (stale.length > 0)
    return {
      subject,
      status: 'indeterminate',
      entries: views,
      measures,
      staleSources: stale,
      reason: `no measure for ${scenario}, but the ${stale.join(', ')} source${stale.length === 1 ? ' is' : 's are'} stale`,
    };
  return {
    subject,
    status: 'clear',
    entries: views,
    measures,
    staleSources: [],
    reason: `no active entry brings a measure for ${scenario}, and every relevant source is fresh`,
  };
}
