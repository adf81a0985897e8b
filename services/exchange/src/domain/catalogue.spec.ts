import { loadCatalogue } from '../catalogue/catalogue.loader.js';
import {
  addMonths,
  type Catalogue,
  type CatalogueEntry,
  classify,
  compareDecimal,
  type RecordFacts,
} from './catalogue.js';

const catalogue = loadCatalogue();

const facts = (kind: string, attributes: Record<string, string>, over: Partial<RecordFacts> = {}) => ({
  kind,
  sector: kind.split('.')[0]!,
  subjectKind: 'legal_entity' as const,
  decisionDate: '2025-05-14',
  attributes,
  ...over,
});

function classified(record: RecordFacts, from: Catalogue = catalogue) {
  const result = classify(from, record);
  if (!result.ok) throw new Error(result.reason);
  return result;
}

describe('tax credit ratings', () => {
  it.each([
    ['a', 'positive', 'minor', 'public'],
    ['b', 'positive', 'minor', 'authorised'],
    ['m', 'neutral', 'minor', 'authorised'],
    ['c', 'negative', 'general', 'authorised'],
    ['d', 'negative', 'serious', 'authorised'],
  ])(
    'Given rating %s, the record is %s and %s, disclosed at level %s',
    (rating, polarity, severity, level) => {
      // Given a rating of the 2024 tax year, decided in April 2025
      const record = facts(
        'tax.credit_rating',
        { rating, evaluationYear: '2024' },
        { decisionDate: '2025-04-25' },
      );
      // When it is classified
      const result = classified(record);
      // Then
      expect(result).toMatchObject({ polarity, severity, level });
    },
  );

  it('Given the 2024 rating, it is disclosed until the end of 2025 and is not repairable', () => {
    const result = classified(facts('tax.credit_rating', { rating: 'a', evaluationYear: '2024' }));
    expect(result).toMatchObject({ disclosureUntil: '2025-12-31', repairableFrom: null });
  });

  it('Given a rating no rule covers, the catalogue refuses to classify it', () => {
    const result = classify(catalogue, facts('tax.credit_rating', { rating: 'z', evaluationYear: '2024' }));
    expect(result).toEqual({
      ok: false,
      reason: 'catalogue 2026.1 (2026.1.0) has no polarity rule for this tax.credit_rating record',
    });
  });

  it('Given a natural person, the catalogue refuses: ratings are for organisations', () => {
    const record = facts(
      'tax.credit_rating',
      { rating: 'a', evaluationYear: '2024' },
      { subjectKind: 'natural_person' },
    );
    expect(classify(catalogue, record)).toEqual({
      ok: false,
      reason: 'tax.credit_rating is for legal_entity, other subjects, not natural_person',
    });
  });
});

describe('procurement penalties', () => {
  it('Given a ban, the record is serious and disclosed until the ban’s last day, with no repair before', () => {
    // Given a fine and a one-year ban decided on 2025-05-14
    const record = facts('procurement.supplier_misconduct', {
      misconduct: 'false_materials',
      fineAmount: '18600.00',
      banFrom: '2025-05-14',
      banUntil: '2026-05-13',
    });
    // When / Then
    expect(classified(record)).toMatchObject({
      severity: 'serious',
      level: 'public',
      effectiveFrom: '2025-05-14',
      disclosureUntil: '2026-05-13',
      repairableFrom: null,
    });
  });

  it('Given a fine alone, it is a general penalty disclosed for a year and repairable after three months', () => {
    const record = facts('procurement.supplier_misconduct', { misconduct: 'other', fineAmount: '5000.00' });
    expect(classified(record)).toMatchObject({
      severity: 'general',
      disclosureUntil: '2026-05-14',
      repairableFrom: '2025-08-14',
    });
  });

  it('Given a ban ending before the decision, the period is refused', () => {
    const record = facts('procurement.supplier_misconduct', {
      banFrom: '2024-01-01',
      banUntil: '2024-12-31',
    });
    expect(classify(catalogue, record)).toEqual({
      ok: false,
      reason:
        'disclosure period of procurement.supplier_misconduct: banUntil (2024-12-31) is before the decision date (2025-05-14)',
    });
  });
});

