import { fileURLToPath } from 'node:url';
import { ConfigurationError, readJsonFile, validateJson } from '@cie/platform';
import { conditionProblems, toCondition } from '../catalogue/catalogue.loader.js';
import type { Catalogue } from '../domain/catalogue.js';
import type {
  Implementer,
  ListCatalogue,
  ListType,
  ListValidity,
  Measure,
  Memorandum,
  MemorandumCatalogue,
} from './domain/joint-measures.js';
import { ListsFile, type ListTypeDto, MemorandaFile, type MeasureDto } from './measures-file.dto.js';

/** The list types and memoranda shipped with the exchange, beside the catalogue. */
export const DEFAULT_LISTS_FILE = fileURLToPath(new URL('../../catalogue/lists.json', import.meta.url));
export const DEFAULT_MEMORANDA_FILE = fileURLToPath(
  new URL('../../catalogue/memoranda.json', import.meta.url),
);

import type { Problem } from '../catalogue/catalogue-file.dto.js';

function listProblems(file: ListsFile, catalogue: Catalogue): Problem[] {
  const problems: Problem[] = [];
  const ids = new Map(file.listTypes.map((t) => [t.id, t]));
  const seen = new Set<string>();
  file.listTypes.forEach((t, i) => {
    const at = `listTypes[${i}]`;
    if (seen.has(t.id)) problems.push({ field: `${at}.id`, detail: `${t.id} appears twice` });
    seen.add(t.id);
    if (!t.id.startsWith(`${t.sector}.`))
      problems.push({ field: `${at}.id`, detail: `${t.id} must start with its sector ${t.sector}.` });
    t.entry.kinds.forEach((kind, k) => {
      const entry = catalogue.entries.get(kind);
      if (!entry)
        problems.push({ field: `${at}.entry.kinds[${k}]`, detail: `${kind} is not a kind of the catalogue` });
      else if (entry.sector !== t.sector)
        problems.push({ field: `${at}.entry.kinds[${k}]`, detail: `${kind} is not a ${t.sector} kind` });
    });
    if (t.listing === 'direct' && t.entry.kinds.length === 0)
      problems.push({
        field: `${at}.entry.kinds`,
        detail: 'a list entered directly needs at least one kind',
      });
    if (t.listing === 'upgrade' && t.entry.kinds.length > 0)
      problems.push({ field: `${at}.entry.kinds`, detail: 'a list entered by upgrade takes no kinds' });
    problems.push(...conditionProblems(t.entry.when, `${at}.entry.when`));
    const forms = (['months', 'untilDate', 'record'] as const).filter((f) => t.validity[f] !== undefined);
    if (forms.length !== 1)
      problems.push({
        field: `${at}.validity`,
        detail: 'must have exactly one of months, untilDate, record',
      });
    if (t.upgrade) {
      const target = ids.get(t.upgrade.to);
      if (!target)
        problems.push({
          field: `${at}.upgrade.to`,
          detail: `${t.upgrade.to} is not a list type of this file`,
        });
      else if (target.listing !== 'upgrade')
        problems.push({ field: `${at}.upgrade.to`, detail: `${t.upgrade.to} must have listing "upgrade"` });
      else if (target.sector !== t.sector)
        problems.push({ field: `${at}.upgrade.to`, detail: `${t.upgrade.to} is not a ${t.sector} list` });
      problems.push(...conditionProblems(t.upgrade.when, `${at}.upgrade.when`));
    }
  });
  for (const [i, t] of file.listTypes.entries())
    if (t.listing === 'upgrade' && !file.listTypes.some((o) => o.upgrade?.to === t.id))
      problems.push({ field: `listTypes[${i}].listing`, detail: `no list type upgrades to ${t.id}` });
  return problems;
}

function memorandumProblems(file: MemorandaFile, lists: ListCatalogue): Problem[] {
  const problems: Problem[] = [];
  const memoIds = new Set<string>();
  const measureIds = new Set<string>();
  file.memoranda.forEach((m, i) => {
    const at = `memoranda[${i}]`;
    if (memoIds.has(m.id)) problems.push({ field: `${at}.id`, detail: `${m.id} appears twice` });
    memoIds.add(m.id);
    m.triggers.forEach((trigger, t) => {
      if (!lists.types.has(trigger))
        problems.push({ field: `${at}.triggers[${t}]`, detail: `${trigger} is not a list type` });
    });
    if (m.validUntil && m.validUntil < m.validFrom)
      problems.push({ field: `${at}.validUntil`, detail: 'is before validFrom' });
    m.measures.forEach((measure, j) => {
      const path = `${at}.measures[${j}]`;
      if (measureIds.has(measure.id))
        problems.push({
          field: `${path}.id`,
          detail: `${measure.id} appears twice (measure ids are unique across memoranda)`,
        });
      measureIds.add(measure.id);
      const { sector, agencyId, subscriber } = measure.implementer;
      const agency = sector !== undefined && agencyId !== undefined && subscriber === undefined;
      const subscriberOnly = subscriber !== undefined && sector === undefined && agencyId === undefined;
      if (!agency && !subscriberOnly)
        problems.push({
          field: `${path}.implementer`,
          detail: 'must be a sector agency { sector, agencyId } or a subscriber { subscriber }',
        });
      const forms = [measure.duration.whileListed, measure.duration.months].filter((v) => v !== undefined);
      if (forms.length !== 1)
        problems.push({ field: `${path}.duration`, detail: 'must have exactly one of whileListed, months' });
    });
  });
  return problems;
}

