import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@cie/platform';
import { DEFAULT_CATALOGUE_FILE, loadCatalogue, parseCatalogue } from './catalogue.loader.js';

type RawEntry = Record<string, unknown> & { kind: string };
const shipped = JSON.parse(readFileSync(DEFAULT_CATALOGUE_FILE, 'utf8')) as { entries: RawEntry[] };

/** A copy of the shipped catalogue with one entry changed. */
function withEntry(kind: string, change: (entry: RawEntry) => void): unknown {
  const copy = structuredClone(shipped);
  const entry = copy.entries.find((e) => e.kind === kind);
  if (!entry) throw new Error(`no ${kind} in the catalogue`);
  change(entry);
  return copy;
}

function problemsOf(raw: unknown): string[] {
  try {
    parseCatalogue(raw, 'catalogue.json');
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('the catalogue was accepted');
}

describe('loading the catalogue', () => {
  it('Given the shipped file, it loads every sector kind with its edition and version', () => {
    // When
    const catalogue = loadCatalogue();
    // Then
    expect(catalogue.edition).toBe('2026.1');
    expect(catalogue.version).toBe('2026.1.0');
    expect([...catalogue.entries.keys()].sort()).toEqual([
      'courts.consumption_restriction',
      'courts.dishonest_debtor',
      'ecommerce.platform_violation',
      'procurement.supplier_misconduct',
      'tax.credit_rating',
      'tax.major_violation',
    ]);
    expect(catalogue.entries.get('tax.credit_rating')?.polarity).toEqual({
      rules: [
        { when: [{ field: 'rating', in: ['a', 'b'] }], then: 'positive' },
        { when: [{ field: 'rating', in: ['m'] }], then: 'neutral' },
        { when: [{ field: 'rating', in: ['c', 'd'] }], then: 'negative' },
      ],
    });
    expect(catalogue.entries.get('courts.dishonest_debtor')).toMatchObject({
      polarity: { value: 'negative' },
      disclosurePeriod: { value: { months: 24 } },
      repairableAfterMonths: { value: null },
      naturalPersonsPublic: true,
    });
  });

  it('Given a rule with an unknown polarity, it is refused naming the entry path and kind', () => {
    // Given
    const raw = withEntry('tax.credit_rating', (e) => {
      (e['polarityRules'] as { then: string }[])[0]!.then = 'good';
    });
    // When / Then
    expect(problemsOf(raw)).toEqual([
      expect.stringMatching(
        /^catalogue catalogue\.json: entries\[1\]\.polarityRules\[0\]\.then: then must be one of .*\(entry tax\.credit_rating\)$/,
      ),
    ]);
  });

  it('Given an entry with both a fixed severity and severity rules, it is refused', () => {
    const raw = withEntry('courts.dishonest_debtor', (e) => {
      e['severityRules'] = [{ when: [], then: 'general' }];
    });
    expect(problemsOf(raw)).toEqual([
      'catalogue catalogue.json: entries[3].severity: give either severity or severityRules, not both or neither (entry courts.dishonest_debtor)',
    ]);
  });

  it('Given a misspelt property, or a condition with two operators, each is refused with its path', () => {
    const raw = withEntry('ecommerce.platform_violation', (e) => {
      e['disclosurePeriodRule'] = [];
    });
    expect(problemsOf(raw)).toEqual([
      'catalogue catalogue.json: entries[5].disclosurePeriodRule: disclosurePeriodRule should not exist (entry ecommerce.platform_violation)',
    ]);
    const onlyOperators = withEntry('ecommerce.platform_violation', (e) => {
      const rules = e['severityRules'] as { when: Record<string, unknown>[] }[];
      rules[1]!.when[0]!['in'] = ['1000000.00'];
    });
    expect(problemsOf(onlyOperators)).toEqual([
      'catalogue catalogue.json: entries[5].severityRules[1].when[0]: must have exactly one of in, includesAny, atLeast, below, present, matches (entry ecommerce.platform_violation)',
    ]);
  });

  it('Given a kind that does not start with its sector, or appears twice, it is refused', () => {
    const copy = structuredClone(shipped);
    copy.entries.push({ ...copy.entries[0]!, sector: 'courts' });
    expect(problemsOf(copy)).toEqual([
      'catalogue catalogue.json: entries[6].kind: tax.major_violation appears twice (entry tax.major_violation)',
      'catalogue catalogue.json: entries[6].kind: tax.major_violation must start with its sector courts. (entry tax.major_violation)',
    ]);
  });

  it('Given a file that does not exist, it names the file', () => {
    expect(() => loadCatalogue('/nonexistent/catalogue.json')).toThrow(ConfigurationError);
    expect(() => loadCatalogue('/nonexistent/catalogue.json')).toThrow(
      /catalogue \/nonexistent\/catalogue\.json: ENOENT/,
    );
  });
});
