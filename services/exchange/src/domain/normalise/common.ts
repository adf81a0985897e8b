import type { DescEnum, Message } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import { type SourceRef, type SubjectIdentity, SubjectKind } from '@cie/contracts';
import { checkResidentId, checkUscc } from '@cie/identifiers';
import type { CanonicalRecord, SubjectKindName } from '../canonical-record.js';
import { type Catalogue, classify, isIsoDate } from '../catalogue.js';

/** Why a sector event cannot become a canonical record; it goes to the dead-letter topic with this reason. */
export class NormalisationError extends Error {
  override readonly name = 'NormalisationError';
}

export interface NormalisedRecord {
  record: CanonicalRecord;
  /** The clear identity number, kept apart so it is stored encrypted and released only when entitled. */
  clearIdNumber: string;
}

export interface NormaliseContext {
  recordId: string;
  recordedAt: Date;
  pseudonymise: (idNumber: string) => string;
  catalogue: Catalogue;
  legacyUscc?: ReadonlySet<string>;
}

/** Every sector event starts with `SourceRef source = 1; SubjectIdentity subject = 2;`. */
export type SectorEventMessage = Message & { source?: SourceRef; subject?: SubjectIdentity };

/** How one sector event type becomes a record: its catalogue kind and its facts, normalised. */
export interface SectorMapping<E extends SectorEventMessage> {
  schema: GenMessage<E>;
  kind: string;
  /** The sector facts; undefined and empty values are left out. Throws NormalisationError naming the field. */
  attributes: (event: E) => Record<string, string | undefined>;
}

const SUBJECT_KINDS: Partial<Record<SubjectKind, SubjectKindName>> = {
  [SubjectKind.LEGAL_ENTITY]: 'legal_entity',
  [SubjectKind.NATURAL_PERSON]: 'natural_person',
  [SubjectKind.OTHER]: 'other',
};

/** An enum value as its lower-case name (`TAX_CREDIT_LEVEL_A` → `a`); unspecified or unknown values are refused. */
export function enumName(schema: DescEnum, value: number, field: string): string {
  const known = schema.value[value];
  if (value === 0 || !known)
    throw new NormalisationError(`${field} is ${value === 0 ? 'unspecified' : `unknown (${value})`}`);
  return known.localName.toLowerCase();
}

/** Repeated enum values as a comma-separated list of lower-case names: at least one, no repeats. */
export function enumNames(schema: DescEnum, values: number[], field: string): string {
  if (values.length === 0) throw new NormalisationError(`${field} is empty`);
  if (new Set(values).size !== values.length) throw new NormalisationError(`${field} repeats a value`);
  return values.map((v, i) => enumName(schema, v, `${field}[${i}]`)).join(',');
}

const AMOUNT = /^(\d+)(?:\.(\d{1,2}))?$/;

/** An exact CNY amount with two decimals ("98000.5" → "98000.50"); empty is absent unless required. */
export function amount(value: string, field: string, required = false): string | undefined {
  if (value === '') {
    if (required) throw new NormalisationError(`${field} is required`);
    return undefined;
  }
  const match = AMOUNT.exec(value);
  if (!match) throw new NormalisationError(`${field} ${value} is not a decimal amount in CNY`);
  return `${BigInt(match[1] ?? '0').toString()}.${(match[2] ?? '').padEnd(2, '0')}`;
}

/** An ISO 8601 calendar date; empty is absent unless required. */
export function isoDate(value: string, field: string, required = false): string | undefined {
  if (value === '') {
    if (required) throw new NormalisationError(`${field} is required`);
    return undefined;
  }
  if (!isIsoDate(value)) throw new NormalisationError(`${field} ${value} is not an ISO date`);
  return value;
}

/** Trimmed text; empty is absent unless required. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export function text(value: string, field: string, required = false): string | undefined {
  // PostgreSQL cannot store NUL in text or jsonb, and no control character belongs in a record: refused
  // here with the field's name rather than failing the whole batch at the database.
  if (CONTROL_CHARACTERS.test(value))
    throw new NormalisationError(
      `${field} contains a control character (U+0000-U+001F other than tab and newline)`,
    );
  const trimmed = value.trim();
  if (trimmed === '' && required) throw new NormalisationError(`${field} is required`);
  return trimmed === '' ? undefined : trimmed;
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new NormalisationError(`${field} is required`);
  return value;
}

/**
 * The parts every sector shares: checks the source and the subject's identity number again (the edge
 * checked them), pseudonymises natural persons, takes the region from the identifier, and classifies
 * the record against the catalogue.
 */
export function toNormalisedRecord<E extends SectorEventMessage>(
  mapping: SectorMapping<E>,
  event: E,
  ctx: NormaliseContext,
): NormalisedRecord {
  const source = required(event.source, 'source');
  const subject = required(event.subject, 'subject');
  for (const field of [
    'sector',
    'agencyId',
    'sourceRecordId',
    'decisionNumber',
    'decidingAuthority',
  ] as const)
    text(source[field], `source.${field}`, true);
  isoDate(source.decisionDate, 'source.decisionDate', true);

  const kind = SUBJECT_KINDS[subject.kind];
  if (!kind) throw new NormalisationError('subject.kind is unspecified');
  const id =
    kind === 'natural_person'
      ? checkResidentId(subject.idNumber)
      : checkUscc(subject.idNumber, ctx.legacyUscc);
  if (!id.valid) throw new NormalisationError(`subject.idNumber ${id.reason}`);
  const name = text(subject.name, 'subject.name', true) as string;

  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(mapping.attributes(event)))
    if (value !== undefined && value !== '') attributes[key] = value;

  const classification = classify(ctx.catalogue, {
    kind: mapping.kind,
    sector: source.sector,
    subjectKind: kind,
    decisionDate: source.decisionDate,
    attributes,
  });
  if (!classification.ok) throw new NormalisationError(classification.reason);

  return {
    clearIdNumber: id.value,
    record: {
      recordId: ctx.recordId,
      source: {
        sector: classification.entry.sector,
        agencyId: source.agencyId,
        sourceRecordId: source.sourceRecordId,
        decisionNumber: source.decisionNumber,
        decidingAuthority: source.decidingAuthority,
        decisionDate: source.decisionDate,
      },
      subject: {
        kind,
        canonicalId: kind === 'natural_person' ? ctx.pseudonymise(id.value) : id.value,
        name,
        regionCode: id.regionCode,
      },
      kind: classification.entry.kind,
      category: classification.entry.category,
      polarity: classification.polarity,
      severity: classification.severity,
      disclosure: {
        level: classification.level,
        effectiveFrom: classification.effectiveFrom,
        disclosureUntil: classification.disclosureUntil,
        legalBasis: classification.legalBasis,
        repairableFrom: classification.repairableFrom,
      },
      status: 'active',
      version: 1,
      recordedAt: ctx.recordedAt.toISOString(),
      attributes,
      catalogueEdition: ctx.catalogue.edition,
      catalogueVersion: ctx.catalogue.version,
    },
  };
}
