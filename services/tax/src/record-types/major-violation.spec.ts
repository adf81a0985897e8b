import { create } from '@bufbuild/protobuf';
import { MajorViolationType, SourceRefSchema, SubjectIdentitySchema, SubjectKind } from '@cie/contracts';
import { validateRecord } from '@cie/sector-kit';
import { taxSector } from './index.js';
import { majorViolation, type MajorViolationDto } from './major-violation.js';

const example = majorViolation.example;
const withFields = (fields: Record<string, unknown>) => ({ ...example, ...fields });
const problemsOf = (body: unknown) => {
  const check = validateRecord(taxSector, body);
  return check.ok ? [] : check.problems;
};
const fieldsRefused = (body: unknown) => problemsOf(body).map((p) => p.field);

describe('tax.major_violation', () => {
  it('accepts its example', () => {
    expect(validateRecord(taxSector, example)).toMatchObject({ ok: true, definition: majorViolation });
  });

  it('accepts a natural person without a legal representative or penalty', () => {
    const { legalRepresentative: _l, penaltyAmount: _p, ...rest } = example;
    const body = {
      ...rest,
      subject: { kind: 'natural_person', idNumber: '310115198001010016', name: '陈明' },
    };
    expect(validateRecord(taxSector, body).ok).toBe(true);
  });

  it.each(['(2025)京0105执12345号', '京税稽罚2025-118', '京税稽罚〔25〕118号'])(
    'refuses the decision number %s',
    (decisionNumber) => {
      expect(fieldsRefused(withFields({ decisionNumber }))).toEqual(['decisionNumber']);
    },
  );

  it('refuses an unknown violation type', () => {
    expect(fieldsRefused(withFields({ violationType: 'smuggling' }))).toEqual(['violationType']);
  });

  it('refuses amounts that are not exact CNY decimal strings', () => {
    expect(fieldsRefused(withFields({ taxAmountInvolved: 1863427.15 }))).toEqual(['taxAmountInvolved']);
    expect(fieldsRefused(withFields({ taxAmountInvolved: '-5.00' }))).toEqual(['taxAmountInvolved']);
    expect(fieldsRefused(withFields({ penaltyAmount: '931,713.58' }))).toEqual(['penaltyAmount']);
  });

  it('refuses missing facts and a missing tax amount', () => {
    const { facts: _f, taxAmountInvolved: _t, ...rest } = example;
    expect(fieldsRefused(rest)).toEqual(['facts', 'taxAmountInvolved']);
  });

  it('refuses a violation period that ends before it starts or after the decision', () => {
    expect(
      problemsOf(withFields({ violationPeriodFrom: '2024-01-01', violationPeriodTo: '2023-12-31' })),
    ).toEqual([
      { field: 'violationPeriodTo', detail: expect.stringContaining('on or after violationPeriodFrom') },
    ]);
    expect(fieldsRefused(withFields({ violationPeriodTo: '2025-07-01' }))).toEqual(['violationPeriodTo']);
  });

  it('refuses period dates that are not real calendar dates', () => {
    expect(fieldsRefused(withFields({ violationPeriodFrom: '2021-02-30' }))).toEqual(['violationPeriodFrom']);
    expect(fieldsRefused(withFields({ violationPeriodTo: '2023/12/31' }))).toEqual(['violationPeriodTo']);
  });

  it('refuses a legal representative for a natural person', () => {
    const body = withFields({
      subject: { kind: 'natural_person', idNumber: '110105198506150022', name: '张丽' },
    });
    expect(problemsOf(body)).toEqual([
      { field: 'legalRepresentative', detail: expect.stringContaining('subject.kind is natural_person') },
    ]);
  });

  it('maps the record into MajorViolationEvent, normalising the decision number brackets', () => {
    const check = validateRecord(taxSector, withFields({ decisionNumber: '京税稽罚[2025]118号' }));
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const source = create(SourceRefSchema, {
      sector: 'tax',
      agencyId: 'tax-bj-inspection-1',
      sourceRecordId: 'BJSW-JC1-2025-0118',
      decisionNumber: '京税稽罚[2025]118号',
      decidingAuthority: '国家税务总局北京市税务局第一稽查局',
      decisionDate: '2025-06-20',
    });
    const subject = create(SubjectIdentitySchema, {
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91110105MA01R8QK32',
      name: '北京鑫达恒通商贸有限公司',
    });
    const event = majorViolation.toEvent(check.record as MajorViolationDto, { source, subject });

    expect(event.source).toMatchObject({
      agencyId: 'tax-bj-inspection-1',
      decisionNumber: '京税稽罚〔2025〕118号',
    });
    expect(event.subject).toBe(subject);
    expect(event).toMatchObject({
      violationType: MajorViolationType.TAX_EVASION,
      taxAmountInvolved: '1863427.15',
      penaltyAmount: '931713.58',
      violationPeriodFrom: '2021-01-01',
      violationPeriodTo: '2023-12-31',
      legalRepresentative: '刘志强',
      legalBasis: '《中华人民共和国税收征收管理法》第六十三条第一款',
    });
    expect(event.facts).toContain('少缴增值税');
  });

  it('maps omitted optional fields to empty strings', () => {
    const { penaltyAmount: _p, legalRepresentative: _l, legalBasis: _b, ...rest } = example;
    const check = validateRecord(taxSector, rest);
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const event = majorViolation.toEvent(check.record as MajorViolationDto, {
      source: create(SourceRefSchema, { sector: 'tax' }),
      subject: create(SubjectIdentitySchema, { kind: SubjectKind.LEGAL_ENTITY }),
    });
    expect(event).toMatchObject({ penaltyAmount: '', legalRepresentative: '', legalBasis: '' });
  });
});
