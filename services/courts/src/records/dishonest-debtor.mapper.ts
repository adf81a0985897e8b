import { create } from '@bufbuild/protobuf';
import { normaliseIdentifier } from '@cie/identifiers';
import {
  DishonestDebtorEventSchema,
  type DishonestDebtorEvent,
  PerformanceStatus,
  SourceRefSchema,
  SubjectIdentitySchema,
  SubjectKind,
} from '@cie/contracts';
import type { Agency } from '@cie/platform';
import type { DishonestDebtorRecordDto, PerformanceStatusName } from './dto/dishonest-debtor-record.dto.js';
import type { SubjectKindName } from '@cie/platform';

const SUBJECT_KIND: Record<SubjectKindName, SubjectKind> = {
  legal_entity: SubjectKind.LEGAL_ENTITY,
  natural_person: SubjectKind.NATURAL_PERSON,
  other: SubjectKind.OTHER,
};

const PERFORMANCE: Record<PerformanceStatusName, PerformanceStatus> = {
  not_performed: PerformanceStatus.NOT_PERFORMED,
  partially_performed: PerformanceStatus.PARTIALLY_PERFORMED,
};

/** The court's JSON record as the sector event the exchange consumes. */
export function toDishonestDebtorEvent(
  record: DishonestDebtorRecordDto,
  agency: Agency,
): DishonestDebtorEvent {
  const caseNumber = record.caseNumber.replace('（', '(').replace('）', ')');
  return create(DishonestDebtorEventSchema, {
    source: create(SourceRefSchema, {
      sector: agency.sector,
      agencyId: agency.agencyId,
      sourceRecordId: record.sourceRecordId,
      decisionNumber: caseNumber,
      decidingAuthority: record.court,
      decisionDate: record.decisionDate,
    }),
    debtor: create(SubjectIdentitySchema, {
      kind: SUBJECT_KIND[record.debtor.kind],
      idNumber: normaliseIdentifier(record.debtor.idNumber),
      name: record.debtor.name.trim(),
    }),
    caseNumber,
    obligation: record.obligation,
    performanceStatus: PERFORMANCE[record.performanceStatus],
    outstandingAmount: record.outstandingAmount ?? '',
    court: record.court,
  });
}
