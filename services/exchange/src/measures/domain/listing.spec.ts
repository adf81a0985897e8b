import { exchangeCatalogue } from '../../catalogue/catalogue.loader.js';
import type { CanonicalRecord } from '../../domain/canonical-record.js';
import { loadJointMeasures } from '../measures.loader.js';
import { decideListing, type EntryView, upgradesFrom, validUntil } from './listing.js';

const { lists } = loadJointMeasures(exchangeCatalogue());
const TODAY = '2026-12-02';

const record = (over: Partial<CanonicalRecord> = {}): CanonicalRecord =>
  ({
    recordId: 'r1',
    source: { sector: 'courts', agencyId: 'court', sourceRecordId: 's1' },
    subject: {
      kind: 'legal_entity',
      canonicalId: '91110105MA01C8XK3R',
      name: '北京某某',
      regionCode: '110105',
    },
    kind: 'courts.dishonest_debtor',
    polarity: 'negative',
    severity: 'serious',
    disclosure: { level: 'public', disclosureUntil: '2028-12-02' },
    status: 'active',
    version: 1,
    attributes: {},
    ...over,
  }) as CanonicalRecord;

const entry = (over: Partial<EntryView> = {}): EntryView => ({
  entryId: 'e1',
  listType: 'courts.dishonest_debtors',
  recordId: 'r1',
  state: 'active',
  validUntil: '2028-12-02',
  ...over,
});

const decide = (
  r: CanonicalRecord,
  entries: EntryView[] = [],
  subjectActive: EntryView[] = [],
  endReason?: string,
) =>
  decideListing({ lists, record: r, entries, subjectActive, today: TODAY, ...(endReason && { endReason }) });

