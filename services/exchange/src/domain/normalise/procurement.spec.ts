import { create } from '@bufbuild/protobuf';
import { SubjectKind, SupplierMisconductEventSchema, SupplierMisconductType } from '@cie/contracts';
import { loadCatalogue } from '../../catalogue/catalogue.loader.js';
import { NormalisationError, normalise } from './index.js';

const ctx = {
  recordId: '01935a3e-0000-7000-8000-000000000003',
  recordedAt: new Date('2026-11-22T08:00:00Z'),
  pseudonymise: () => 'P-SUPPLIER',
  catalogue: loadCatalogue(),
};

function misconduct(
  penalty: { fineAmount?: string; banFrom?: string; banUntil?: string },
  subject = {
    kind: SubjectKind.LEGAL_ENTITY,
    idNumber: '91330110MA2CF7QX4G',
    name: '杭州博睿智能科技有限公司',
  },
) {
  return create(SupplierMisconductEventSchema, {
    source: {
      sector: 'procurement',
      agencyId: 'finance-hz-xihu',
      sourceRecordId: 'HZCZ-CG-CF-2025-0031',
      decisionNumber: '杭财采监〔2025〕31号',
      decidingAuthority: '杭州市西湖区财政局',
      decisionDate: '2025-05-14',
    },
    subject,
    misconduct: SupplierMisconductType.FALSE_MATERIALS,
    facts: '在“西湖区中小学智慧教室设备采购项目”投标中提供虚假的类似项目业绩合同及检测报告，谋取中标',
    ...penalty,
    project: { number: 'XHCG2024-0356', name: '西湖区中小学智慧教室设备采购项目' },
    purchaser: { name: '杭州市西湖区教育局', uscc: '11330106002495163X' },
    legalBasis: '《中华人民共和国政府采购法》第七十七条第一款第一项',
  });
}

describe('normalising supplier misconduct', () => {
  it('Given a fine and a one-year ban, the record is serious and disclosed until the ban’s last day', () => {
    // Given
    const event = misconduct({ fineAmount: '18600', banFrom: '2025-05-14', banUntil: '2026-05-13' });
    // When
    const { record } = normalise(event, ctx);
    // Then
    expect(record).toMatchObject({
      kind: 'procurement.supplier_misconduct',
      category: 'procurement_misconduct',
      polarity: 'negative',
      severity: 'serious',
      subject: { canonicalId: '91330110MA2CF7QX4G', regionCode: '330110' },
      disclosure: { level: 'public', effectiveFrom: '2025-05-14', disclosureUntil: '2026-05-13' },
    });
    expect(record.attributes).toEqual({
      misconduct: 'false_materials',
      facts: expect.stringContaining('虚假'),
      fineAmount: '18600.00',
      banFrom: '2025-05-14',
      banUntil: '2026-05-13',
      projectNumber: 'XHCG2024-0356',
      projectName: '西湖区中小学智慧教室设备采购项目',
      purchaserName: '杭州市西湖区教育局',
      purchaserUscc: '11330106002495163X',
      provisionsApplied: '《中华人民共和国政府采购法》第七十七条第一款第一项',
    });
    expect(record.disclosure.repairableFrom).toBeNull();
  });

  it('Given a fine alone, it is a general penalty disclosed for a year', () => {
    const { record } = normalise(misconduct({ fineAmount: '18600.00' }), ctx);
    expect(record.severity).toBe('general');
    expect(record.disclosure.disclosureUntil).toBe('2026-05-14');
    expect(record.disclosure.repairableFrom).toBe('2025-08-14');
    expect(record.attributes).not.toHaveProperty('banUntil');
  });

  it('Given an individual supplier, the record is authorised only and carries the pseudonym, never the number', () => {
    // Given a natural person supplier (the legal basis does not name natural persons' publication)
    const event = misconduct(
      { fineAmount: '5000.00' },
      { kind: SubjectKind.NATURAL_PERSON, idNumber: '110105198506150022', name: '王五' },
    );
    // When
    const { record, clearIdNumber } = normalise(event, ctx);
    // Then
    expect(record.disclosure.level).toBe('authorised');
    expect(record.subject.canonicalId).toBe('P-SUPPLIER');
    expect(JSON.stringify(record)).not.toContain('110105198506150022');
    expect(clearIdNumber).toBe('110105198506150022');
  });

  it.each([
    [{}, 'the penalty is a fine, a ban or both: fineAmount and banFrom are empty'],
    [{ banFrom: '2025-05-14' }, 'banFrom and banUntil go together: give both or neither'],
    [{ fineAmount: '18,600.00' }, 'fineAmount 18,600.00 is not a decimal amount in CNY'],
    [{ banFrom: '2025-05-14', banUntil: '2025-02-30' }, 'banUntil 2025-02-30 is not an ISO date'],
  ])('Given the penalty %j, it is refused: %s', (penalty, reason) => {
    expect(() => normalise(misconduct(penalty), ctx)).toThrow(new NormalisationError(reason));
  });
});
