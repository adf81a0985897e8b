import { exchangeCatalogue } from '../../catalogue/catalogue.loader.js';
import { chinaDate } from '../../delivery/domain/disclosure.js';
import { loadJointMeasures } from '../../measures/measures.loader.js';
import {
  type ActiveEntry,
  addMonthsLastDay,
  decideSubject,
  freshness,
  relevantSectors,
  type SourceFreshness,
} from './check-verdict.js';

const { lists, memoranda } = loadJointMeasures(exchangeCatalogue());
const NOW = new Date('2026-12-02T02:00:00Z');
const fresh = (sector: SourceFreshness['sector']): SourceFreshness =>
  freshness(sector, `credit.${sector}.events.v1`, new Date('2026-12-02T01:00:00Z'), NOW, 24 * 3_600_000);
const stale = (sector: SourceFreshness['sector']): SourceFreshness =>
  freshness(sector, `credit.${sector}.events.v1`, new Date('2026-11-20T00:00:00Z'), NOW, 24 * 3_600_000);
const ALL_FRESH = relevantSectors('procurement_bid', lists, memoranda).map(fresh);

const debtorEntry: ActiveEntry = {
  entryId: '0190f0a0-0000-7000-8000-000000000001',
  listType: 'courts.dishonest_debtors',
  subjectId: '91110105MA00000001',
  recordId: '0190f0a0-0000-7000-8000-0000000000aa',
  listedAt: new Date('2026-11-01T03:00:00Z'),
  validUntil: '2028-10-31',
};
const decide = (entries: ActiveEntry[], sources: SourceFreshness[], scenario = 'procurement_bid' as const) =>
  decideSubject({
    subject: debtorEntry.subjectId,
    scenario,
    entries,
    lists,
    memoranda,
    sources,
    listedDay: chinaDate,
  });

describe('the check at the point of decision', () => {
  it('Given the scenario procurement_bid, When its sources are found, Then they are the sectors whose lists bring a measure for it', () => {
    expect(relevantSectors('procurement_bid', lists, memoranda)).toEqual(['courts', 'procurement', 'tax']);
    expect(relevantSectors('high_consumption', lists, memoranda)).toEqual([]);
  });

  it('Given a dishonest debtor on the courts list, When checked for a bid, Then hit with the mandatory procurement ban while listed', () => {
    const verdict = decide([debtorEntry], ALL_FRESH);
    expect(verdict.status).toBe('hit');
    expect(verdict.entries).toEqual([
      expect.objectContaining({
        listType: 'courts.dishonest_debtors',
        colour: 'black',
        title: '失信被执行人名单',
      }),
    ]);
    expect(verdict.measures).toEqual([
      expect.objectContaining({
        memorandumId: 'dishonest-debtors',
        documentNumber: '发改财金〔2016〕141号',
        measureId: 'dd-procurement-ban',
        mode: 'mandatory',
        until: '2028-10-31',
        whileListed: true,
      }),
    ]);
  });

  it('Given a hit, When a source is stale, Then it stays a hit: what was found was found', () => {
    expect(decide([debtorEntry], [stale('courts'), fresh('tax')]).status).toBe('hit');
  });

  it('Given no entry, When every relevant source is fresh, Then clear', () => {
    expect(decide([], ALL_FRESH)).toMatchObject({ status: 'clear', entries: [], measures: [] });
  });

  it('Given no entry, When a relevant source is stale or never processed, Then indeterminate, never clear', () => {
    expect(decide([], [fresh('courts'), stale('tax')])).toMatchObject({
      status: 'indeterminate',
      staleSources: ['tax'],
    });
    const never = freshness('procurement', 'credit.procurement.events.v1', null, NOW, 3_600_000);
    expect(never).toMatchObject({ stale: true, lastProcessedAt: null });
    expect(decide([], [never]).status).toBe('indeterminate');
  });

  it('Given an entry without a measure for the scenario, When checked, Then the entry is shown but the verdict is clear', () => {
    const verdict = decide([debtorEntry], ALL_FRESH, 'high_consumption' as never);
    expect(verdict).toMatchObject({ status: 'clear', measures: [] });
    expect(verdict.entries).toHaveLength(1);
  });

  it('Given a measure of a fixed period, When its end is computed, Then it is months from the listing day', () => {
    const tax = { ...debtorEntry, listType: 'tax.major_violations' };
    const verdict = decideSubject({
      subject: tax.subjectId,
      scenario: 'bond_issuance',
      entries: [tax],
      lists,
      memoranda,
      sources: [fresh('tax')],
      listedDay: chinaDate,
    });
    expect(verdict.measures).toEqual([
      expect.objectContaining({ measureId: 'tax-bond-issuance', until: '2029-10-31', whileListed: false }),
    ]);
  });

  it('adds months to a day, clamped to the month end, up to the day before', () => {
    expect(addMonthsLastDay('2026-11-01', 36)).toBe('2029-10-31');
    expect(addMonthsLastDay('2026-01-31', 1)).toBe('2026-02-27');
  });
});