describe('decideListing', () => {
  it('lists a dishonest judgment debtor directly on publication, until its disclosure ends', () => {
    const d = decide(record());
    expect(d.create.map((c) => [c.listType.id, c.validUntil])).toEqual([
      ['courts.dishonest_debtors', '2028-12-02'],
    ]);
    expect(d.end).toEqual([]);
  });

  it('lists a procurement misconduct only with a ban, until the ban ends', () => {
    const misconduct = (attributes: Record<string, string>) =>
      record({
        kind: 'procurement.supplier_misconduct',
        source: { sector: 'procurement' } as never,
        attributes,
      });
    expect(decide(misconduct({ fineAmount: '5000.00' })).create).toEqual([]);
    const banned = decide(misconduct({ banUntil: '2027-06-30' }));
    expect(banned.create.map((c) => [c.listType.id, c.validUntil])).toEqual([
      ['procurement.serious_violations', '2027-06-30'],
    ]);
  });

  it('puts only A-rated taxpayers on the red list', () => {
    const rating = (r: string) =>
      decide(
        record({ kind: 'tax.credit_rating', polarity: 'positive', attributes: { rating: r } }),
      ).create.map((c) => c.listType.colour);
    expect(rating('a')).toEqual(['red']);
    expect(rating('b')).toEqual([]);
  });

  it('ends every active entry of a record that ended, with its reason', () => {
    const d = decide(record({ status: 'withdrawn' }), [entry()], [], 'obligation_fulfilled');
    expect(d.end).toEqual([{ entryId: 'e1', reason: 'obligation_fulfilled', state: 'removed' }]);
    expect(d.create).toEqual([]);
  });

  it('removes an entry whose corrected record no longer meets the criteria, and keeps one that does', () => {
    const procurement = {
      kind: 'procurement.supplier_misconduct',
      source: { sector: 'procurement' } as never,
    };
    const listed = entry({ listType: 'procurement.serious_violations' });
    const cleared = decide(record({ ...procurement, version: 2, attributes: {} }), [listed]);
    expect(cleared.end).toEqual([{ entryId: 'e1', reason: 'criteria_no_longer_met', state: 'removed' }]);
    const extended = decide(record({ ...procurement, version: 2, attributes: { banUntil: '2027-12-31' } }), [
      listed,
    ]);
    expect(extended).toEqual({ create: [], keep: [{ entryId: 'e1', validUntil: '2027-12-31' }], end: [] });
  });

  it('lists nothing whose disclosure period is over, and ends its entries', () => {
    const over = record({ disclosure: { disclosureUntil: '2026-12-01' } as never });
    expect(decide(over).create).toEqual([]);
    expect(decide(over, [entry()]).end).toEqual([
      { entryId: 'e1', reason: 'disclosure_period_ended', state: 'removed' },
    ]);
  });

  it('does not list a record again on a list it left', () => {
    expect(decide(record({ version: 3 }), [entry({ state: 'removed' })]).create).toEqual([]);
  });

  describe('the e-commerce watch list', () => {
    const violation = (id: string, severity: 'general' | 'serious') =>
      record({
        recordId: id,
        kind: 'ecommerce.platform_violation',
        severity,
        source: { sector: 'ecommerce' } as never,
      });
    const watched = entry({ entryId: 'w1', listType: 'ecommerce.watch', recordId: 'r-first' });

    it('watches an operator after a violation', () => {
      expect(decide(violation('r2', 'general')).create.map((c) => c.listType.id)).toEqual([
        'ecommerce.watch',
      ]);
    });

    it('upgrades to the black list on a serious violation while watched', () => {
      const d = decide(violation('r2', 'serious'), [], [watched]);
      expect(d.create.map((c) => [c.listType.id, c.upgrades])).toEqual([
        ['ecommerce.serious_dishonesty', ['w1']],
      ]);
      expect(d.end).toEqual([{ entryId: 'w1', reason: 'upgraded', state: 'upgraded' }]);
    });

    it('watches again (no upgrade) on a general violation while watched', () => {
      const d = decide(violation('r2', 'general'), [], [watched]);
      expect(d.create.map((c) => c.listType.id)).toEqual(['ecommerce.watch']);
      expect(d.end).toEqual([]);
    });

    it('a serious first violation is watched, not black-listed: the upgrade needs a valid watch entry', () => {
      expect(decide(violation('r2', 'serious')).create.map((c) => c.listType.id)).toEqual([
        'ecommerce.watch',
      ]);
    });

    it('names the list types whose entries of the subject a change can upgrade: only a live serious violation', () => {
      expect(upgradesFrom(lists, violation('r2', 'serious'), TODAY)).toEqual(['ecommerce.watch']);
      expect(upgradesFrom(lists, violation('r2', 'general'), TODAY)).toEqual([]);
      expect(upgradesFrom(lists, { ...violation('r2', 'serious'), status: 'withdrawn' }, TODAY)).toEqual([]);
      expect(upgradesFrom(lists, record(), TODAY)).toEqual([]);
    });

    it('does not look at the subject’s entries of a list type it cannot upgrade', () => {
      const black = entry({ entryId: 'b9', listType: 'ecommerce.serious_dishonesty', recordId: 'r-old' });
      const d = decide(violation('r2', 'serious'), [], [black]);
      expect(d.create.map((c) => [c.listType.id, c.upgrades])).toEqual([['ecommerce.watch', []]]);
      expect(d.end).toEqual([]);
    });

    it('keeps an upgraded entry while its record stays serious, removes it when corrected to general', () => {
      const black = entry({ entryId: 'b1', listType: 'ecommerce.serious_dishonesty', recordId: 'r2' });
      expect(
        decide({ ...violation('r2', 'serious'), version: 2 }, [black]).keep.map((k) => k.entryId),
      ).toEqual(['b1']);
      expect(decide({ ...violation('r2', 'general'), version: 2 }, [black]).end).toEqual([
        { entryId: 'b1', reason: 'criteria_no_longer_met', state: 'removed' },
      ]);
    });
  });

  it('never lets an entry outlive its record’s disclosure', () => {
    const type = lists.types.get('ecommerce.serious_dishonesty')!;
    expect(validUntil(type, record({ disclosure: { disclosureUntil: '2027-01-01' } as never }), TODAY)).toBe(
      '2027-01-01',
    );
    expect(validUntil(type, record({ disclosure: { disclosureUntil: '2035-01-01' } as never }), TODAY)).toBe(
      '2029-12-02',
    );
  });
});