describe('minimum disclosure periods of penalties (3 months to 3 years; 1 year for food, drugs, work safety, fire)', () => {
  const violation = (attributes: Record<string, string>) =>
    facts('ecommerce.platform_violation', {
      violation: 'false_advertising',
      authorityKind: 'market_regulator',
      actionsTaken: 'fine,listing_removal',
      fineAmount: '200000.00',
      facts: '在网店商品详情页作引人误解的虚假宣传',
      ...attributes,
    });

  it('Given a general penalty, repair may be asked after 3 months and disclosure ends after a year', () => {
    expect(classified(violation({}))).toMatchObject({
      severity: 'general',
      level: 'public',
      repairableFrom: '2025-08-14',
      disclosureUntil: '2026-05-14',
    });
  });

  it.each([
    ['food', '销售标签虚假的预包装食品'],
    ['drugs', '通过网店销售未取得批准文号的药品'],
    ['work safety', '仓储场所存在安全生产隐患'],
    ['fire', '直播间堆放易燃物品，违反消防规定'],
  ])('Given a general penalty concerning %s, repair may be asked only after a year', (_domain, text) => {
    expect(classified(violation({ facts: text }))).toMatchObject({
      severity: 'general',
      repairableFrom: '2026-05-14',
    });
  });

  it('Given a serious penalty (a fine of at least 1,000,000), it is disclosed for 3 years, repairable after 1', () => {
    expect(classified(violation({ fineAmount: '1000000.00' }))).toMatchObject({
      severity: 'serious',
      disclosureUntil: '2028-05-14',
      repairableFrom: '2026-05-14',
    });
    expect(classified(violation({ fineAmount: '999999.99' })).severity).toBe('general');
  });

  it('Given a sanction by the platform under its own rules, it is not public', () => {
    const record = violation({ authorityKind: 'platform', actionsTaken: 'warning', fineAmount: '' });
    expect(classified(record)).toMatchObject({ severity: 'minor', level: 'authorised' });
  });

  it('Every entry of the shipped catalogue discloses for 3 months to 3 years when it counts months', () => {
    const outside = [...catalogue.entries.values()].flatMap((entry) => {
      const periods =
        'value' in entry.disclosurePeriod
          ? [entry.disclosurePeriod.value]
          : entry.disclosurePeriod.rules.map((r) => r.then);
      return periods
        .filter((p) => 'months' in p && (p.months < 3 || p.months > 36))
        .map((p) => `${entry.kind}: ${JSON.stringify(p)}`);
    });
    expect(outside).toEqual([]);
  });
});

describe('courts and tax listings', () => {
  it('Given a dishonest debtor listing, it is disclosed for 24 months and natural persons stay public', () => {
    const result = classified(
      facts('courts.dishonest_debtor', {}, { subjectKind: 'natural_person', decisionDate: '2024-03-15' }),
    );
    expect(result).toMatchObject({ level: 'public', disclosureUntil: '2026-03-15', repairableFrom: null });
  });

  it('Given a major tax violation, it is disclosed for 3 years and repairable after 6 months', () => {
    const result = classified(facts('tax.major_violation', { taxAmountInvolved: '1863427.15' }));
    expect(result).toMatchObject({
      polarity: 'negative',
      severity: 'serious',
      disclosureUntil: '2028-05-14',
      repairableFrom: '2025-11-14',
    });
  });

  it('Given a public kind whose legal basis does not name natural persons, a person’s record is only authorised', () => {
    const entry = catalogue.entries.get('courts.consumption_restriction') as CatalogueEntry;
    expect(entry.naturalPersonsPublic).toBe(false);
    const result = classified(facts('courts.consumption_restriction', {}, { subjectKind: 'natural_person' }));
    expect(result.level).toBe('authorised');
  });

  it('Given a kind outside the catalogue, it is refused', () => {
    expect(classify(catalogue, facts('courts.bankruptcy', {}))).toEqual({
      ok: false,
      reason: 'courts.bankruptcy is not in catalogue 2026.1 (2026.1.0)',
    });
  });
});

describe('compareDecimal', () => {
  it.each([
    ['1000000.00', '1000000', 0],
    ['999999.99', '1000000.00', -1],
    ['1000000.5', '1000000.49', 1],
  ])('%s vs %s = %i', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
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
