import { CreditEventType } from '@cie/contracts';
import type { CanonicalRecord } from '../../domain/canonical-record.js';
import type { ReleaseRules, SubscriberEntitlement, SubscriberPolicy } from '../../domain/routing.js';
import { chinaDate, isDisclosed } from './disclosure.js';
import { type Change, fanOut, viewOf } from './fan-out.js';

const TODAY = '2026-12-01';

const beijingRecord = (over: Partial<CanonicalRecord> = {}): CanonicalRecord =>
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
    disclosure: { level: 'public', disclosureUntil: '2028-01-01' },
    status: 'active',
    version: 1,
    attributes: { caseNumber: '(2025)京0105执1号' },
    ...over,
  }) as CanonicalRecord;
/** The same record moved to Shanghai by a correction: outside the Beijing platform's regions. */
const shanghaiVersion = beijingRecord({
  version: 2,
  status: 'corrected',
  subject: {
    kind: 'legal_entity',
    canonicalId: '91310115MA1K4XXXXX',
    name: '上海某某',
    regionCode: '310115',
  },
});

const entitlement = (id: string, regions: string[]): SubscriberEntitlement => ({
  id,
  name: id,
  sectors: ['courts'],
  kinds: ['*'],
  levels: ['public'],
  regions,
  naturalPersonIdentity: 'clear',
});
const release: ReleaseRules = {
  version: 'r1',
  sectors: { courts: [{ subscribers: ['*'], kinds: ['*'], levels: ['public'] }] },
};
/** `beijing` covers region 11 only: entitled to the first record, not to the Shanghai version. */
const policy: SubscriberPolicy = { version: 'p1', release, subscribers: [entitlement('beijing', ['11'])] };

const sendsTo = (change: Change, record: CanonicalRecord, holds: boolean) =>
  fanOut({ record, change, holders: new Set(holds ? ['beijing'] : []), policy, today: TODAY }).sends;

/** Every event type, as the fan-out sees it, with the status its record has after it. */
const EVENTS: { change: Change; status: CanonicalRecord['status']; type: CreditEventType }[] = [
  { change: { type: 'published' }, status: 'active', type: CreditEventType.published },
  {
    change: { type: 'corrected', previous: beijingRecord() },
    status: 'corrected',
    type: CreditEventType.corrected,
  },
  { change: { type: 'disputed' }, status: 'disputed', type: CreditEventType.disputed },
  { change: { type: 'dispute_resolved' }, status: 'active', type: CreditEventType.disputeResolved },
  {
    change: { type: 'withdrawn', reason: 'decision_revoked' },
    status: 'withdrawn',
    type: CreditEventType.withdrawn,
  },
  {
    change: { type: 'expired', reason: 'disclosure_period_ended' },
    status: 'expired',
    type: CreditEventType.expired,
  },
  {
    change: { type: 'repaired', reason: 'repair_approved' },
    status: 'repaired',
    type: CreditEventType.repaired,
  },
  { change: { type: 'policy_changed' }, status: 'active', type: CreditEventType.published },
];
const REMOVALS = new Set(['withdrawn', 'expired', 'repaired']);

