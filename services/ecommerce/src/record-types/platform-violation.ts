import { create } from '@bufbuild/protobuf';
import {
  DecidingAuthorityKind,
  PlatformAction,
  PlatformViolationEventSchema,
  PlatformViolationType,
} from '@cie/contracts';
import { IsCnyAmount, type RecordTypeDefinition, SectorRecordDto } from '@cie/sector-kit';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  ArrayUnique,
  Equals,
  IsArray,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  type ValidationArguments,
} from 'class-validator';

const VIOLATIONS = {
  counterfeit_goods: PlatformViolationType.COUNTERFEIT_GOODS,
  false_advertising: PlatformViolationType.FALSE_ADVERTISING,
  fake_reviews: PlatformViolationType.FAKE_REVIEWS,
  traffic_fraud: PlatformViolationType.TRAFFIC_FRAUD,
  service_breach: PlatformViolationType.SERVICE_BREACH,
  other: PlatformViolationType.OTHER,
} as const;
type ViolationName = keyof typeof VIOLATIONS;
export const PLATFORM_VIOLATION_TYPES = Object.keys(VIOLATIONS) as ViolationName[];

const ACTIONS = {
  warning: PlatformAction.WARNING,
  listing_removal: PlatformAction.LISTING_REMOVAL,
  fine: PlatformAction.FINE,
  shop_suspension: PlatformAction.SHOP_SUSPENSION,
  shop_closure: PlatformAction.SHOP_CLOSURE,
} as const;
type ActionName = keyof typeof ACTIONS;
export const PLATFORM_ACTIONS = Object.keys(ACTIONS) as ActionName[];

const AUTHORITY_KINDS = {
  market_regulator: DecidingAuthorityKind.MARKET_REGULATOR,
  platform: DecidingAuthorityKind.PLATFORM,
} as const;
type AuthorityKindName = keyof typeof AUTHORITY_KINDS;
export const DECIDING_AUTHORITY_KINDS = Object.keys(AUTHORITY_KINDS) as AuthorityKindName[];

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const includesFine = (record: PlatformViolationDto) =>
  Array.isArray(record.actionsTaken) && record.actionsTaken.includes('fine');

/** A fine amount is given exactly when the actions taken include `fine`. */
@ValidatorConstraint({ name: 'fineMatchesActions' })
class FineMatchesActionsConstraint implements ValidatorConstraintInterface {
  validate(_fineAmount: unknown, args: ValidationArguments): boolean {
    const record = args.object as PlatformViolationDto;
    // A missing or empty actionsTaken is reported on actionsTaken itself.
    if (!Array.isArray(record.actionsTaken) || record.actionsTaken.length === 0) return true;
    return includesFine(record);
  }

  defaultMessage(): string {
    return 'fineAmount is given but actionsTaken does not include fine';
  }
}

// class-validator runs a property's rules bottom-up: type checks are listed last so that they run first.

/** The e-commerce platform the shop trades on. */
export class OnlinePlatformDto {
  /** Short stable platform id, e.g. `taobao`, `jd`, `pinduoduo`. */
  @Matches(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
    message:
      'id must be a short platform id: 1-32 lower-case letters, digits, hyphens or underscores, e.g. "tmall"',
  })
  id!: string;

  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  name!: string;
}

/** The merchant's shop on the platform. */
export class OnlineShopDto {
  /** The platform's own shop id. */
  @Matches(ID, { message: 'id must be 1-64 letters, digits, dots, colons, underscores or hyphens' })
  id!: string;

  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  name!: string;

  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true }, { message: 'url must be an http(s) URL' })
  @MaxLength(2048)
  @IsString()
  url?: string;
}

/**
 * A violation by an online merchant and the measures taken, decided by a market regulation bureau or by the
 * platform under its own rules (`decidingAuthority`, with `authorityKind` saying which).
 */
export class PlatformViolationDto extends SectorRecordDto {
  @Equals('ecommerce.platform_violation')
  override recordType!: 'ecommerce.platform_violation';

