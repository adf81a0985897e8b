import { create } from '@bufbuild/protobuf';
import {
  CreditRatingEventSchema,
  MajorViolationEventSchema,
  MajorViolationType,
  SubjectKind,
  TaxCreditLevel,
} from '@cie/contracts';
import { loadCatalogue } from '../../catalogue/catalogue.loader.js';
import { NormalisationError, normalise } from './index.js';

const ctx = {
  recordId: '01935a3e-0000-7000-8000-000000000002',
  recordedAt: new Date('2026-11-22T08:00:00Z'),
  pseudonymise: (id: string) => `P-${id.length}`,
  catalogue: loadCatalogue(),
};

function majorViolation(
  subject: { kind: SubjectKind; idNumber: string; name: string },
  legalRepresentative = '',
) {
  return create(MajorViolationEventSchema, {
    source: {
      sector: 'tax',
      agencyId: 'tax-bj-jicha1',
      sourceRecordId: 'BJSW-JC1-2025-0118',
      decisionNumber: '京税稽罚〔2025〕118号',
      decidingAuthority: '国家税务总局北京市税务局第一稽查局',
      decisionDate: '2025-06-20',
    },
    subject,
    violationType: MajorViolationType.TAX_EVASION,
    facts:
      '2021年1月1日至2023年12月31日期间，通过在账簿上少列收入、虚增成本的手段，少缴增值税、企业所得税等税款合计1863427.15元',
    taxAmountInvolved: '1863427.15',
    penaltyAmount: '931713.58',
    violationPeriodFrom: '2021-01-01',
    violationPeriodTo: '2023-12-31',
    legalRepresentative,
    legalBasis: '《中华人民共和国税收征收管理法》第六十三条第一款',
  });
}

function rating(level: TaxCreditLevel, kind = SubjectKind.LEGAL_ENTITY) {
  return create(CreditRatingEventSchema, {
    source: {
      sector: 'tax',
      agencyId: 'tax-gz-tianhe',
      sourceRecordId: 'GZTH-NSXY-2024-003152',
      decisionNumber: '穗天税信评〔2025〕8号',
      decidingAuthority: '国家税务总局广州市天河区税务局',
      decisionDate: '2025-04-25',
    },
    subject: {
      kind,
      idNumber: kind === SubjectKind.NATURAL_PERSON ? '11010519491231002X' : '91440106MA59C2K40F',
      name: '广州天河云帆信息技术有限公司',
    },
    rating: level,
    evaluationYear: '2024',
  });
}

describe('normalising a major tax violation listing', () => {
  it('Given a company listing, the facts are normalised and it is public, serious, for 3 years', () => {
    // Given a Beijing company listed for tax evasion
    const event = majorViolation(
      { kind: SubjectKind.LEGAL_ENTITY, idNumber: '91110105MA01R8QK32', name: '北京鑫达恒通商贸有限公司' },
      '刘志强',
    );
    // When
    const { record } = normalise(event, ctx);
    // Then
    expect(record).toMatchObject({
      kind: 'tax.major_violation',
      category: 'tax_violation',
      polarity: 'negative',
      severity: 'serious',
      subject: { kind: 'legal_entity', canonicalId: '91110105MA01R8QK32', regionCode: '110105' },
      source: { sector: 'tax', decisionNumber: '京税稽罚〔2025〕118号' },
      disclosure: {
        level: 'public',
        effectiveFrom: '2025-06-20',
        disclosureUntil: '2028-06-20',
        legalBasis: '《重大税收违法失信主体信息公布管理办法》（国家税务总局令第54号）',
      },
    });
    expect(record.attributes).toEqual({
      violationType: 'tax_evasion',
      facts: expect.stringContaining('少缴增值税'),
      taxAmountInvolved: '1863427.15',
      penaltyAmount: '931713.58',
      violationPeriodFrom: '2021-01-01',
      violationPeriodTo: '2023-12-31',
      legalRepresentative: '刘志强',
      provisionsApplied: '《中华人民共和国税收征收管理法》第六十三条第一款',
    });
    expect(record.disclosure.repairableFrom).toBe('2025-12-20');
  });

  it('Given a person, the listing stays public (the legal basis names persons) but only under the pseudonym', () => {
    // Given
    const event = majorViolation({
      kind: SubjectKind.NATURAL_PERSON,
      idNumber: '11010519491231002X',
      name: '张三',
    });
    // When
    const { record, clearIdNumber } = normalise(event, ctx);
    // Then
    expect(record.disclosure.level).toBe('public');
    expect(record.subject).toEqual({
      kind: 'natural_person',
      canonicalId: 'P-18',
      name: '张三',
      regionCode: '110105',
    });
    expect(JSON.stringify(record)).not.toContain('11010519491231002X');
    expect(clearIdNumber).toBe('11010519491231002X');
  });

  it('Given a violation period that ends before it starts, it is refused', () => {
    const event = majorViolation({
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91110105MA01R8QK32',
      name: '北京',
    });
    event.violationPeriodTo = '2020-12-31';
    expect(() => normalise(event, ctx)).toThrow(
      new NormalisationError('violationPeriodTo 2020-12-31 is before violationPeriodFrom 2021-01-01'),
    );
  });
});

describe('normalising a tax credit rating', () => {
  it('Given an A rating, it is a positive public record until the end of the following year', () => {
    const { record } = normalise(rating(TaxCreditLevel.A), ctx);
    expect(record).toMatchObject({
      kind: 'tax.credit_rating',
      polarity: 'positive',
      severity: 'minor',
      subject: { regionCode: '440106' },
      disclosure: { level: 'public', disclosureUntil: '2025-12-31' },
      attributes: { rating: 'a', evaluationYear: '2024' },
    });
  });

  it.each([
    [TaxCreditLevel.M, 'neutral', 'authorised'],
    [TaxCreditLevel.D, 'negative', 'authorised'],
  ])('Given rating %i, it is %s and %s', (level, polarity, disclosureLevel) => {
    const { record } = normalise(rating(level), ctx);
    expect(record.polarity).toBe(polarity);
    expect(record.disclosure.level).toBe(disclosureLevel);
  });

  it('Given a natural person, the catalogue cannot classify it', () => {
    expect(() => normalise(rating(TaxCreditLevel.A, SubjectKind.NATURAL_PERSON), ctx)).toThrow(
      new NormalisationError('tax.credit_rating is for legal_entity, other subjects, not natural_person'),
    );
  });

  it('Given an unspecified rating, it is refused naming the field', () => {
    expect(() => normalise(rating(TaxCreditLevel.UNSPECIFIED), ctx)).toThrow(
      new NormalisationError('rating is unspecified'),
    );
  });

  it('Given a courts sector on a tax event, it is refused', () => {
    const event = rating(TaxCreditLevel.B);
    event.source!.sector = 'courts';
    expect(() => normalise(event, ctx)).toThrow(
      new NormalisationError('tax.credit_rating belongs to sector tax, not courts'),
    );
  });
});
