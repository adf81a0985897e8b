import { create } from '@bufbuild/protobuf';
import { MajorViolationEventSchema, MajorViolationType } from '@cie/contracts';
import {
  IsCalendarDate,
  IsCnyAmount,
  type RecordTypeDefinition,
  SectorRecordDto,
  IsOnlyForOrganisations,
} from '@cie/sector-kit';
import {
  Equals,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Validate,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

/**
 * Number of a tax penalty or handling decision: issuing-office abbreviation, year in brackets, serial and 号,
 * e.g. 京税稽罚〔2025〕118号. Square or round brackets (half- or full-width) are accepted and normalised to 〔〕.
 */
export const TAX_DECISION_NUMBER = /^[\u4e00-\u9fa5]{1,16}[〔[［(（]\d{4}[〕\]］)）]\d{1,6}号$/u;
export const TAX_DECISION_NUMBER_MESSAGE =
  'decisionNumber must be a tax decision number in the official pattern, e.g. 京税稽罚〔2025〕118号';
export const normaliseTaxDecisionNumber = (decisionNumber: string) =>
  decisionNumber.replace(/[[［(（](\d{4})[\]］)）]/u, '〔$1〕');

const VIOLATION_TYPES = {
  tax_evasion: MajorViolationType.TAX_EVASION,
  tax_arrears_evasion: MajorViolationType.TAX_ARREARS_EVASION,
  export_rebate_fraud: MajorViolationType.EXPORT_REBATE_FRAUD,
  tax_resistance: MajorViolationType.TAX_RESISTANCE,
  fake_vat_invoices: MajorViolationType.FAKE_VAT_INVOICES,
  fake_ordinary_invoices: MajorViolationType.FAKE_ORDINARY_INVOICES,
  invoice_forgery: MajorViolationType.INVOICE_FORGERY,
  absconded: MajorViolationType.ABSCONDED,
  tax_fraud_other: MajorViolationType.TAX_FRAUD_OTHER,
} as const;
type ViolationTypeName = keyof typeof VIOLATION_TYPES;
export const MAJOR_VIOLATION_TYPES = Object.keys(VIOLATION_TYPES) as ViolationTypeName[];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The violation period ends on or after it starts, and not after the decision. */
@ValidatorConstraint({ name: 'violationPeriod' })
class ViolationPeriodConstraint implements ValidatorConstraintInterface {
  validate(to: unknown, args: ValidationArguments): boolean {
    const { violationPeriodFrom: from, decisionDate } = args.object as Partial<MajorViolationDto>;
    if (typeof to !== 'string') return false;
    const fromOk = typeof from !== 'string' || !ISO_DATE.test(from) || from <= to;
    const decisionOk = typeof decisionDate !== 'string' || !ISO_DATE.test(decisionDate) || to <= decisionDate;
    return fromOk && decisionOk;
  }

  defaultMessage(args: ValidationArguments): string {
    const { violationPeriodFrom: from, decisionDate } = args.object as Partial<MajorViolationDto>;
    return `violationPeriodTo (${String(args.value)}) must be on or after violationPeriodFrom (${String(from)}) and not after decisionDate (${String(decisionDate)})`;
  }
}

/**
 * A major tax violation dishonest subject (重大税收违法失信主体) listing by a tax authority (`decidingAuthority`);
 * `decisionNumber` is the number of the tax penalty or handling decision.
 */
// class-validator runs a property's rules bottom-up: type checks are listed last so that they run first.
export class MajorViolationDto extends SectorRecordDto {
  @Equals('tax.major_violation')
  override recordType!: 'tax.major_violation';

  @Matches(TAX_DECISION_NUMBER, { message: TAX_DECISION_NUMBER_MESSAGE })
  override decisionNumber!: string;

  @IsIn(MAJOR_VIOLATION_TYPES, {
    message: `violationType must be one of: ${MAJOR_VIOLATION_TYPES.join(', ')}`,
  })
  violationType!: ViolationTypeName;

  /** Main facts of the violation (主要违法事实), in words. */
  @MaxLength(2000)
  @IsNotEmpty()
  @IsString()
  facts!: string;

  /** Tax involved (涉案税款). */
  @IsCnyAmount()
  taxAmountInvolved!: string;

  /** Fine imposed; omitted when none was imposed (yet). */
  @IsOptional()
  @IsCnyAmount()
  penaltyAmount?: string;

  /** First day of the period in which the violation took place. */
  @IsCalendarDate()
  violationPeriodFrom!: string;

  /** Last day of that period: not before `violationPeriodFrom`, not after `decisionDate`. */
  @Validate(ViolationPeriodConstraint)
  @IsCalendarDate()
  violationPeriodTo!: string;

  /** For an organisation: its legal representative or person in charge (法定代表人或者负责人), by name. */
  @IsOptional()
  @IsOnlyForOrganisations()
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  legalRepresentative?: string;

  /** Provisions applied, e.g. 《中华人民共和国税收征收管理法》第六十三条第一款. */
  @IsOptional()
  @MaxLength(500)
  @IsString()
  legalBasis?: string;
}

export const majorViolation: RecordTypeDefinition<MajorViolationDto, typeof MajorViolationEventSchema> = {
  recordType: 'tax.major_violation',
  description: 'Major tax violation dishonest subject (重大税收违法失信主体) listing by a tax authority',
  dto: MajorViolationDto,
  schema: MajorViolationEventSchema,
  toEvent: (record, { source, subject }) =>
    create(MajorViolationEventSchema, {
      source: { ...source, decisionNumber: normaliseTaxDecisionNumber(record.decisionNumber) },
      subject,
      violationType: VIOLATION_TYPES[record.violationType],
      facts: record.facts,
      taxAmountInvolved: record.taxAmountInvolved,
      penaltyAmount: record.penaltyAmount ?? '',
      violationPeriodFrom: record.violationPeriodFrom,
      violationPeriodTo: record.violationPeriodTo,
      legalRepresentative: record.legalRepresentative?.trim() ?? '',
      legalBasis: record.legalBasis ?? '',
    }),
  example: {
    recordType: 'tax.major_violation',
    sourceRecordId: 'BJSW-JC1-2025-0118',
    decisionNumber: '京税稽罚〔2025〕118号',
    decidingAuthority: '国家税务总局北京市税务局第一稽查局',
    decisionDate: '2025-06-20',
    subject: { kind: 'legal_entity', idNumber: '91110105MA01R8QK32', name: '北京鑫达恒通商贸有限公司' },
    violationType: 'tax_evasion',
    facts:
      '2021年1月1日至2023年12月31日期间，通过在账簿上少列收入、虚增成本的手段，少缴增值税、企业所得税等税款合计1863427.15元',
    taxAmountInvolved: '1863427.15',
    penaltyAmount: '931713.58',
    violationPeriodFrom: '2021-01-01',
    violationPeriodTo: '2023-12-31',
    legalRepresentative: '刘志强',
    legalBasis: '《中华人民共和国税收征收管理法》第六十三条第一款',
  },
};
