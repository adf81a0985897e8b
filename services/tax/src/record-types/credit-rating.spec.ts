import { create } from '@bufbuild/protobuf';
import { SourceRefSchema, SubjectIdentitySchema, SubjectKind, TaxCreditLevel } from '@cie/contracts';
import { validateRecord } from '@cie/sector-kit';
import { creditRating, type CreditRatingDto } from './credit-rating.js';
import { taxSector } from './index.js';

const example = creditRating.example;
const withFields = (fields: Record<string, unknown>) => ({ ...example, ...fields });
const problemsOf = (body: unknown) => {
  const check = validateRecord(taxSector, body);
  return check.ok ? [] : check.problems;
};
const fieldsRefused = (body: unknown) => problemsOf(body).map((p) => p.field);

describe('tax.credit_rating', () => {
  it('accepts its example', () => {
    expect(validateRecord(taxSector, example)).toMatchObject({ ok: true, definition: creditRating });
  });

  it('accepts every level and an individual business (kind other)', () => {
    for (const rating of ['A', 'B', 'M', 'C', 'D']) {
      expect(validateRecord(taxSector, withFields({ rating })).ok).toBe(true);
    }
    const individualBusiness = {
      kind: 'other',
      idNumber: '91320100748204660Q',
      name: '南京市玄武区老王面馆',
    };
    expect(validateRecord(taxSector, withFields({ subject: individualBusiness })).ok).toBe(true);
  });

  it('refuses a natural person, naming subject.kind', () => {
    const body = withFields({
      subject: { kind: 'natural_person', idNumber: '110105198506150022', name: '张丽' },
    });
    expect(problemsOf(body)).toEqual([
      {
        field: 'subject.kind',
        detail: expect.stringContaining('subject.kind must be legal_entity or other'),
      },
    ]);
  });

  it('still checks the subject identity number and unknown subject fields', () => {
    expect(
      fieldsRefused(
        withFields({ subject: { ...(example.subject as object), idNumber: '91440106MA59C2K40A' } }),
      ),
    ).toEqual(['subject.idNumber']);
    expect(
      fieldsRefused(withFields({ subject: { ...(example.subject as object), region: '440106' } })),
    ).toEqual(['subject.region']);
  });

  it.each(['AA', 'a', 'E', 3])('refuses the rating %s', (rating) => {
    expect(fieldsRefused(withFields({ rating }))).toEqual(['rating']);
  });

  it.each([
    ['a number', 2024],
    ['two digits', '24'],
    ['before 2014', '2013'],
    ['a future year', String(new Date().getFullYear() + 1)],
    ['a range', '2023-2024'],
  ])('refuses an evaluation year that is %s', (_case, evaluationYear) => {
    expect(fieldsRefused(withFields({ evaluationYear }))).toEqual(['evaluationYear']);
  });

  it('accepts the first evaluation year 2014', () => {
    expect(validateRecord(taxSector, withFields({ evaluationYear: '2014' })).ok).toBe(true);
  });

  it('maps the record into CreditRatingEvent', () => {
    const check = validateRecord(taxSector, withFields({ rating: 'M' }));
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const source = create(SourceRefSchema, {
      sector: 'tax',
      agencyId: 'tax-gz-tianhe',
      sourceRecordId: 'GZTH-NSXY-2024-003152',
      decisionNumber: '穗天税信评〔2025〕8号',
      decidingAuthority: '国家税务总局广州市天河区税务局',
      decisionDate: '2025-04-25',
    });
    const subject = create(SubjectIdentitySchema, {
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91440106MA59C2K40F',
      name: '广州天河云帆信息技术有限公司',
    });
    const event = creditRating.toEvent(check.record as CreditRatingDto, { source, subject });
    expect(event.source).toBe(source);
    expect(event.subject).toBe(subject);
    expect(event.rating).toBe(TaxCreditLevel.M);
    expect(event.evaluationYear).toBe('2024');
  });
});
