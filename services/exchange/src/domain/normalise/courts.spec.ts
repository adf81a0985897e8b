import { create } from '@bufbuild/protobuf';
import {
  ConsumptionRestrictionEventSchema,
  DishonestDebtorEventSchema,
  PerformanceStatus,
  RestrictedMeasure,
  SubjectKind,
} from '@cie/contracts';
import { loadCatalogue } from '../../catalogue/catalogue.loader.js';
import { NormalisationError, normalise } from './index.js';

const ctx = {
  recordId: '01935a3e-0000-7000-8000-000000000001',
  recordedAt: new Date('2026-11-22T08:00:00Z'),
  pseudonymise: (id: string) => (id === '11010519491231002X' ? 'P-PSEUDONYM-OF-ZHANG' : 'P-OTHER'),
  catalogue: loadCatalogue(),
};

function debtor(overrides: { kind?: SubjectKind; idNumber?: string } = {}) {
  return create(DishonestDebtorEventSchema, {
    source: {
      sector: 'courts',
      agencyId: 'court-bj-chaoyang',
      sourceRecordId: 'R1',
      decisionNumber: '(2023)京0105执12345号',
      decidingAuthority: '北京市朝阳区人民法院',
      decisionDate: '2024-02-29',
    },
    subject: {
      kind: overrides.kind ?? SubjectKind.LEGAL_ENTITY,
      idNumber: overrides.idNumber ?? '91320100748204660Q',
      name: '南京某某科技有限公司',
    },
    obligation: '支付货款',
    performanceStatus: PerformanceStatus.NOT_PERFORMED,
    outstandingAmount: '125000.00',
  });
}

function restriction(overrides: { kind?: SubjectKind; idNumber?: string; name?: string } = {}) {
  return create(ConsumptionRestrictionEventSchema, {
    source: {
      sector: 'courts',
      agencyId: 'court-sh-pudong',
      sourceRecordId: 'SHPD-XF-2025-0417',
      decisionNumber: '(2025)沪0115执5678号',
      decidingAuthority: '上海市浦东新区人民法院',
      decisionDate: '2025-08-12',
    },
    subject: {
      kind: overrides.kind ?? SubjectKind.LEGAL_ENTITY,
      idNumber: overrides.idNumber ?? '91310115MA1K4B7N26',
      name: overrides.name ?? '上海浦江建材贸易有限公司',
    },
    restrictedMeasures: [RestrictedMeasure.AIR_TRAVEL, RestrictedMeasure.HIGH_SPEED_RAIL_FIRST_CLASS],
    legalRepresentative: overrides.kind === SubjectKind.NATURAL_PERSON ? '' : '王建国',
    outstandingAmount: '386420.5',
    enforcementBasis: '(2024)沪0115民初20456号民事判决书',
  });
}

