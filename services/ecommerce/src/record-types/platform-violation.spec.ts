import { create } from '@bufbuild/protobuf';
import {
  DecidingAuthorityKind,
  PlatformAction,
  PlatformViolationType,
  SourceRefSchema,
  SubjectIdentitySchema,
  SubjectKind,
} from '@cie/contracts';
import { validateRecord } from '@cie/sector-kit';
import { ecommerceSector } from './index.js';
import { platformViolation, type PlatformViolationDto } from './platform-violation.js';

const example = platformViolation.example;
const withFields = (fields: Record<string, unknown>) => ({ ...example, ...fields });
const without = (...keys: string[]) =>
  Object.fromEntries(Object.entries(example).filter(([k]) => !keys.includes(k)));
const problemsOf = (body: unknown) => {
  const check = validateRecord(ecommerceSector, body);
  return check.ok ? [] : check.problems;
};
const fieldsRefused = (body: unknown) => problemsOf(body).map((p) => p.field);
const shop = example.shop as Record<string, unknown>;

describe('ecommerce.platform_violation', () => {
  it('accepts its example', () => {
    expect(validateRecord(ecommerceSector, example)).toMatchObject({
      ok: true,
      definition: platformViolation,
    });
  });

  it('accepts a platform decision without a fine against an individual seller', () => {
    const body = {
      ...without('fineAmount', 'legalBasis'),
      decisionNumber: 'TB-GZ-2025-0912-0042',
      decidingAuthority: '淘宝网',
      authorityKind: 'platform',
      platform: { id: 'taobao', name: '淘宝网' },
      shop: { id: '305118822', name: '丽丽小铺' },
      subject: { kind: 'natural_person', idNumber: '110105198506150022', name: '张丽' },
      violation: 'counterfeit_goods',
      actionsTaken: ['listing_removal', 'shop_suspension'],
    };
    expect(validateRecord(ecommerceSector, body).ok).toBe(true);
  });

  it('refuses unknown violations and authority kinds', () => {
    expect(fieldsRefused(withFields({ violation: 'price_gouging' }))).toEqual(['violation']);
    expect(fieldsRefused(withFields({ authorityKind: 'court' }))).toEqual(['authorityKind']);
  });

  it.each([
    ['no action', []],
    ['an unknown action', ['fine', 'account_ban']],
    ['a repeated action', ['fine', 'fine']],
    ['a single string', 'fine'],
  ])('refuses actionsTaken with %s', (_case, actionsTaken) => {
    expect(fieldsRefused(withFields({ actionsTaken }))).toEqual(['actionsTaken']);
  });

  it('refuses a fine action without an amount, and an amount without a fine action, naming fineAmount', () => {
    expect(problemsOf(without('fineAmount'))).toEqual([
      { field: 'fineAmount', detail: 'fineAmount is required when actionsTaken includes fine' },
    ]);
    expect(problemsOf(withFields({ actionsTaken: ['warning'] }))).toEqual([
      { field: 'fineAmount', detail: 'fineAmount is given but actionsTaken does not include fine' },
    ]);
  });

  it('refuses a zero or non-string fine', () => {
    expect(fieldsRefused(withFields({ fineAmount: '0' }))).toEqual(['fineAmount']);
    expect(fieldsRefused(withFields({ fineAmount: 200000 }))).toEqual(['fineAmount']);
  });

  it('refuses a bad platform or shop, naming the nested field', () => {
    expect(fieldsRefused(without('platform'))).toEqual(['platform']);
    expect(fieldsRefused(withFields({ platform: { id: 'Tmall Global!', name: '天猫国际' } }))).toEqual([
      'platform.id',
    ]);
    expect(fieldsRefused(withFields({ shop: { ...shop, url: 'javascript:alert(1)' } }))).toEqual([
      'shop.url',
    ]);
    expect(fieldsRefused(withFields({ shop: { ...shop, url: 'youpinhuijiaju.tmall.com' } }))).toEqual([
      'shop.url',
    ]);
    expect(fieldsRefused(withFields({ shop: { ...shop, name: '店'.repeat(201) } }))).toEqual(['shop.name']);
    expect(fieldsRefused(withFields({ shop: { ...shop, rating: 4.8 } }))).toEqual(['shop.rating']);
  });

  it('maps the record into PlatformViolationEvent', () => {
    const check = validateRecord(ecommerceSector, example);
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const source = create(SourceRefSchema, {
      sector: 'ecommerce',
      agencyId: 'amr-hz-binjiang',
      sourceRecordId: 'HZBJ-SJ-2025-0087',
      decisionNumber: '杭滨市监罚处〔2025〕87号',
      decidingAuthority: '杭州市滨江区市场监督管理局',
      decisionDate: '2025-07-03',
    });
    const subject = create(SubjectIdentitySchema, {
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91330108MA28N5RK7N',
      name: '杭州优品汇电子商务有限公司',
    });
    const event = platformViolation.toEvent(check.record as PlatformViolationDto, { source, subject });

    expect(event.source).toBe(source);
    expect(event.subject).toBe(subject);
    expect(event).toMatchObject({
      violation: PlatformViolationType.FAKE_REVIEWS,
      authorityKind: DecidingAuthorityKind.MARKET_REGULATOR,
      platform: { id: 'tmall', name: '天猫' },
      shop: { id: '68420193', name: '优品汇家居旗舰店', url: 'https://youpinhuijiaju.tmall.com' },
      actionsTaken: [PlatformAction.FINE, PlatformAction.LISTING_REMOVAL],
      fineAmount: '200000.00',
      legalBasis: '《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款',
    });
    expect(event.facts).toContain('刷单');
  });

  it('maps omitted optional fields to empty strings', () => {
    const check = validateRecord(ecommerceSector, {
      ...without('fineAmount', 'legalBasis'),
      actionsTaken: ['warning'],
      shop: { id: '68420193', name: '优品汇家居旗舰店' },
    });
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const event = platformViolation.toEvent(check.record as PlatformViolationDto, {
      source: create(SourceRefSchema, { sector: 'ecommerce' }),
      subject: create(SubjectIdentitySchema, { kind: SubjectKind.LEGAL_ENTITY }),
    });
    expect(event).toMatchObject({
      fineAmount: '',
      legalBasis: '',
      shop: { url: '' },
      actionsTaken: [PlatformAction.WARNING],
    });
  });
});
