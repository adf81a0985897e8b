import { create } from '@bufbuild/protobuf';
import { DishonestDebtorEventSchema, PerformanceStatus } from '@cie/contracts';
import { IsCnyAmount, type RecordTypeDefinition, SectorRecordDto } from '@cie/sector-kit';
import { Equals, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/**
 * Official case number: (year) + court code (province abbreviation and digits) + case type + serial + 号,
 * e.g. (2023)京0105执12345号. Full-width brackets are accepted as courts often type them.
 */
export const CASE_NUMBER = /^[(（]\d{4}[)）][\u4e00-\u9fa5]\d{0,4}[\u4e00-\u9fa5]{1,4}\d{1,6}号$/u;
export const CASE_NUMBER_MESSAGE =
  'decisionNumber must be a case number in the official pattern, e.g. (2023)京0105执12345号';
export const normaliseCaseNumber = (caseNumber: string) => caseNumber.replace('（', '(').replace('）', ')');

const PERFORMANCE = {
  not_performed: PerformanceStatus.NOT_PERFORMED,
  partially_performed: PerformanceStatus.PARTIALLY_PERFORMED,
} as const;

/** A dishonest judgment debtor (失信被执行人) listing; `decisionNumber` is the enforcement case number. */
export class DishonestDebtorDto extends SectorRecordDto {
  @Equals('courts.dishonest_debtor')
  override recordType!: 'courts.dishonest_debtor';

  @Matches(CASE_NUMBER, { message: CASE_NUMBER_MESSAGE })
  override decisionNumber!: string;

  /** The obligation set by the enforcement basis, in words. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  obligation!: string;

  @IsIn(Object.keys(PERFORMANCE))
  performanceStatus!: keyof typeof PERFORMANCE;

  /** Amount still owed; omitted when the obligation is not monetary. */
  @IsOptional()
  @IsCnyAmount()
  outstandingAmount?: string;

  /** The judgment or other instrument being enforced (执行依据). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  enforcementBasis?: string;
}

export const dishonestDebtor: RecordTypeDefinition<DishonestDebtorDto, typeof DishonestDebtorEventSchema> = {
  recordType: 'courts.dishonest_debtor',
  description: 'Dishonest judgment debtor (失信被执行人) listing by the enforcing court',
  dto: DishonestDebtorDto,
  schema: DishonestDebtorEventSchema,
  toEvent: (record, { source, subject }) =>
    create(DishonestDebtorEventSchema, {
      source: { ...source, decisionNumber: normaliseCaseNumber(record.decisionNumber) },
      subject,
      obligation: record.obligation,
      performanceStatus: PERFORMANCE[record.performanceStatus],
      outstandingAmount: record.outstandingAmount ?? '',
      enforcementBasis: record.enforcementBasis ?? '',
    }),
  example: {
    recordType: 'courts.dishonest_debtor',
    sourceRecordId: 'BJCY-2025-0001',
    decisionNumber: '(2025)京0105执3301号',
    decidingAuthority: '北京市朝阳区人民法院',
    decisionDate: '2025-09-18',
    subject: { kind: 'legal_entity', idNumber: '91320100748204660Q', name: '南京某某科技有限公司' },
    obligation: '支付货款人民币1250000元及迟延履行期间的债务利息',
    performanceStatus: 'not_performed',
    outstandingAmount: '1250000.00',
    enforcementBasis: '(2024)京0105民初1234号民事判决书',
  },
};
