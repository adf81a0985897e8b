import type { CanonicalRecord } from '../../domain/canonical-record.js';
import { addMonths, conditionHolds, type Condition, isIsoDate } from '../../domain/catalogue.js';
import { isEnded, periodOver } from '../../delivery/domain/disclosure.js';
import type { ListCatalogue, ListType } from './joint-measures.js';

/** A list entry as the deciders need it. */
export interface EntryView {
  entryId: string;
  listType: string;
  recordId: string;
  state: 'active' | 'removed' | 'upgraded';
  validUntil: string;
}

/** What a record's change does to the lists (DESIGN §13). */
export interface ListingDecision {
  /** New entries for this record. */
  create: { listType: ListType; validUntil: string; upgrades: string[] }[];
  /** Active entries of this record that stay, with their validity as the current version gives it. */
  keep: { entryId: string; validUntil: string }[];
  /** Active entries that end, and why. */
  end: { entryId: string; reason: string; state: 'removed' | 'upgraded' }[];
}

/** The facts list criteria test: the record's attributes, and its classification by name. */
export function listingFacts(record: CanonicalRecord): Record<string, string> {
  return {
    ...record.attributes,
    kind: record.kind,
    severity: record.severity,
    polarity: record.polarity,
    subjectKind: record.subject.kind,
  };
}

const holds = (conditions: Condition[], facts: Record<string, string>) =>
  conditions.every((c) => conditionHolds(c, facts));

/** The last day an entry of this type is valid: its own validity, never past the record's disclosure. */
export function validUntil(type: ListType, record: CanonicalRecord, today: string): string {
  const disclosed = record.disclosure.disclosureUntil;
  const own =
    'months' in type.validity
      ? addMonths(today, type.validity.months)
      : 'untilDate' in type.validity
        ? record.attributes[type.validity.untilDate]
        : disclosed;
  return own && isIsoDate(own) && own < disclosed ? own : disclosed;
}

/** The list types a record of this kind with these facts enters directly. */
function enteredDirectly(lists: ListCatalogue, kind: string, facts: Record<string, string>): ListType[] {
  return [...lists.types.values()].filter(
    (t) => t.listing === 'direct' && t.entry.kinds.includes(kind) && holds(t.entry.when, facts),
  );
}

/**
 * The list types whose active entries of the record's subject this change upgrades, if the subject
 * has any: the only entries of other records `decideListing` reads. Most changes upgrade nothing, so
 * the subject's entries (which grow with its history) are read only for the few that can.
 */
export function upgradesFrom(lists: ListCatalogue, record: CanonicalRecord, today: string): string[] {
  if (isEnded(record.status) || periodOver(record, today)) return [];
  const facts = listingFacts(record);
  return enteredDirectly(lists, record.kind, facts)
    .filter((t) => upgradeTarget(lists, t, facts))
    .map((t) => t.id);
}

/** The list a type's entries are upgraded to by a record with these facts, if they are. */
function upgradeTarget(
  lists: ListCatalogue,
  type: ListType,
  facts: Record<string, string>,
): ListType | undefined {
  return type.upgrade && holds(type.upgrade.when, facts) ? lists.types.get(type.upgrade.to) : undefined;
}

/**
 * Reconciles a record with the lists, whatever happened to it (published, corrected, withdrawn,
 * expired, repaired, a dispute upheld):
 * - a record that ended (or whose disclosure period is over) leaves every list, with the reason;
 * - a live record is on each directly-entered list whose criteria its current version meets; a
 *   correction that no longer meets them removes it (`criteria_no_longer_met`);
 * - a record that meets a list's upgrade conditions while its subject has an active entry of that
 *   list (for another record) upgrades those entries: they end `upgraded` and the record enters
 *   the list they upgrade to (watch → black);
 * - an entry made by upgrade stays while its record still meets the upgrade conditions.
 * `entries` are this record's entries; `subjectActive` the subject's active entries of other records
 * (of the list types `upgradesFrom` names: others are not looked at).
 * Pure: no I/O, no clock.
 */
export function decideListing(args: {
  lists: ListCatalogue;
  record: CanonicalRecord;
  endReason?: string;
  entries: readonly EntryView[];
  subjectActive: readonly EntryView[];
  today: string;
}): ListingDecision {
  const { lists, record, entries, subjectActive, today } = args;
  const active = entries.filter((e) => e.state === 'active');
  const decision: ListingDecision = { create: [], keep: [], end: [] };
  if (isEnded(record.status) || periodOver(record, today)) {
    const reason = args.endReason ?? (isEnded(record.status) ? record.status : 'disclosure_period_ended');
    decision.end = active.map((e) => ({ entryId: e.entryId, reason, state: 'removed' }));
    return decision;
  }
  const facts = listingFacts(record);
  const wanted = new Map<string, { type: ListType; upgrades: string[] }>();
  for (const type of enteredDirectly(lists, record.kind, facts)) {
    const target = upgradeTarget(lists, type, facts);
    const underWatch = target
      ? subjectActive.filter((e) => e.listType === type.id && e.recordId !== record.recordId)
      : [];
    if (target && underWatch.length > 0)
      wanted.set(target.id, { type: target, upgrades: underWatch.map((e) => e.entryId) });
    else wanted.set(type.id, { type, upgrades: [] });
  }
  // An entry made by upgrade is kept while the record still meets the conditions that made it.
  for (const e of active) {
    const type = lists.types.get(e.listType);
    if (!type || type.listing !== 'upgrade' || wanted.has(type.id)) continue;
    const from = [...lists.types.values()].find((t) => t.upgrade?.to === type.id);
    if (from?.upgrade && from.entry.kinds.includes(record.kind) && holds(from.upgrade.when, facts))
      wanted.set(type.id, { type, upgrades: [] });
  }
  for (const e of active) {
    const want = wanted.get(e.listType);
    if (want) {
      decision.keep.push({ entryId: e.entryId, validUntil: validUntil(want.type, record, today) });
      wanted.delete(e.listType);
    } else decision.end.push({ entryId: e.entryId, reason: 'criteria_no_longer_met', state: 'removed' });
  }
  // A record enters a list once: an entry that ended is not made again by a later correction.
  const had = new Set(entries.map((e) => e.listType));
  for (const { type, upgrades } of wanted.values()) {
    if (had.has(type.id)) continue;
    decision.create.push({ listType: type, validUntil: validUntil(type, record, today), upgrades });
    decision.end.push(
      ...upgrades.map((entryId) => ({ entryId, reason: 'upgraded', state: 'upgraded' as const })),
    );
  }
  return decision;
}
