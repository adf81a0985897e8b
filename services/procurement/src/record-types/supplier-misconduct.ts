import { create } from '@bufbuild/protobuf';
import { SupplierMisconductEventSchema, SupplierMisconductType } from '@cie/contracts';
import { checkUscc, normaliseIdentifier } from '@cie/identifiers';
import { IsCalendarDate, IsCnyAmount, type RecordTypeDefinition, SectorRecordDto } from '@cie/sector-kit';
import { Type } from 'class-transformer';
import {
  Equals,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  registerDecorator,
  Validate,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

const MISCONDUCT = {
  false_materials: SupplierMisconductType.FALSE_MATERIALS,
  bid_rigging: SupplierMisconductType.BID_RIGGING,
  refusing_to_sign: SupplierMisconductType.REFUSING_TO_SIGN,
  bribery: SupplierMisconductType.BRIBERY,
  breach_of_contract: SupplierMisconductType.BREACH_OF_CONTRACT,
  other: SupplierMisconductType.OTHER,
} as const;
type MisconductName = keyof typeof MISCONDUCT;
export const SUPPLIER_MISCONDUCT_TYPES = Object.keys(MISCONDUCT) as MisconductName[];

/** A ban from government procurement lasts one to three years (政府采购法 art. 77). */
export const BAN_MIN_YEARS = 1;
export const BAN_MAX_YEARS = 3;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** `date` (YYYY-MM-DD) plus whole years, as UTC milliseconds; 29 February rolls over to 1 March. */
const plusYears = (date: string, years: number) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y + years, m - 1, d);
};

/**
 * `banUntil` is the ban's last day. The ban lasts at least one year (banUntil ≥ banFrom + 1 year − 1 day)
 * and at most three (banUntil ≤ banFrom + 3 years, so "same date three years on" is accepted).
 */
@ValidatorConstraint({ name: 'banLength' })
export class BanLengthConstraint implements ValidatorConstraintInterface {
  validate(until: unknown, args: ValidationArguments): boolean {
    const { banFrom } = args.object as Partial<SupplierMisconductDto>;
    // A missing or malformed banFrom is reported on banFrom itself.
    if (typeof banFrom !== 'string' || !ISO_DATE.test(banFrom) || Number.isNaN(Date.parse(banFrom)))
      return true;
    if (typeof until !== 'string') return false;
    const last = Date.parse(until);
    return last >= plusYears(banFrom, BAN_MIN_YEARS) - DAY_MS && last <= plusYears(banFrom, BAN_MAX_YEARS);
  }

  defaultMessage(args: ValidationArguments): string {
    const { banFrom } = args.object as Partial<SupplierMisconductDto>;
    return `banUntil (the ban's last day, ${String(args.value)}) must be ${BAN_MIN_YEARS} to ${BAN_MAX_YEARS} years after banFrom (${String(banFrom)})`;
  }
}

/** A unified social credit code (GB 32100), normalised before checking. */
function IsUscc(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isUscc',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && checkUscc(value).valid,
        defaultMessage: (args: ValidationArguments) => {
          const result = typeof args.value === 'string' ? checkUscc(args.value) : undefined;
          const reason = result && !result.valid ? result.reason : 'must be a string';
          return `${args.property} ${reason} (unified social credit code)`;
        },
      },
    });
  };
}

const hasBan = (record: SupplierMisconductDto) =>
  record.banFrom !== undefined || record.banUntil !== undefined;

// class-validator runs a property's rules bottom-up: type checks are listed last so that they run first.

/** The procurement project the misconduct concerns. */
export class ProcurementProjectDto {
  /** Project number as the purchaser or its agency assigned it (项目编号). */
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  number!: string;

  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  name!: string;
}

/** The purchasing unit (采购人). */
export class PurchaserDto {
  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  name!: string;

  @IsOptional()
  @IsUscc()
  uscc?: string;
}

/**
 * Supplier misconduct in government procurement and its penalty, decided by a finance department
 * (`decidingAuthority`). The penalty is a fine (`fineAmount`), a ban from government procurement
 * (`banFrom`..`banUntil`, 1-3 years), or both.
 */
