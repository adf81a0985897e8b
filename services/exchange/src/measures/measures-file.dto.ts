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
  ValidateNested,
} from 'class-validator';
import { ConditionDto } from '../catalogue/catalogue-file.dto.js';
import {
  LIST_COLOURS,
  type ListColour,
  MEASURE_TARGETS,
  type MeasureTarget,
  SCENARIOS,
  type Scenario,
} from './domain/joint-measures.js';

/** The shapes of catalogue/lists.json and catalogue/memoranda.json, as class-validator checks them. */

const ID = /^[a-z][a-z0-9_.-]{1,80}$/;
const ID_MESSAGE = '$property must be lower-case letters, digits, ".", "_" or "-"';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const VERSION = /^\d{4}\.\d+\.\d+$/;
const MAX_MONTHS = 120;

// class-validator runs a property's rules bottom-up: type checks are listed last so that they run first.

class EntryCriteriaDto {
  @IsString({ each: true })
  @IsArray()
  kinds!: string[];

  @ValidateNested({ each: true })
  @Type(() => ConditionDto)
  @IsArray()
  when!: ConditionDto[];
}

class ValidityDto {
  @IsOptional()
  @Max(MAX_MONTHS)
  @Min(1)
  @IsInt()
  months?: number;

  @IsOptional()
  @Matches(/^[a-z][A-Za-z0-9]*$/, { message: '$property must name a date attribute, e.g. banUntil' })
  untilDate?: string;

  @IsOptional()
  @IsIn([true], { message: 'record must be true (valid while the record is disclosed)' })
  record?: true;
}

class UpgradeDto {
  @Matches(ID, { message: ID_MESSAGE })
  to!: string;

  @ValidateNested({ each: true })
  @Type(() => ConditionDto)
  @ArrayMinSize(1)
  @IsArray()
  when!: ConditionDto[];
}

export class ListTypeDto {
  @Matches(ID, { message: ID_MESSAGE })
  id!: string;

  @IsIn(SECTORS)
  sector!: Sector;

  @IsIn(LIST_COLOURS)
  colour!: ListColour;

  @IsNotEmpty()
  @IsString()
  title!: string;

  @IsNotEmpty({ message: 'legalBasis is required: a list type without one is refused' })
  @IsString()
  legalBasis!: string;

  @ValidateNested()
  @Type(() => EntryCriteriaDto)
  entry!: EntryCriteriaDto;

  @IsIn(['direct', 'upgrade'])
  listing!: 'direct' | 'upgrade';

  @ValidateNested()
  @Type(() => ValidityDto)
  validity!: ValidityDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => UpgradeDto)
  upgrade?: UpgradeDto;

  @IsOptional()
  @IsString()
  notes?: string;
}

export class ListsFile {
  @Matches(VERSION, { message: 'version must look like 2026.1.0' })
  version!: string;

  @ValidateNested({ each: true })
  @Type(() => ListTypeDto)
  @ArrayMinSize(1)
  @IsArray()
  listTypes!: ListTypeDto[];
}

class ImplementerDto {
  @IsOptional()
  @IsIn(SECTORS)
  sector?: Sector;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, {
    message: 'agencyId must be lower-case letters, digits and hyphens',
  })
  agencyId?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, {
    message: 'subscriber must be lower-case letters, digits and hyphens',
  })
  subscriber?: string;
}

class DurationDto {
  @IsOptional()
  @IsIn([true], { message: 'whileListed must be true' })
  @IsBoolean()
  whileListed?: true;

  @IsOptional()
  @Max(MAX_MONTHS)
  @Min(1)
  @IsInt()
  months?: number;
}

export class MeasureDto {
  @Matches(ID, { message: ID_MESSAGE })
  id!: string;

  @IsNotEmpty()
  @IsString()
  text!: string;

  @IsNotEmpty({ message: 'legalBasis is required: a measure without a legal basis is refused' })
  @IsString()
  legalBasis!: string;

  @ValidateNested()
  @Type(() => ImplementerDto)
  implementer!: ImplementerDto;

  @IsIn(MEASURE_TARGETS, { each: true })
  @ArrayMinSize(1)
  @IsArray()
  targets!: MeasureTarget[];

  @IsIn(['mandatory', 'discretionary'])
  mode!: 'mandatory' | 'discretionary';

  @IsIn(SCENARIOS, { each: true })
  @ArrayMinSize(1)
  @IsArray()
  scenarios!: Scenario[];

  @ValidateNested()
  @Type(() => DurationDto)
  duration!: DurationDto;

  @Max(60)
  @Min(1)
  @IsInt()
  answerWithinWorkingDays!: number;
}

export class MemorandumDto {
  @Matches(ID, { message: ID_MESSAGE })
  id!: string;

  @IsNotEmpty()
  @IsString()
  documentNumber!: string;

  @IsNotEmpty()
  @IsString()
  title!: string;

  @IsIn(['reward', 'punishment'])
  type!: 'reward' | 'punishment';

  @IsString({ each: true })
  @ArrayMinSize(1)
  @IsArray()
  triggers!: string[];

  @IsString({ each: true })
  @ArrayMinSize(1)
  @IsArray()
  signatories!: string[];

  @Matches(ISO_DATE, { message: 'validFrom must be a date YYYY-MM-DD' })
  validFrom!: string;

  @IsOptional()
  @Matches(ISO_DATE, { message: 'validUntil must be a date YYYY-MM-DD' })
  validUntil?: string;

  @IsNotEmpty({
    message: 'sourceCheck must say how the title and number were checked, or that they are demo data',
  })
  @IsString()
  sourceCheck!: string;

  @ValidateNested({ each: true })
  @Type(() => MeasureDto)
  @ArrayMinSize(1)
  @IsArray()
  measures!: MeasureDto[];
}

export class MemorandaFile {
  @Matches(VERSION, { message: 'version must look like 2026.1.0' })
  version!: string;

  @ValidateNested({ each: true })
  @Type(() => MemorandumDto)
  @ArrayMinSize(1)
  @IsArray()
  memoranda!: MemorandumDto[];
}
