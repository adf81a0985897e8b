import { create } from '@bufbuild/protobuf';
import { SourceRefSchema, SubjectIdentitySchema, SubjectKind, SupplierMisconductType } from '@cie/contracts';
import { validateRecord } from '@cie/sector-kit';
import { procurementSector } from './index.js';
import { supplierMisconduct, type SupplierMisconductDto } from './supplier-misconduct.js';

const example = supplierMisconduct.example;
const withFields = (fields: Record<string, unknown>) => ({ ...example, ...fields });
const without = (...keys: string[]) =>
  Object.fromEntries(Object.entries(example).filter(([k]) => !keys.includes(k)));
const problemsOf = (body: unknown) => {
  const check = validateRecord(procurementSector, body);
  return check.ok ? [] : check.problems;
};
const fieldsRefused = (body: unknown) => problemsOf(body).map((p) => p.field);
const accepted = (body: unknown) => validateRecord(procurementSector, body).ok;

describe('procurement.supplier_misconduct', () => {
  it('accepts its example', () => {
    expect(validateRecord(procurementSector, example)).toMatchObject({
      ok: true,
      definition: supplierMisconduct,
    });
  });

  it('accepts a fine alone, a ban alone, and a purchaser without a USCC', () => {
    expect(accepted(without('banFrom', 'banUntil'))).toBe(true);
    expect(accepted(without('fineAmount'))).toBe(true);
    expect(accepted(withFields({ purchaser: { name: '杭州市西湖区教育局' } }))).toBe(true);
  });

  it('refuses a record with neither a fine nor a ban, naming fineAmount', () => {
    expect(problemsOf(without('fineAmount', 'banFrom', 'banUntil'))).toEqual([
      { field: 'fineAmount', detail: expect.stringContaining('fineAmount is required when there is no ban') },
    ]);
  });

  it('refuses a zero or malformed fine', () => {
    expect(fieldsRefused(withFields({ fineAmount: '0.00' }))).toEqual(['fineAmount']);
    expect(fieldsRefused(withFields({ fineAmount: 18600 }))).toEqual(['fineAmount']);
  });

  it('refuses half a ban, naming the missing end', () => {
    expect(fieldsRefused(without('banUntil'))).toEqual(['banUntil']);
    expect(fieldsRefused(without('banFrom'))).toEqual(['banFrom']);
  });

  it.each([
    ['exactly one year (last day the day before the anniversary)', '2025-05-14', '2026-05-13'],
    ['the anniversary one year on', '2025-05-14', '2026-05-14'],
    ['two years', '2025-05-14', '2027-05-13'],
    ['exactly three years', '2025-05-14', '2028-05-13'],
    ['three years to the same date', '2025-05-14', '2028-05-14'],
    ['a leap day start', '2024-02-29', '2025-02-28'],
  ])('accepts a ban of %s', (_case, banFrom, banUntil) => {
    expect(accepted(withFields({ banFrom, banUntil }))).toBe(true);
  });

  it.each([
    ['shorter than a year', '2025-05-14', '2026-05-12'],
    ['longer than three years', '2025-05-14', '2028-05-15'],
    ['ending before it starts', '2025-05-14', '2025-01-01'],
  ])('refuses a ban %s, naming banUntil', (_case, banFrom, banUntil) => {
    expect(problemsOf(withFields({ banFrom, banUntil }))).toEqual([
      { field: 'banUntil', detail: expect.stringContaining('banUntil') },
    ]);
  });

  it('refuses ban dates that are not real dates', () => {
    expect(fieldsRefused(withFields({ banFrom: '2025-02-30' }))).toEqual(['banFrom']);
    expect(fieldsRefused(withFields({ banUntil: '13/05/2026' }))).toEqual(['banUntil']);
  });

  it('refuses an unknown misconduct and missing facts', () => {
    expect(fieldsRefused(withFields({ misconduct: 'late_delivery' }))).toEqual(['misconduct']);
    expect(fieldsRefused(without('facts'))).toEqual(['facts']);
  });

  it('refuses a missing or incomplete project', () => {
    expect(fieldsRefused(without('project'))).toEqual(['project']);
    expect(fieldsRefused(withFields({ project: { number: 'XHCG2024-0356' } }))).toEqual(['project.name']);
    expect(fieldsRefused(withFields({ project: { number: '', name: '采购项目' } }))).toEqual([
      'project.number',
    ]);
  });

  it('refuses a purchaser USCC that fails GB 32100 and unknown purchaser fields', () => {
    const purchaser = example.purchaser as Record<string, unknown>;
    expect(problemsOf(withFields({ purchaser: { ...purchaser, uscc: '113301060024951631' } }))).toEqual([
      { field: 'purchaser.uscc', detail: expect.stringContaining('expected X') },
    ]);
    expect(fieldsRefused(withFields({ purchaser: { ...purchaser, phone: '0571-00000000' } }))).toEqual([
      'purchaser.phone',
    ]);
  });

  it('maps the record into SupplierMisconductEvent, normalising the purchaser USCC', () => {
    const purchaser = { name: '杭州市西湖区教育局', uscc: ' 11330106-0024951 63x ' };
    const check = validateRecord(procurementSector, withFields({ purchaser }));
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const source = create(SourceRefSchema, {
      sector: 'procurement',
      agencyId: 'finance-hz-xihu',
      sourceRecordId: 'HZCZ-CG-CF-2025-0031',
      decisionNumber: '杭财采监〔2025〕31号',
      decidingAuthority: '杭州市西湖区财政局',
      decisionDate: '2025-05-14',
    });
    const subject = create(SubjectIdentitySchema, {
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91330110MA2CF7QX4G',
      name: '杭州博睿智能科技有限公司',
    });
    const event = supplierMisconduct.toEvent(check.record as SupplierMisconductDto, { source, subject });

    expect(event.source).toBe(source);
    expect(event.subject).toBe(subject);
    expect(event).toMatchObject({
      misconduct: SupplierMisconductType.FALSE_MATERIALS,
      fineAmount: '18600.00',
      banFrom: '2025-05-14',
      banUntil: '2026-05-13',
      project: { number: 'XHCG2024-0356', name: '西湖区中小学智慧教室设备采购项目' },
      purchaser: { name: '杭州市西湖区教育局', uscc: '11330106002495163X' },
      legalBasis: '《中华人民共和国政府采购法》第七十七条第一款第一项',
    });
    expect(event.facts).toContain('提供虚假');
  });

  it('maps an absent fine, ban, purchaser USCC and legal basis to empty strings', () => {
    const check = validateRecord(procurementSector, {
      ...without('fineAmount', 'legalBasis'),
      purchaser: { name: '杭州市西湖区教育局' },
    });
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const common = {
      source: create(SourceRefSchema, { sector: 'procurement' }),
      subject: create(SubjectIdentitySchema, { kind: SubjectKind.LEGAL_ENTITY }),
    };
    const event = supplierMisconduct.toEvent(check.record as SupplierMisconductDto, common);
    expect(event).toMatchObject({ fineAmount: '', legalBasis: '', purchaser: { uscc: '' } });

    const fineOnly = validateRecord(procurementSector, without('banFrom', 'banUntil'));
    if (!fineOnly.ok) throw new Error(JSON.stringify(fineOnly.problems));
    expect(supplierMisconduct.toEvent(fineOnly.record as SupplierMisconductDto, common)).toMatchObject({
      banFrom: '',
      banUntil: '',
    });
  });
});
