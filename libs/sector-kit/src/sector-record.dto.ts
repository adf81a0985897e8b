import { Type } from 'class-transformer';
import {
  IsIn,
  IsObject,
  IsISO8601,
  IsNotEmpty,
  IsString,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { IsSubjectIdNumber, SUBJECT_KINDS, type SubjectKindName } from '@cie/platform';

export const SOURCE_RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const SOURCE_RECORD_ID_MESSAGE =
  'sourceRecordId must be 1-64 letters, digits, dots, colons, underscores or hyphens';

/** The company or person a record is about. */
export class SubjectDto {
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

/** ISO 8601 calendar date (YYYY-MM-DD), a real date. */
export function IsCalendarDate(): PropertyDecorator {
  return (target, key) => {
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: `${String(key)} must be a calendar date YYYY-MM-DD` })(
      target,
      key,
    );
    IsISO8601({ strict: true, strictSeparator: true }, { message: `${String(key)} is not a real date` })(
      target,
      key,
    );
  };
}

/** Exact amount in CNY as a decimal string with at most 2 decimals, e.g. "125000.00" (never a JSON number). */
export function IsCnyAmount(): PropertyDecorator {
  return Matches(/^(0|[1-9]\d{0,14})(\.\d{1,2})?$/, {
    message: (args) =>
      `${args.property} must be a decimal string in CNY with at most 2 decimals, e.g. "125000.00"`,
  });
}

/** Refuses the property when the record's subject is a natural person (e.g. a legal representative). */
export function IsOnlyForOrganisations(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isOnlyForOrganisations',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (_value: unknown, args: ValidationArguments) =>
          (args.object as { subject?: { kind?: unknown } }).subject?.kind !== 'natural_person',
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} applies to organisations only; omit it when subject.kind is natural_person`,
      },
    });
  };
}

/**
 * Fields every record carries, whatever the sector (DESIGN §4 `source` and `subject`). A record
 * type's DTO extends this class and adds its own facts.
 */
export abstract class SectorRecordDto {
  /** Which record type this is, e.g. `courts.dishonest_debtor`. */
  @IsString()
  recordType!: string;

  /** The agency's own record id; unique per agency. */
  @Matches(SOURCE_RECORD_ID, { message: SOURCE_RECORD_ID_MESSAGE })
  sourceRecordId!: string;

  /** Number of the decision the record reports (a case number for courts). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  decisionNumber!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  decidingAuthority!: string;

  @IsCalendarDate()
  decisionDate!: string;

  // ValidateNested alone passes a missing subject, which then crashed the intake (found by cie submit).
  @IsObject({ message: 'subject is required: an object with kind, idNumber and name' })
  @ValidateNested()
  @Type(() => SubjectDto)
  subject!: SubjectDto;
}
