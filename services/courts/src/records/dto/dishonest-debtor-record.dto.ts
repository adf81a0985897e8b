import { Type } from 'class-transformer';
import {
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsSubjectIdNumber, SUBJECT_KINDS, type SubjectKindName } from '@cie/platform';

export const PERFORMANCE_STATUSES = ['not_performed', 'partially_performed'] as const;
export type PerformanceStatusName = (typeof PERFORMANCE_STATUSES)[number];

/**
 * Official case number: (year) + court code (province abbreviation and digits) + case type + serial + 号,
 * e.g. (2023)京0105执12345号. Full-width brackets are accepted as courts often type them.
 */
export const CASE_NUMBER = /^[(（]\d{4}[)）][\u4e00-\u9fa5]\d{0,4}[\u4e00-\u9fa5]{1,4}\d{1,6}号$/u;
const DECIMAL_CNY = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;

export class DebtorDto {
  @IsIn(SUBJECT_KINDS)
  kind!: SubjectKindName;

  /** USCC for organisations, resident identity number for persons; normalised before checking. */
  @IsSubjectIdNumber('kind')
  idNumber!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

/** A dishonest judgment debtor (失信被执行人) listing as a court submits it. */
export class DishonestDebtorRecordDto {
  /** The court's own record id; unique per agency. */
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, {
    message: 'sourceRecordId must be 1-64 letters, digits, dots, colons, underscores or hyphens',
  })
  sourceRecordId!: string;

  @Matches(CASE_NUMBER, {
    message: 'caseNumber must follow the official pattern, e.g. (2023)京0105执12345号',
  })
  caseNumber!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  court!: string;

  @ValidateNested()
  @Type(() => DebtorDto)
  debtor!: DebtorDto;

  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  obligation!: string;

  @IsIn(PERFORMANCE_STATUSES)
  performanceStatus!: PerformanceStatusName;

  /** Amount still owed, exact decimal CNY as a string, e.g. "125000.00". */
  @IsOptional()
  @Matches(DECIMAL_CNY, {
    message: 'outstandingAmount must be a decimal string in CNY with at most 2 decimals, e.g. "125000.00"',
  })
  outstandingAmount?: string;

  /** ISO 8601 calendar date of the listing decision. */
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'decisionDate must be a calendar date YYYY-MM-DD' })
  decisionDate!: string;
}
