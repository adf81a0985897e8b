import { create } from '@bufbuild/protobuf';
import { CreditRatingEventSchema, TaxCreditLevel } from '@cie/contracts';
import { type RecordTypeDefinition, SectorRecordDto, SubjectDto } from '@cie/sector-kit';
import { Type } from 'class-transformer';
import {
  Equals,
  IsIn,
  Matches,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

const LEVELS = {
  A: TaxCreditLevel.A,
  B: TaxCreditLevel.B,
  M: TaxCreditLevel.M,
  C: TaxCreditLevel.C,
  D: TaxCreditLevel.D,
} as const;
type LevelName = keyof typeof LEVELS;
export const TAX_CREDIT_LEVELS = Object.keys(LEVELS) as LevelName[];

/** Annual tax credit evaluation started with the 2014 tax year (国家税务总局公告2014年第40号). */
export const FIRST_EVALUATION_YEAR = 2014;

@ValidatorConstraint({ name: 'evaluationYearRange' })
class EvaluationYearRangeConstraint implements ValidatorConstraintInterface {
  validate(year: unknown): boolean {
    return (
      typeof year === 'string' &&
      Number(year) >= FIRST_EVALUATION_YEAR &&
      Number(year) <= new Date().getFullYear()
    );
  }

  defaultMessage(): string {
    return `evaluationYear must be between ${FIRST_EVALUATION_YEAR} and ${new Date().getFullYear()}`;
  }
}

/** Tax credit ratings are given to enterprises and other organisations (including individual businesses), never to natural persons. */
export class RatedOrganisationDto extends SubjectDto {
  @IsIn(['legal_entity', 'other'], {
    message:
      'subject.kind must be legal_entity or other: tax credit ratings are given to organisations, not to a natural_person',
  })
  override kind!: 'legal_entity' | 'other';
}

/** An annual tax credit rating (纳税信用等级) determined by the subject's tax authority (`decidingAuthority`). */
export class CreditRatingDto extends SectorRecordDto {
  @Equals('tax.credit_rating')
  override recordType!: 'tax.credit_rating';

  @ValidateNested()
  @Type(() => RatedOrganisationDto)
  override subject!: RatedOrganisationDto;

  @IsIn(TAX_CREDIT_LEVELS, { message: `rating must be one of: ${TAX_CREDIT_LEVELS.join(', ')}` })
  rating!: LevelName;

  /** The tax year evaluated, as a four-digit string, e.g. "2024" (evaluated and published in 2025). */
  @Validate(EvaluationYearRangeConstraint)
  @Matches(/^\d{4}$/, { message: 'evaluationYear must be a four-digit year as a string, e.g. "2024"' })
  evaluationYear!: string;
}

export const creditRating: RecordTypeDefinition<CreditRatingDto, typeof CreditRatingEventSchema> = {
  recordType: 'tax.credit_rating',
  description: 'Annual tax credit rating A/B/M/C/D (纳税信用等级) of an organisation by its tax authority',
  dto: CreditRatingDto,
  schema: CreditRatingEventSchema,
  toEvent: (record, { source, subject }) =>
    create(CreditRatingEventSchema, {
      source,
      subject,
      rating: LEVELS[record.rating],
      evaluationYear: record.evaluationYear,
    }),
  example: {
    recordType: 'tax.credit_rating',
    sourceRecordId: 'GZTH-NSXY-2024-003152',
    decisionNumber: '穗天税信评〔2025〕8号',
    decidingAuthority: '国家税务总局广州市天河区税务局',
    decisionDate: '2025-04-25',
    subject: { kind: 'legal_entity', idNumber: '91440106MA59C2K40F', name: '广州天河云帆信息技术有限公司' },
    rating: 'A',
    evaluationYear: '2024',
  },
};
