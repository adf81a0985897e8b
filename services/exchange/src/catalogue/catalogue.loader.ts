import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigurationError, toFieldProblems } from '@cie/platform';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type {
  Catalogue,
  CatalogueEntry,
  Condition,
  DisclosurePeriod,
  Rule,
  Ruled,
} from '../domain/catalogue.js';

/** The catalogue shipped with the exchange (services/exchange/catalogue/catalogue.json, next to src and dist). */
export const DEFAULT_CATALOGUE_FILE = fileURLToPath(
  new URL('../../catalogue/catalogue.json', import.meta.url),
);

import {
  CatalogueFile,
  type ConditionDto,
  type EntryDto,
  PeriodDto,
  PeriodRuleDto,
  type Problem,
  type RuleDto,
} from './catalogue-file.dto.js';

const OPERATORS = ['in', 'includesAny', 'atLeast', 'below', 'present', 'matches'] as const;

/** Each condition has exactly one operator, and a `matches` that compiles; problems name `at[i]`. */
export function conditionProblems(conditions: readonly ConditionDto[], at: string): Problem[] {
  const problems: Problem[] = [];
  conditions.forEach((condition, c) => {
    const path = `${at}[${c}]`;
    if (OPERATORS.filter((op) => condition[op] !== undefined).length !== 1)
      problems.push({ field: path, detail: `must have exactly one of ${OPERATORS.join(', ')}` });
    if (typeof condition.matches === 'string') {
      try {
        new RegExp(condition.matches, 'u');
      } catch (error) {
        problems.push({ field: `${path}.matches`, detail: (error as Error).message });
      }
    }
  });
  return problems;
}

/** Rules class-validator cannot express: one of a pair, one operator per condition, one period form. */
function crossChecks(file: CatalogueFile): Problem[] {
  const problems: Problem[] = [];
  const kinds = new Set<string>();
  (Array.isArray(file.entries) ? file.entries : []).forEach((entry, i) => {
    const at = `entries[${i}]`;
    if (typeof entry.kind === 'string') {
      if (kinds.has(entry.kind))
        problems.push({ field: `${at}.kind`, detail: `${entry.kind} appears twice` });
      kinds.add(entry.kind);
      if (typeof entry.sector === 'string' && !entry.kind.startsWith(`${entry.sector}.`))
        problems.push({
          field: `${at}.kind`,
          detail: `${entry.kind} must start with its sector ${entry.sector}.`,
        });
    }
    const exactlyOne = (fixed: keyof EntryDto, rules: keyof EntryDto) => {
      if ((entry[fixed] === undefined) === (entry[rules] === undefined))
        problems.push({
          field: `${at}.${fixed}`,
          detail: `give either ${fixed} or ${rules}, not both or neither`,
        });
    };
    exactlyOne('polarity', 'polarityRules');
    exactlyOne('severity', 'severityRules');
    exactlyOne('level', 'levelRules');
    exactlyOne('disclosurePeriod', 'disclosurePeriodRules');
    exactlyOne('repairableAfterMonths', 'repairableAfterMonthsRules');

    const checkPeriod = (period: PeriodDto | undefined, path: string) => {
      if (!(period instanceof PeriodDto)) return;
      const forms = (['months', 'untilDate', 'endOfYearAfter'] as const).filter(
        (k) => period[k] !== undefined,
      );
      if (forms.length !== 1)
        problems.push({ field: path, detail: 'must have exactly one of months, untilDate, endOfYearAfter' });
    };
    checkPeriod(entry.disclosurePeriod, `${at}.disclosurePeriod`);

    const ruleLists: [string, RuleDto[] | undefined][] = [
      ['polarityRules', entry.polarityRules],
      ['severityRules', entry.severityRules],
      ['levelRules', entry.levelRules],
      ['disclosurePeriodRules', entry.disclosurePeriodRules],
      ['repairableAfterMonthsRules', entry.repairableAfterMonthsRules],
    ];
    for (const [name, rules] of ruleLists) {
      if (!Array.isArray(rules)) continue;
      rules.forEach((rule, r) => {
        if (rule instanceof PeriodRuleDto) checkPeriod(rule.then, `${at}.${name}[${r}].then`);
        problems.push(
          ...conditionProblems(Array.isArray(rule.when) ? rule.when : [], `${at}.${name}[${r}].when`),
        );
      });
    }
  });
  return problems;
}

function ruled<T>(value: T | undefined, rules: { when: ConditionDto[]; then: T }[] | undefined): Ruled<T> {
  if (rules) return { rules: rules.map((r): Rule<T> => ({ when: r.when.map(toCondition), then: r.then })) };
  return { value: value as T };
}

export function toCondition(c: ConditionDto): Condition {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as Condition;
}

function toPeriod(p: PeriodDto): DisclosurePeriod {
  if (p.months !== undefined) return { months: p.months };
  if (p.untilDate !== undefined) return { untilDate: p.untilDate };
  return { endOfYearAfter: p.endOfYearAfter as string };
}

function toEntry(e: EntryDto): CatalogueEntry {
  return {
    kind: e.kind,
    sector: e.sector,
    category: e.category,
    title: e.title,
    subjectKinds: [...e.subjectKinds],
    polarity: ruled(e.polarity, e.polarityRules),
    severity: ruled(e.severity, e.severityRules),
    level: ruled(e.level, e.levelRules),
    legalBasis: e.legalBasis,
    naturalPersonsPublic: e.naturalPersonsPublic,
    disclosurePeriod: e.disclosurePeriodRules
      ? {
          rules: e.disclosurePeriodRules.map((r) => ({
            when: r.when.map(toCondition),
            then: toPeriod(r.then),
          })),
        }
      : { value: toPeriod(e.disclosurePeriod as PeriodDto) },
    repairableAfterMonths: ruled(e.repairableAfterMonths ?? null, e.repairableAfterMonthsRules),
  };
}

/**
 * Validates a parsed catalogue; every problem names the file and the entry path, e.g.
 * `entries[1].polarityRules[0].then` (with the entry's kind).
 */
export function parseCatalogue(raw: unknown, file: string): Catalogue {
  const parsed = plainToInstance(CatalogueFile, raw);
  const problems: Problem[] = [
    ...toFieldProblems(
      validateSync(parsed, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true }),
    ),
  ];
  if (problems.length === 0) problems.push(...crossChecks(parsed));
  if (problems.length > 0) {
    const kindOf = (field: string) => {
      const index = /^entries\[(\d+)\]/.exec(field)?.[1];
      const kind =
        index === undefined
          ? undefined
          : (raw as { entries?: { kind?: unknown }[] }).entries?.[Number(index)]?.kind;
      return typeof kind === 'string' ? ` (entry ${kind})` : '';
    };
    throw new ConfigurationError(
      problems.map((p) => `catalogue ${file}: ${p.field}: ${p.detail}${kindOf(p.field)}`),
    );
  }
  return {
    edition: parsed.edition,
    version: parsed.version,
    entries: new Map(parsed.entries.map((e) => [e.kind, toEntry(e)])),
  };
}

/** Reads and validates a catalogue file. */
export function loadCatalogue(file: string = DEFAULT_CATALOGUE_FILE): Catalogue {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError([`catalogue ${file}: ${(error as Error).message}`]);
  }
  return parseCatalogue(raw, file);
}

let shipped: Catalogue | undefined;

/** The catalogue shipped with the exchange, loaded and validated once. */
export function exchangeCatalogue(): Catalogue {
  shipped ??= loadCatalogue(DEFAULT_CATALOGUE_FILE);
  return shipped;
}