function validity(v: ListTypeDto['validity']): ListValidity {
  if (v.months !== undefined) return { months: v.months };
  if (v.untilDate !== undefined) return { untilDate: v.untilDate };
  return { record: true };
}

function toListType(t: ListTypeDto): ListType {
  return {
    id: t.id,
    sector: t.sector,
    colour: t.colour,
    title: t.title,
    legalBasis: t.legalBasis,
    entry: { kinds: [...t.entry.kinds], when: t.entry.when.map(toCondition) },
    listing: t.listing,
    validity: validity(t.validity),
    ...(t.upgrade && { upgrade: { to: t.upgrade.to, when: t.upgrade.when.map(toCondition) } }),
  };
}

function implementer(i: MeasureDto['implementer']): Implementer {
  return i.subscriber !== undefined
    ? { kind: 'subscriber', subscriberId: i.subscriber }
    : { kind: 'agency', sector: i.sector!, agencyId: i.agencyId! };
}

function toMeasure(m: MeasureDto): Measure {
  return {
    id: m.id,
    text: m.text,
    legalBasis: m.legalBasis,
    implementer: implementer(m.implementer),
    targets: [...m.targets],
    mode: m.mode,
    scenarios: [...m.scenarios],
    duration: m.duration.months !== undefined ? { months: m.duration.months } : { whileListed: true },
    answerWithinWorkingDays: m.answerWithinWorkingDays,
  };
}

const refuse = (label: string, problems: Problem[]) => {
  if (problems.length > 0)
    throw new ConfigurationError(problems.map((p) => `${label}: ${p.field}: ${p.detail}`));
};

/** Validates parsed list types against the catalogue; every problem names the file and the path. */
export function parseLists(raw: unknown, file: string, catalogue: Catalogue): ListCatalogue {
  const label = `LISTS_FILE ${file}`;
  const parsed = validateJson(label, raw, ListsFile);
  refuse(label, listProblems(parsed, catalogue));
  return { version: parsed.version, types: new Map(parsed.listTypes.map((t) => [t.id, toListType(t)])) };
}

/** Validates parsed memoranda against the list types: a measure without a legal basis is refused here. */
export function parseMemoranda(raw: unknown, file: string, lists: ListCatalogue): MemorandumCatalogue {
  const label = `MEMORANDA_FILE ${file}`;
  const parsed = validateJson(label, raw, MemorandaFile);
  refuse(label, memorandumProblems(parsed, lists));
  const memoranda: Memorandum[] = parsed.memoranda.map((m) => ({
    id: m.id,
    documentNumber: m.documentNumber,
    title: m.title,
    type: m.type,
    triggers: [...m.triggers],
    signatories: [...m.signatories],
    validFrom: m.validFrom,
    ...(m.validUntil && { validUntil: m.validUntil }),
    sourceCheck: m.sourceCheck,
    measures: m.measures.map(toMeasure),
  }));
  const measures = new Map(
    memoranda.flatMap((memorandum) =>
      memorandum.measures.map((measure) => [measure.id, { memorandum, measure }] as const),
    ),
  );
  return { version: parsed.version, memoranda, measures };
}

/** Nest injection token of the loaded `JointMeasures`. */
export const JOINT_MEASURES = Symbol('JointMeasures');

export interface JointMeasures {
  lists: ListCatalogue;
  memoranda: MemorandumCatalogue;
}

/** Reads and validates both files (at start: a broken file stops the exchange before it consumes). */
export function loadJointMeasures(
  catalogue: Catalogue,
  files: { lists?: string; memoranda?: string } = {},
): JointMeasures {
  const listsFile = files.lists ?? DEFAULT_LISTS_FILE;
  const memorandaFile = files.memoranda ?? DEFAULT_MEMORANDA_FILE;
  const lists = parseLists(readJsonFile('LISTS_FILE', listsFile), listsFile, catalogue);
  const memoranda = parseMemoranda(readJsonFile('MEMORANDA_FILE', memorandaFile), memorandaFile, lists);
  return { lists, memoranda };
}