  @IsIn(PLATFORM_VIOLATION_TYPES, {
    message: `violation must be one of: ${PLATFORM_VIOLATION_TYPES.join(', ')}`,
  })
  violation!: ViolationName;

  /** Facts of the violation, in words. */
  @MaxLength(2000)
  @IsNotEmpty()
  @IsString()
  facts!: string;

  @IsIn(DECIDING_AUTHORITY_KINDS, {
    message: `authorityKind must be one of: ${DECIDING_AUTHORITY_KINDS.join(', ')}`,
  })
  authorityKind!: AuthorityKindName;

  @ValidateNested()
  @Type(() => OnlinePlatformDto)
  @IsDefined()
  platform!: OnlinePlatformDto;

  @ValidateNested()
  @Type(() => OnlineShopDto)
  @IsDefined()
  shop!: OnlineShopDto;

  /** Measures taken; at least one, no repeats. */
  @IsIn(PLATFORM_ACTIONS, {
    each: true,
    message: `actionsTaken must each be one of: ${PLATFORM_ACTIONS.join(', ')}`,
  })
  @ArrayUnique({ message: 'actionsTaken must not repeat an action' })
  @ArrayNotEmpty({ message: 'actionsTaken must name at least one action' })
  @IsArray()
  actionsTaken!: ActionName[];

  /** Fine imposed (or, by a platform, the penalty under its rules); given exactly when `actionsTaken` includes `fine`. */
  @ValidateIf((record: PlatformViolationDto) => record.fineAmount !== undefined || includesFine(record))
  @Validate(FineMatchesActionsConstraint)
  @Matches(/[1-9]/, { message: 'fineAmount must be greater than zero' })
  @IsCnyAmount()
  @IsDefined({ message: 'fineAmount is required when actionsTaken includes fine' })
  fineAmount?: string;

  /** Provisions or platform rules applied, e.g. 《中华人民共和国电子商务法》第十七条. */
  @IsOptional()
  @MaxLength(500)
  @IsString()
  legalBasis?: string;
}

export const platformViolation: RecordTypeDefinition<
  PlatformViolationDto,
  typeof PlatformViolationEventSchema
> = {
  recordType: 'ecommerce.platform_violation',
  description:
    'Violation by an online merchant (counterfeits, false advertising, fake reviews, ...) and the measures taken',
  dto: PlatformViolationDto,
  schema: PlatformViolationEventSchema,
  toEvent: (record, { source, subject }) =>
    create(PlatformViolationEventSchema, {
      source,
      subject,
      violation: VIOLATIONS[record.violation],
      facts: record.facts,
      platform: { id: record.platform.id, name: record.platform.name.trim() },
      shop: { id: record.shop.id, name: record.shop.name.trim(), url: record.shop.url ?? '' },
      actionsTaken: record.actionsTaken.map((action) => ACTIONS[action]),
      fineAmount: record.fineAmount ?? '',
      authorityKind: AUTHORITY_KINDS[record.authorityKind],
      legalBasis: record.legalBasis ?? '',
    }),
  example: {
    recordType: 'ecommerce.platform_violation',
    sourceRecordId: 'HZBJ-SJ-2025-0087',
    decisionNumber: '杭滨市监罚处〔2025〕87号',
    decidingAuthority: '杭州市滨江区市场监督管理局',
    decisionDate: '2025-07-03',
    subject: { kind: 'legal_entity', idNumber: '91330108MA28N5RK7N', name: '杭州优品汇电子商务有限公司' },
    violation: 'fake_reviews',
    facts:
      '2024年3月至2024年11月期间，通过组织虚假交易（刷单）为其天猫店铺商品制造好评3126条，欺骗、误导消费者',
    authorityKind: 'market_regulator',
    platform: { id: 'tmall', name: '天猫' },
    shop: { id: '68420193', name: '优品汇家居旗舰店', url: 'https://youpinhuijiaju.tmall.com' },
    actionsTaken: ['fine', 'listing_removal'],
    fineAmount: '200000.00',
    legalBasis: '《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款',
  },
};
