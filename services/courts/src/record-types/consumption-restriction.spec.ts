import { create } from '@bufbuild/protobuf';
import { RestrictedMeasure, SourceRefSchema, SubjectIdentitySchema, SubjectKind } from '@cie/contracts';
import { validateRecord } from '@cie/sector-kit';
import { consumptionRestriction, type ConsumptionRestrictionDto } from './consumption-restriction.js';
import { courtsSector } from './index.js';

const example = consumptionRestriction.example;
const withFields = (fields: Record<string, unknown>) => ({ ...example, ...fields });
const fieldsRefused = (body: unknown) => {
  const check = validateRecord(courtsSector, body);
  return check.ok ? [] : check.problems.map((p) => p.field);
};

describe('courts.consumption_restriction', () => {
  it('accepts its example', () => {
    const check = validateRecord(courtsSector, example);
    expect(check).toMatchObject({ ok: true, definition: consumptionRestriction });
  });

  it('accepts a natural person without a legal representative, and full-width brackets in the case number', () => {
    const { legalRepresentative: _omitted, ...rest } = example;
    const body = {
      ...rest,
      decisionNumber: '（2025）京0105执恢212号',
      subject: { kind: 'natural_person', idNumber: '110105198506150022', name: '张丽' },
      restrictedMeasures: ['air_travel'],
    };
    expect(validateRecord(courtsSector, body).ok).toBe(true);
  });

  it('refuses a decision number that is not a case number', () => {
    expect(fieldsRefused(withFields({ decisionNumber: '沪浦法限〔2025〕12号' }))).toEqual(['decisionNumber']);
  });

  it.each([
    ['no measure', []],
    ['an unknown measure', ['air_travel', 'yacht_charter']],
    ['a repeated measure', ['air_travel', 'air_travel']],
    ['a single string', 'air_travel'],
  ])('refuses restrictedMeasures with %s', (_case, restrictedMeasures) => {
    expect(fieldsRefused(withFields({ restrictedMeasures }))).toEqual(['restrictedMeasures']);
  });

  it('refuses a missing restrictedMeasures', () => {
    const { restrictedMeasures: _omitted, ...rest } = example;
    expect(fieldsRefused(rest)).toEqual(['restrictedMeasures']);
  });

  it('refuses a legal representative for a natural person', () => {
    const body = withFields({
      subject: { kind: 'natural_person', idNumber: '310115198001010016', name: '李四' },
    });
    const check = validateRecord(courtsSector, body);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems).toEqual([
      { field: 'legalRepresentative', detail: expect.stringContaining('subject.kind is natural_person') },
    ]);
  });

  it('refuses an outstanding amount that is a JSON number or has three decimals', () => {
    expect(fieldsRefused(withFields({ outstandingAmount: 386420.5 }))).toEqual(['outstandingAmount']);
    expect(fieldsRefused(withFields({ outstandingAmount: '386420.505' }))).toEqual(['outstandingAmount']);
  });

  it('refuses an over-long legal representative and unknown fields', () => {
    expect(fieldsRefused(withFields({ legalRepresentative: '王'.repeat(101) }))).toEqual([
      'legalRepresentative',
    ]);
    expect(fieldsRefused(withFields({ court: '上海市浦东新区人民法院' }))).toEqual(['court']);
  });

  it('maps the record into ConsumptionRestrictionEvent', () => {
    const check = validateRecord(
      courtsSector,
      withFields({ decisionNumber: '（2025）沪0115执5678号', legalRepresentative: ' 王建国 ' }),
    );
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const source = create(SourceRefSchema, {
      sector: 'courts',
      agencyId: 'court-sh-pudong',
      sourceRecordId: 'SHPD-XF-2025-0417',
      decisionNumber: '（2025）沪0115执5678号',
      decidingAuthority: '上海市浦东新区人民法院',
      decisionDate: '2025-08-12',
    });
    const subject = create(SubjectIdentitySchema, {
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91310115MA1K4B7N26',
      name: '上海浦江建材贸易有限公司',
    });
    const event = consumptionRestriction.toEvent(check.record as ConsumptionRestrictionDto, {
      source,
      subject,
    });

    expect(event.source).toMatchObject({
      agencyId: 'court-sh-pudong',
      decisionNumber: '(2025)沪0115执5678号',
    });
    expect(event.subject).toBe(subject);
    expect(event.restrictedMeasures).toEqual([
      RestrictedMeasure.AIR_TRAVEL,
      RestrictedMeasure.HIGH_SPEED_RAIL_FIRST_CLASS,
      RestrictedMeasure.STAR_HOTELS,
      RestrictedMeasure.REAL_ESTATE_PURCHASE,
      RestrictedMeasure.TRAVEL_AND_HOLIDAYS,
      RestrictedMeasure.PRIVATE_SCHOOL_FEES,
    ]);
    expect(event.legalRepresentative).toBe('王建国');
    expect(event.outstandingAmount).toBe('386420.50');
    expect(event.enforcementBasis).toBe('(2024)沪0115民初20456号民事判决书');
  });

  it('maps omitted optional fields to empty strings', () => {
    const { legalRepresentative: _l, outstandingAmount: _o, enforcementBasis: _e, ...rest } = example;
    const check = validateRecord(courtsSector, rest);
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const event = consumptionRestriction.toEvent(check.record as ConsumptionRestrictionDto, {
      source: create(SourceRefSchema, { sector: 'courts' }),
      subject: create(SubjectIdentitySchema, { kind: SubjectKind.LEGAL_ENTITY }),
    });
    expect(event).toMatchObject({ legalRepresentative: '', outstandingAmount: '', enforcementBasis: '' });
  });
});
