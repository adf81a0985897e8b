import { create } from '@bufbuild/protobuf';
import { ConsumptionRestrictionEventSchema, RestrictedMeasure } from '@cie/contracts';
import {
  IsCnyAmount,
  type RecordTypeDefinition,
  SectorRecordDto,
  IsOnlyForOrganisations,
} from '@cie/sector-kit';
import {
  ArrayNotEmpty,
  ArrayUnique,
  Equals,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { CASE_NUMBER, CASE_NUMBER_MESSAGE, normaliseCaseNumber } from './dishonest-debtor.js';

/** Consumption a restriction order forbids, as agencies write it (SPC provisions on restricting high consumption, art. 3). */
const MEASURES = {
  air_travel: RestrictedMeasure.AIR_TRAVEL,
  high_speed_rail_first_class: RestrictedMeasure.HIGH_SPEED_RAIL_FIRST_CLASS,
  soft_sleeper_and_ship_cabins: RestrictedMeasure.SOFT_SLEEPER_AND_SHIP_CABINS,
  star_hotels: RestrictedMeasure.STAR_HOTELS,
  real_estate_purchase: RestrictedMeasure.REAL_ESTATE_PURCHASE,
  luxury_office_rental: RestrictedMeasure.LUXURY_OFFICE_RENTAL,
  non_essential_vehicle: RestrictedMeasure.NON_ESSENTIAL_VEHICLE,
  travel_and_holidays: RestrictedMeasure.TRAVEL_AND_HOLIDAYS,
  private_school_fees: RestrictedMeasure.PRIVATE_SCHOOL_FEES,
  high_premium_insurance: RestrictedMeasure.HIGH_PREMIUM_INSURANCE,
  luxury_purchases: RestrictedMeasure.LUXURY_PURCHASES,
  overseas_travel: RestrictedMeasure.OVERSEAS_TRAVEL,
} as const;
type MeasureName = keyof typeof MEASURES;
export const RESTRICTED_MEASURES = Object.keys(MEASURES) as MeasureName[];

/**
 * A restriction on high consumption (限制消费令) issued by the enforcing court; `decisionNumber` is the
 * enforcement case number. For an organisation, its legal representative or main person in charge is
 * restricted personally as well.
 */
export class ConsumptionRestrictionDto extends SectorRecordDto {
  @Equals('courts.consumption_restriction')
  override recordType!: 'courts.consumption_restriction';

  @Matches(CASE_NUMBER, { message: CASE_NUMBER_MESSAGE })
  override decisionNumber!: string;

  /** What the debtor may not do; at least one, no repeats. */
  // class-validator runs a property's rules bottom-up: the type check is last so that it runs first.
  @IsIn(RESTRICTED_MEASURES, {
    each: true,
    message: `restrictedMeasures must each be one of: ${RESTRICTED_MEASURES.join(', ')}`,
  })
  @ArrayUnique({ message: 'restrictedMeasures must not repeat a measure' })
  @ArrayNotEmpty({ message: 'restrictedMeasures must name at least one restricted measure' })
  @IsArray()
  restrictedMeasures!: MeasureName[];

  /** For an organisation: the legal representative or main person in charge (法定代表人/主要负责人) by name. */
  @IsOptional()
  @IsOnlyForOrganisations()
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  legalRepresentative?: string;

  /** Amount still owed; omitted when unknown or the obligation is not monetary. */
  @IsOptional()
  @IsCnyAmount()
  outstandingAmount?: string;

  /** The judgment or other instrument being enforced (执行依据). */
  @IsOptional()
  @MaxLength(100)
  @IsString()
  enforcementBasis?: string;
}

export const consumptionRestriction: RecordTypeDefinition<
  ConsumptionRestrictionDto,
  typeof ConsumptionRestrictionEventSchema
> = {
  recordType: 'courts.consumption_restriction',
  description: 'Restriction on high consumption (限制消费令) issued by the enforcing court',
  dto: ConsumptionRestrictionDto,
  schema: ConsumptionRestrictionEventSchema,
  toEvent: (record, { source, subject }) =>
    create(ConsumptionRestrictionEventSchema, {
      source: { ...source, decisionNumber: normaliseCaseNumber(record.decisionNumber) },
      subject,
      restrictedMeasures: record.restrictedMeasures.map((measure) => MEASURES[measure]),
      legalRepresentative: record.legalRepresentative?.trim() ?? '',
      outstandingAmount: record.outstandingAmount ?? '',
      enforcementBasis: record.enforcementBasis ?? '',
    }),
  example: {
    recordType: 'courts.consumption_restriction',
    sourceRecordId: 'SHPD-XF-2025-0417',
    decisionNumber: '(2025)沪0115执5678号',
    decidingAuthority: '上海市浦东新区人民法院',
    decisionDate: '2025-08-12',
    subject: { kind: 'legal_entity', idNumber: '91310115MA1K4B7N26', name: '上海浦江建材贸易有限公司' },
    restrictedMeasures: [
      'air_travel',
      'high_speed_rail_first_class',
      'star_hotels',
      'real_estate_purchase',
      'travel_and_holidays',
      'private_school_fees',
    ],
    legalRepresentative: '王建国',
    outstandingAmount: '386420.50',
    enforcementBasis: '(2024)沪0115民初20456号民事判决书',
  },
};