export class SupplierMisconductDto extends SectorRecordDto {
  @Equals('procurement.supplier_misconduct')
  override recordType!: 'procurement.supplier_misconduct';

  @IsIn(SUPPLIER_MISCONDUCT_TYPES, {
    message: `misconduct must be one of: ${SUPPLIER_MISCONDUCT_TYPES.join(', ')}`,
  })
  misconduct!: MisconductName;

  /** Facts of the misconduct, in words. */
  @MaxLength(2000)
  @IsNotEmpty()
  @IsString()
  facts!: string;

  /** Fine imposed; required when there is no ban. */
  @ValidateIf((record: SupplierMisconductDto) => record.fineAmount !== undefined || !hasBan(record))
  @Matches(/[1-9]/, { message: 'fineAmount must be greater than zero; omit it when there is no fine' })
  @IsCnyAmount()
  @IsDefined({
    message:
      'fineAmount is required when there is no ban (banFrom, banUntil): a penalty is a fine, a ban or both',
  })
  fineAmount?: string;

  /** First day of the ban from government procurement. */
  @ValidateIf(hasBan)
  @IsCalendarDate()
  @IsDefined({ message: 'banFrom is required with banUntil' })
  banFrom?: string;

  /** Last day of the ban (inclusive), one to three years after `banFrom`. */
  @ValidateIf(hasBan)
  @Validate(BanLengthConstraint)
  @IsCalendarDate()
  @IsDefined({ message: 'banUntil is required with banFrom' })
  banUntil?: string;

  @ValidateNested()
  @Type(() => ProcurementProjectDto)
  @IsDefined()
  project!: ProcurementProjectDto;

  @ValidateNested()
  @Type(() => PurchaserDto)
  @IsDefined()
  purchaser!: PurchaserDto;

  /** Provisions applied, e.g. 《中华人民共和国政府采购法》第七十七条第一款第一项. */
  @IsOptional()
  @MaxLength(500)
  @IsString()
  legalBasis?: string;
}

export const supplierMisconduct: RecordTypeDefinition<
  SupplierMisconductDto,
  typeof SupplierMisconductEventSchema
> = {
  recordType: 'procurement.supplier_misconduct',
  description: 'Supplier misconduct in government procurement and its penalty: a fine and/or a 1-3 year ban',
  dto: SupplierMisconductDto,
  schema: SupplierMisconductEventSchema,
  toEvent: (record, { source, subject }) =>
    create(SupplierMisconductEventSchema, {
      source,
      subject,
      misconduct: MISCONDUCT[record.misconduct],
      facts: record.facts,
      fineAmount: record.fineAmount ?? '',
      banFrom: record.banFrom ?? '',
      banUntil: record.banUntil ?? '',
      project: { number: record.project.number.trim(), name: record.project.name.trim() },
      purchaser: {
        name: record.purchaser.name.trim(),
        uscc: record.purchaser.uscc === undefined ? '' : normaliseIdentifier(record.purchaser.uscc),
      },
      legalBasis: record.legalBasis ?? '',
    }),
  example: {
    recordType: 'procurement.supplier_misconduct',
    sourceRecordId: 'HZCZ-CG-CF-2025-0031',
    decisionNumber: '杭财采监〔2025〕31号',
    decidingAuthority: '杭州市西湖区财政局',
    decisionDate: '2025-05-14',
    subject: { kind: 'legal_entity', idNumber: '91330110MA2CF7QX4G', name: '杭州博睿智能科技有限公司' },
    misconduct: 'false_materials',
    facts: '在“西湖区中小学智慧教室设备采购项目”投标中提供虚假的类似项目业绩合同及检测报告，谋取中标',
    fineAmount: '18600.00',
    banFrom: '2025-05-14',
    banUntil: '2026-05-13',
    project: { number: 'XHCG2024-0356', name: '西湖区中小学智慧教室设备采购项目' },
    purchaser: { name: '杭州市西湖区教育局', uscc: '11330106002495163X' },
    legalBasis: '《中华人民共和国政府采购法》第七十七条第一款第一项',
  },
};
