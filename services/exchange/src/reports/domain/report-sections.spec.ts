import type { EntryView } from '../../checks/domain/check-verdict.js';
import { renderReportHtml } from './report-html.js';
import { type ReportRecord, reportSections } from './report-sections.js';

const record = (category: string, polarity = 'negative'): ReportRecord => ({
  recordId: `r-${category}`,
  version: 1,
  kind: `k.${category}`,
  category,
  polarity,
  status: 'active',
  source: {
    agencyId: 'a',
    decisionNumber: '(2026)1号',
    decidingAuthority: '某局',
    decisionDate: '2026-11-01',
  },
  disclosureUntil: '2029-11-01',
  attributes: { note: '<script>' },
});
const entry = (colour: string): EntryView => ({
  entryId: `e-${colour}`,
  listType: `t.${colour}`,
  colour,
  title: colour,
  legalBasis: 'basis',
  listedAt: '2026-11-01T00:00:00.000Z',
  validUntil: '2028-10-31',
  recordId: 'r',
});

describe('credit report sections', () => {
  it('Given records and entries, When sorted, Then each lands in its DESIGN §13 section', () => {
    const s = reportSections(
      [
        record('tax_violation'),
        record('judicial_enforcement'),
        record('tax_credit_rating', 'positive'),
        record('market_regulation'),
      ],
      [entry('black'), entry('watch'), entry('red')],
    );
    expect(s.administrativeDecisions.map((r) => r.category)).toEqual(['tax_violation']);
    expect(s.judicial.map((r) => r.category)).toEqual(['judicial_enforcement']);
    expect(s.positiveRecordsAndRatings.records.map((r) => r.category)).toEqual(['tax_credit_rating']);
    expect(s.other.map((r) => r.category)).toEqual(['market_regulation']);
    expect(s.seriousDishonestyLists.map((e) => e.colour)).toEqual(['black', 'watch']);
    expect(s.positiveRecordsAndRatings.lists.map((e) => e.colour)).toEqual(['red']);
    expect(s.commitments).toEqual([]);
  });

  it('Given text with markup, When printed, Then it is escaped and the page loads nothing from outside', () => {
    const html = renderReportHtml({
      number: 'RPT-20261202-000001',
      issuedAt: '2026-12-02T00:00:00.000Z',
      subject: { canonicalId: 'X', name: '<b>某公司</b>' },
      preparedFor: { clientId: 'ops', role: 'operator' },
      sections: reportSections([record('tax_violation')], []),
      sha256: 'f'.repeat(64),
      keyId: 'k',
    });
    expect(html).toContain('&lt;b&gt;某公司&lt;/b&gt;');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/);
    expect(html).toContain('RPT-20261202-000001');
  });
});
