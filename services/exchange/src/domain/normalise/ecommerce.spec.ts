import { create } from '@bufbuild/protobuf';
import {
  DecidingAuthorityKind,
  PlatformAction,
  PlatformViolationEventSchema,
  PlatformViolationType,
  SubjectKind,
} from '@cie/contracts';
import { loadCatalogue } from '../../catalogue/catalogue.loader.js';
import { NormalisationError, normalise } from './index.js';

const ctx = {
  recordId: '01935a3e-0000-7000-8000-000000000004',
  recordedAt: new Date('2026-11-22T08:00:00Z'),
  pseudonymise: () => 'P-MERCHANT',
  catalogue: loadCatalogue(),
};

function violation(
  over: Partial<{
    violation: PlatformViolationType;
    facts: string;
    actionsTaken: PlatformAction[];
    fineAmount: string;
    authorityKind: DecidingAuthorityKind;
  }> = {},
  subject = {
    kind: SubjectKind.LEGAL_ENTITY,
    idNumber: '91330108MA28N5RK7N',
    name: '杭州优品汇电子商务有限公司',
  },
) {
  return create(PlatformViolationEventSchema, {
    source: {
      sector: 'ecommerce',
      agencyId: 'amr-hz-binjiang',
      sourceRecordId: 'HZBJ-SJ-2025-0087',
      decisionNumber: '杭滨市监罚处〔2025〕87号',
      decidingAuthority: '杭州市滨江区市场监督管理局',
      decisionDate: '2025-07-03',
    },
    subject,
    violation: PlatformViolationType.FAKE_REVIEWS,
    facts:
      '2024年3月至2024年11月期间，通过组织虚假交易（刷单）为其天猫店铺商品制造好评3126条，欺骗、误导消费者',
    authorityKind: DecidingAuthorityKind.MARKET_REGULATOR,
    platform: { id: 'tmall', name: '天猫' },
    shop: { id: '68420193', name: '优品汇家居旗舰店', url: 'https://youpinhuijiaju.tmall.com' },
    actionsTaken: [PlatformAction.FINE, PlatformAction.LISTING_REMOVAL],
    fineAmount: '200000.00',
    legalBasis: '《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款',
    ...over,
  });
}

describe('normalising a platform violation', () => {
  it('Given a regulator’s fine for fake reviews, it is a public general penalty for a year', () => {
    // Given / When
    const { record } = normalise(violation(), ctx);
    // Then
    expect(record).toMatchObject({
      kind: 'ecommerce.platform_violation',
      category: 'market_regulation',
      polarity: 'negative',
      severity: 'general',
      subject: { canonicalId: '91330108MA28N5RK7N', regionCode: '330108' },
      disclosure: { level: 'public', effectiveFrom: '2025-07-03', disclosureUntil: '2026-07-03' },
    });
    expect(record.attributes).toEqual({
      violation: 'fake_reviews',
      facts: expect.stringContaining('刷单'),
      authorityKind: 'market_regulator',
      platformId: 'tmall',
      platformName: '天猫',
      shopId: '68420193',
      shopName: '优品汇家居旗舰店',
      shopUrl: 'https://youpinhuijiaju.tmall.com',
      actionsTaken: 'fine,listing_removal',
      fineAmount: '200000.00',
      provisionsApplied: '《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款',
    });
    expect(record.disclosure.repairableFrom).toBe('2025-10-03');
  });

  it('Given a shop closed for counterfeits, it is serious: disclosed for 3 years, repairable after 1', () => {
    const event = violation({
      violation: PlatformViolationType.COUNTERFEIT_GOODS,
      actionsTaken: [PlatformAction.SHOP_CLOSURE],
      fineAmount: '',
      authorityKind: DecidingAuthorityKind.PLATFORM,
    });
    const { record } = normalise(event, ctx);
    expect(record.severity).toBe('serious');
    expect(record.disclosure).toMatchObject({ level: 'authorised', disclosureUntil: '2028-07-03' });
    expect(record.disclosure.repairableFrom).toBe('2026-07-03');
  });

  it('Given a general penalty about food, repair waits at least a year', () => {
    const event = violation({ facts: '在网店销售标签标注虚假生产日期的预包装食品' });
    expect(normalise(event, ctx).record.disclosure.repairableFrom).toBe('2026-07-03');
  });

  it('Given an individual merchant, the record is authorised and pseudonymous, never the clear number', () => {
    // Given
    const event = violation(
      {},
      { kind: SubjectKind.NATURAL_PERSON, idNumber: '310115198001010016', name: '李四' },
    );
    // When
    const { record, clearIdNumber } = normalise(event, ctx);
    // Then
    expect(record.disclosure.level).toBe('authorised');
    expect(record.subject).toMatchObject({ canonicalId: 'P-MERCHANT', regionCode: '310115' });
    expect(JSON.stringify(record)).not.toContain('310115198001010016');
    expect(clearIdNumber).toBe('310115198001010016');
  });

  it('Given a fine amount without the fine action, it is refused', () => {
    const event = violation({ actionsTaken: [PlatformAction.WARNING] });
    expect(() => normalise(event, ctx)).toThrow(
      new NormalisationError('fineAmount is given exactly when actionsTaken includes fine'),
    );
  });

  it('Given a repeated action, it is refused', () => {
    const event = violation({ actionsTaken: [PlatformAction.FINE, PlatformAction.FINE] });
    expect(() => normalise(event, ctx)).toThrow(new NormalisationError('actionsTaken repeats a value'));
  });
});
