import { SECTORS, type Sector } from '@cie/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type {
  DisclosureLevelName,
  PolarityName,
  SeverityName,
  SubjectKindName,
} from '../domain/canonical-record.js';

/** The catalogue file's shape, as class-validator checks it (catalogue.loader.ts adds the cross-checks). */
const POLARITIES: PolarityName[] = ['positive', 'negative', 'neutral'];
const SEVERITIES: SeverityName[] = ['minor', 'general', 'serious'];
const LEVELS: DisclosureLevelName[] = ['public', 'authorised', 'shared'];
const SUBJECT_KINDS: SubjectKindName[] = ['legal_entity', 'natural_person', 'other'];
const FACT = /^[a-z][A-Za-z0-9]*$/;
const FACT_MESSAGE =
  '$property must name a fact (an attribute such as fineAmount, or severity, polarity, subjectKind)';
const DECIMAL = /^\d+(\.\d+)?$/;
/** Catalogue periods are at most ten years. */
const MAX_MONTHS = 120;

// class-validator runs a property's rules bottom-up: type checks are listed last so that they run first.

export class ConditionDto {
  @Matches(FACT, { message: FACT_MESSAGE })
  field!: string;

  @IsOptional()
  @IsString({ each: true })
  @ArrayMinSize(1)
  @IsArray()
  in?: string[];

  @IsOptional()
  @IsString({ each: true })
  @ArrayMinSize(1)
  @IsArray()
  includesAny?: string[];

  @IsOptional()
  @Matches(DECIMAL, { message: '$property must be a decimal amount such as "1000000.00"' })
  atLeast?: string;

  @IsOptional()
  @Matches(DECIMAL, { message: '$property must be a decimal amount such as "1000000.00"' })
  below?: string;

  @IsOptional()
  @IsBoolean()
  present?: boolean;

  @IsOptional()
  @IsNotEmpty()
  @IsString()
  matches?: string;
}

export abstract class RuleDto {
  @ValidateNested({ each: true })
  @Type(() => ConditionDto)
  @IsArray()
  when!: ConditionDto[];
}

class PolarityRuleDto extends RuleDto {
  @IsIn(POLARITIES)
  then!: PolarityName;
}

class SeverityRuleDto extends RuleDto {
  @IsIn(SEVERITIES)
  then!: SeverityName;
}

class LevelRuleDto extends RuleDto {
  @IsIn(LEVELS)
  then!: DisclosureLevelName;
}

export class PeriodDto {
  @IsOptional()
  @Max(MAX_MONTHS)
  @Min(1)
  @IsInt()
  months?: number;

  @IsOptional()
  @Matches(FACT, { message: FACT_MESSAGE })
  untilDate?: string;

  @IsOptional()
  @Matches(FACT, { message: FACT_MESSAGE })
  endOfYearAfter?: string;
}

export class PeriodRuleDto extends RuleDto {
  @ValidateNested()
  @Type(() => PeriodDto)
  then!: PeriodDto;
}

class RepairRuleDto extends RuleDto {
  /** null: not repairable. */
  @ValidateIf((rule: RepairRuleDto) => rule.then !== null)
  @Max(MAX_MONTHS)
  @Min(0)
  @IsInt({ message: 'then must be a whole number of months, or null when not repairable' })
  then!: number | null;
}

export class EntryDto {
  @Matches(/^[a-z]+\.[a-z_]+$/, { message: 'kind must be <sector>.<name>, e.g. tax.major_violation' })
  kind!: string;

  @IsIn(SECTORS)
  sector!: Sector;

  @Matches(/^[a-z][a-z_]*$/, { message: 'category must be lower-case words joined by _' })
  category!: string;

  @IsNotEmpty()
  @IsString()
  title!: string;

  @IsIn(SUBJECT_KINDS, { each: true })
  @ArrayMinSize(1)
  @IsArray()
  subjectKinds!: SubjectKindName[];

  @IsOptional()
  @IsIn(POLARITIES)
  polarity?: PolarityName;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => PolarityRuleDto)
  @ArrayMinSize(1)
  @IsArray()
  polarityRules?: PolarityRuleDto[];

  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: SeverityName;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => SeverityRuleDto)
  @ArrayMinSize(1)
  @IsArray()
  severityRules?: SeverityRuleDto[];

  @IsOptional()
  @IsIn(LEVELS)
  level?: DisclosureLevelName;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => LevelRuleDto)
  @ArrayMinSize(1)
  @IsArray()
  levelRules?: LevelRuleDto[];

  @IsNotEmpty()
  @IsString()
  legalBasis!: string;

  /** Only true where the legal basis names natural persons' publication. */
  @IsBoolean()
  naturalPersonsPublic!: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => PeriodDto)
  disclosurePeriod?: PeriodDto;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => PeriodRuleDto)
  @ArrayMinSize(1)
  @IsArray()
  disclosurePeriodRules?: PeriodRuleDto[];

  /** null: not repairable. */
  @ValidateIf(
    (entry: EntryDto) => entry.repairableAfterMonths !== null && entry.repairableAfterMonths !== undefined,
  )
  @Max(MAX_MONTHS)
  @Min(0)
  @IsInt({ message: 'repairableAfterMonths must be a whole number of months, or null when not repairable' })
  repairableAfterMonths?: number | null;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => RepairRuleDto)
  @ArrayMinSize(1)
  @IsArray()
  repairableAfterMonthsRules?: RepairRuleDto[];

  @IsOptional()
  @IsString()
  notes?: string;
}

export class CatalogueFile {
  @Matches(/^\d{4}\.\d+$/, { message: 'edition must be <year>.<n>, e.g. 2026.1' })
  edition!: string;

  @IsNotEmpty()
  @IsString()
  version!: string;

  @ValidateNested({ each: true })
  @Type(() => EntryDto)
  @ArrayMinSize(1)
  @IsArray()
  entries!: EntryDto[];
}

export interface Problem {
  field: string;
  detail: string;
}