describe('normalising a dishonest debtor listing', () => {
  it('Given a company listing, it becomes a public negative record keyed by the USCC, disclosed for two years', () => {
    // Given a listing of a Nanjing company / When it is normalised
    const { record, clearIdNumber } = normalise(debtor(), ctx);
    // Then
    expect(record.subject).toEqual({
      kind: 'legal_entity',
      canonicalId: '91320100748204660Q',
      name: '南京某某科技有限公司',
      regionCode: '320100',
    });
    expect(record).toMatchObject({
      kind: 'courts.dishonest_debtor',
      category: 'judicial_enforcement',
      polarity: 'negative',
      severity: 'serious',
      status: 'active',
      version: 1,
      catalogueEdition: '2026.1',
    });
    expect(record.disclosure).toMatchObject({
      level: 'public',
      effectiveFrom: '2024-02-29',
      disclosureUntil: '2026-02-28',
    });
    expect(record.attributes).toEqual({
      caseNumber: '(2023)京0105执12345号',
      court: '北京市朝阳区人民法院',
      obligation: '支付货款',
      outstandingAmount: '125000.00',
      performanceStatus: 'not_performed',
    });
    expect(clearIdNumber).toBe('91320100748204660Q');
    expect(record.disclosure.repairableFrom).toBeNull();
  });

  it('Given a person, the canonical id is the pseudonym and the clear number stays outside the record', () => {
    // Given a listing of a Beijing resident / When it is normalised
    const { record, clearIdNumber } = normalise(
      debtor({ kind: SubjectKind.NATURAL_PERSON, idNumber: '11010519491231002X' }),
      ctx,
    );
    // Then the legal basis names natural persons, so the listing stays public, under the pseudonym
    expect(record.subject.canonicalId).toBe('P-PSEUDONYM-OF-ZHANG');
    expect(record.subject.regionCode).toBe('110105');
    expect(record.disclosure.level).toBe('public');
    expect(JSON.stringify(record)).not.toContain('11010519491231002X');
    expect(clearIdNumber).toBe('11010519491231002X');
  });

  it('Given a bad identity number, it refuses with the field and the reason', () => {
    expect(() => normalise(debtor({ idNumber: '91320100748204660A' }), ctx)).toThrow(
      new NormalisationError('subject.idNumber check character is A, expected Q (GB 32100)'),
    );
  });

  it('Given a NUL or another control character in a text field, it refuses naming the field (PostgreSQL could not store it)', () => {
    const nul = debtor();
    nul.subject!.name = '北京某某\u0000公司';
    expect(() => normalise(nul, ctx)).toThrow(
      new NormalisationError(
        'subject.name contains a control character (U+0000-U+001F other than tab and newline)',
      ),
    );
    const tabbed = debtor();
    tabbed.obligation = '支付货款\t及利息\n';
    expect(normalise(tabbed, ctx).record.attributes['obligation']).toBe('支付货款\t及利息');
  });

  it('Given an unspecified performance status, it refuses naming the field', () => {
    const event = debtor();
    event.performanceStatus = PerformanceStatus.UNSPECIFIED;
    expect(() => normalise(event, ctx)).toThrow(new NormalisationError('performanceStatus is unspecified'));
  });
});

describe('normalising a consumption restriction', () => {
  it('Given a company order, the measures become a list of lower-case names and the amount has two decimals', () => {
    // Given / When
    const { record } = normalise(restriction(), ctx);
    // Then
    expect(record).toMatchObject({
      kind: 'courts.consumption_restriction',
      polarity: 'negative',
      severity: 'general',
      disclosure: { level: 'public', effectiveFrom: '2025-08-12', disclosureUntil: '2027-08-12' },
    });
    expect(record.subject.regionCode).toBe('310115');
    expect(record.attributes).toEqual({
      caseNumber: '(2025)沪0115执5678号',
      court: '上海市浦东新区人民法院',
      restrictedMeasures: 'air_travel,high_speed_rail_first_class',
      legalRepresentative: '王建国',
      outstandingAmount: '386420.50',
      enforcementBasis: '(2024)沪0115民初20456号民事判决书',
    });
  });

  it('Given a person, the record is only authorised (the legal basis does not name persons) and pseudonymous', () => {
    // Given an order against a Shanghai resident / When it is normalised
    const { record, clearIdNumber } = normalise(
      restriction({ kind: SubjectKind.NATURAL_PERSON, idNumber: '310115198001010016', name: '李四' }),
      ctx,
    );
    // Then
    expect(record.disclosure.level).toBe('authorised');
    expect(record.subject.canonicalId).toBe('P-OTHER');
    expect(JSON.stringify(record)).not.toContain('310115198001010016');
    expect(clearIdNumber).toBe('310115198001010016');
  });

  it('Given no restricted measure, it refuses', () => {
    const event = restriction();
    event.restrictedMeasures = [];
    expect(() => normalise(event, ctx)).toThrow(new NormalisationError('restrictedMeasures is empty'));
  });
});