describe('the one fan-out rule, for every event type × holder or not × entitled or not', () => {
  for (const { change, status, type } of EVENTS) {
    const removal = REMOVALS.has(change.type);
    describe(`a ${change.type} event`, () => {
      const entitledTo = beijingRecord({ status, version: change.type === 'corrected' ? 2 : 1 });
      const notEntitledTo =
        change.type === 'corrected'
          ? shanghaiVersion
          : beijingRecord({ status, subject: shanghaiVersion.subject });

      it('Given a holder still entitled, When it fans out, Then the holder hears of it in its own view', () => {
        const sends = sendsTo(change, entitledTo, true);
        if (change.type === 'published' || change.type === 'policy_changed') expect(sends).toEqual([]);
        else expect(sends).toEqual([expect.objectContaining({ subscriberId: 'beijing', type, view: 'own' })]);
      });

      it('Given a holder no longer entitled, When it fans out, Then it is told to remove the record, never sent the new view', () => {
        const sends = sendsTo(change, notEntitledTo, true);
        expect(sends).toHaveLength(1);
        const [send] = sends;
        if (removal)
          expect(send).toEqual(expect.objectContaining({ type, view: 'restricted', carries: 'record' }));
        else {
          expect(send?.type).toBe(CreditEventType.withdrawn);
          expect(send?.reason).toBe(
            change.type === 'policy_changed' ? 'entitlement_removed' : 'entitlement_ended',
          );
          // A correction's withdrawal carries the version the holder holds, never the new one.
          expect(send?.carries).toBe(change.type === 'corrected' ? 'previous' : 'record');
        }
      });

      it('Given an entitled subscriber that does not hold it, When it fans out, Then it gets it published unless the record ended', () => {
        const sends = sendsTo(change, entitledTo, false);
        if (removal) expect(sends).toEqual([]);
        else
          expect(sends).toEqual([expect.objectContaining({ type: CreditEventType.published, view: 'own' })]);
      });

      it('Given a subscriber neither holding nor entitled, When it fans out, Then it gets nothing', () => {
        expect(sendsTo(change, notEntitledTo, false)).toEqual([]);
      });
    });
  }

  it('Given a holder dropped from the policy, When the record ends, Then it still hears of it, in the restricted view', () => {
    const record = beijingRecord({ status: 'withdrawn' });
    const { sends } = fanOut({
      record,
      change: { type: 'withdrawn', reason: 'decision_revoked' },
      holders: new Set(['gone']),
      policy,
      today: TODAY,
    });
    expect(sends).toEqual([expect.objectContaining({ subscriberId: 'gone', view: 'restricted' })]);
    const view = viewOf(sends[0]!, record, policy);
    expect(view.naturalPersonIdentity).toBe('pseudonym');
    expect(view.redact).toEqual(['subject.name', 'caseNumber']);
  });

  it('Given a correction past its disclosure period, When it fans out, Then the holder is told to remove it and nobody new gets it', () => {
    const record = beijingRecord({
      version: 2,
      status: 'corrected',
      disclosure: { ...beijingRecord().disclosure, disclosureUntil: '2026-11-30' },
    });
    const sends = sendsTo({ type: 'corrected', previous: beijingRecord() }, record, true);
    expect(sends).toEqual([
      expect.objectContaining({ type: CreditEventType.withdrawn, carries: 'previous', view: 'own' }),
    ]);
    expect(sendsTo({ type: 'corrected', previous: beijingRecord() }, record, false)).toEqual([]);
  });

  it('records every subscriber’s routing decision for the audit', () => {
    const { decisions } = fanOut({
      record: beijingRecord(),
      change: { type: 'published' },
      holders: new Set(),
      policy,
      today: TODAY,
    });
    expect(decisions).toEqual([expect.objectContaining({ subscriberId: 'beijing', allowed: true })]);
  });
});

describe('what "today" and "disclosed" mean', () => {
  it('Given 16:30 UTC, When the date is taken, Then it is already the next day in China Standard Time', () => {
    expect(chinaDate(new Date('2026-11-30T16:30:00Z'))).toBe('2026-12-01');
    expect(chinaDate(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11-30');
  });

  it('Given a record on the last day of its period, it is disclosed; the day after, or ended, it is not', () => {
    const record = beijingRecord({ disclosure: { ...beijingRecord().disclosure, disclosureUntil: TODAY } });
    expect(isDisclosed(record, TODAY)).toBe(true);
    expect(isDisclosed(record, '2026-12-02')).toBe(false);
    expect(isDisclosed({ ...record, status: 'repaired' }, TODAY)).toBe(false);
    expect(isDisclosed({ ...record, status: 'disputed' }, TODAY)).toBe(true);
  });
});
