import { type DishonestDebtorEvent, PerformanceStatus, SubjectKind } from '@cie/contracts';
import { checkResidentId, checkUscc } from '@cie/identifiers';
import { type CanonicalRecord, type SubjectKindName } from './canonical-record.js';
import { addMonths, CATALOGUE } from './catalogue.js';

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
  legacyUscc?: ReadonlySet<string>;
}

const KIND_NAMES: Partial<Record<SubjectKind, SubjectKindName>> = {
  [SubjectKind.LEGAL_ENTITY]: 'legal_entity',
  [SubjectKind.NATURAL_PERSON]: 'natural_person',
  [SubjectKind.OTHER]: 'other',
};

const PERFORMANCE_NAMES: Partial<Record<PerformanceStatus, string>> = {
  [PerformanceStatus.NOT_PERFORMED]: 'not_performed',
  [PerformanceStatus.PARTIALLY_PERFORMED]: 'partially_performed',
};

/** Maps a courts dishonest-debtor event to the canonical record, re-checking what the edge checked. */
export function normaliseDishonestDebtor(
  event: DishonestDebtorEvent,
  ctx: NormaliseContext,
): NormalisedRecord {
  const source = event.source;
  const debtor = event.subject;
  if (!source || !debtor) throw new NormalisationError('source and subject are required');
  if (source.sector !== 'courts')
    throw new NormalisationError(`source.sector is ${source.sector}, expected courts`);
  const kind = KIND_NAMES[debtor.kind];
  if (!kind) throw new NormalisationError('subject.kind is unspecified');
  const performance = PERFORMANCE_NAMES[event.performanceStatus];
  if (!performance) throw new NormalisationError('performanceStatus is unspecified');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(source.decisionDate))
    throw new NormalisationError('source.decisionDate is not an ISO date');

  const id =
    kind === 'natural_person' ? checkResidentId(debtor.idNumber) : checkUscc(debtor.idNumber, ctx.legacyUscc);
  if (!id.valid) throw new NormalisationError(`subject.idNumber ${id.reason}`);

  const entry = CATALOGUE.entries.get('courts.dishonest_debtor');
  if (!entry) throw new NormalisationError('courts.dishonest_debtor is not in the catalogue');

  const attributes: Record<string, string> = {
    caseNumber: source.decisionNumber,
    court: source.decidingAuthority,
    obligation: event.obligation,
    performanceStatus: performance,
  };
  if (event.outstandingAmount) attributes['outstandingAmount'] = event.outstandingAmount;
  if (event.enforcementBasis) attributes['enforcementBasis'] = event.enforcementBasis;

  return {
    clearIdNumber: id.value,
    record: {
      recordId: ctx.recordId,
      source: {
        sector: 'courts',
        agencyId: source.agencyId,
        sourceRecordId: source.sourceRecordId,
        decisionNumber: source.decisionNumber,
        decidingAuthority: source.decidingAuthority,
        decisionDate: source.decisionDate,
      },
      subject: {
        kind,
        canonicalId: kind === 'natural_person' ? ctx.pseudonymise(id.value) : id.value,
        name: debtor.name,
        regionCode: id.regionCode,
      },
      kind: entry.kind,
      category: entry.category,
      polarity: entry.polarity,
      severity: entry.severity,
      disclosure: {
        level:
          kind === 'natural_person' && !entry.naturalPersonsPublic && entry.level === 'public'
            ? 'authorised'
            : entry.level,
        effectiveFrom: source.decisionDate,
        disclosureUntil: addMonths(source.decisionDate, entry.disclosureMonths),
        legalBasis: entry.legalBasis,
      },
      status: 'active',
      version: 1,
      recordedAt: ctx.recordedAt.toISOString(),
      attributes,
      catalogueEdition: CATALOGUE.edition,
    },
  };
}
