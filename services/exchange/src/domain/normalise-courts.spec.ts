import { create } from '@bufbuild/protobuf';
import { DishonestDebtorEventSchema, PerformanceStatus, SubjectKind } from '@cie/contracts';
import { addMonths } from './catalogue.js';
import { NormalisationError, normaliseDishonestDebtor } from './normalise-courts.js';

const ctx = {
  recordId: '01935a3e-0000-7000-8000-000000000001',
  recordedAt: new Date('2026-11-22T08:00:00Z'),
  pseudonymise: (id: string) => (id === '11010519491231002X' ? 'P-PSEUDONYM-OF-ZHANG' : 'P-OTHER'),
};

function event(overrides: { kind?: SubjectKind; idNumber?: string } = {}) {
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

describe('normalising a dishonest debtor listing', () => {
  it('Given a company listing, it becomes a public negative record keyed by the USCC, disclosed for two years', () => {
    const { record, clearIdNumber } = normaliseDishonestDebtor(event(), ctx);
    expect(record.subject).toEqual({
      kind: 'legal_entity',
      canonicalId: '91320100748204660Q',
      name: '南京某某科技有限公司',
      regionCode: '320100',
    });
    expect(record).toMatchObject({
      kind: 'courts.dishonest_debtor',
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
    expect(record.attributes).toMatchObject({
      outstandingAmount: '125000.00',
      performanceStatus: 'not_performed',
    });
    expect(clearIdNumber).toBe('91320100748204660Q');
  });

  it('Given a person, the canonical id is the pseudonym and the clear number stays outside the record', () => {
    const { record, clearIdNumber } = normaliseDishonestDebtor(
      event({ kind: SubjectKind.NATURAL_PERSON, idNumber: '11010519491231002X' }),
      ctx,
    );
    expect(record.subject.canonicalId).toBe('P-PSEUDONYM-OF-ZHANG');
    expect(record.subject.regionCode).toBe('110105');
    expect(JSON.stringify(record)).not.toContain('11010519491231002X');
    expect(clearIdNumber).toBe('11010519491231002X');
  });

  it('Given a bad identity number, it refuses with the field and the reason', () => {
    expect(() => normaliseDishonestDebtor(event({ idNumber: '91320100748204660A' }), ctx)).toThrow(
      new NormalisationError('subject.idNumber check character is A, expected Q (GB 32100)'),
    );
  });
});

describe('addMonths', () => {
  it.each([
    ['2023-06-01', 24, '2025-06-01'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2023-01-31', 1, '2023-02-28'],
  ])('%s + %i months = %s', (from, months, expected) => {
    expect(addMonths(from, months)).toBe(expected);
  });
});
