import { CreditEventType } from '@cie/contracts';
import { applyFeedEvent } from './apply-feed-event.js';
import type { FeedEventIn, HeldRecord, Holding, RecordSnapshot } from './holding.js';

const NOW = new Date('2026-01-02T03:04:05Z');

function snapshot(version: number): RecordSnapshot {
  return {
    recordId: 'rec-1',
    version,
    kind: 'courts.dishonest_debtor',
    category: 'judicial',
    polarity: 'negative',
    severity: 'serious',
    status: 'active',
    subject: {
      canonicalId: '91320100748204660Q',
      kind: 'legal_entity',
      name: '南京某某科技有限公司',
      regionCode: '320100',
      idNumber: null,
    },
    source: {
      sector: 'courts',
      agencyId: 'court-bj-chaoyang',
      sourceRecordId: 'BJCY-2025-0001',
      decisionNumber: '(2025)京0105执1号',
      decidingAuthority: '北京市朝阳区人民法院',
      decisionDate: '2025-06-01',
    },
    disclosure: {
      level: 'public',
      effectiveFrom: '2025-06-01',
      disclosureUntil: '2027-06-01',
      legalBasis: 'x',
      repairableFrom: '',
    },
    attributes: { outstandingAmount: '125000.00' },
  };
}

function event(type: CreditEventType, version: number, extra: Partial<FeedEventIn> = {}): FeedEventIn {
  return {
    eventId: `ev-${type}-${version}`,
    type,
    subscriber: 'beijing-platform',
    record: snapshot(version),
    occurredAt: NOW,
    dispute: null,
    reason: '',
    traceparent: null,
    ...extra,
  };
}

function held(version: number, extra: Partial<HeldRecord> = {}): Holding {
  return {
    state: 'held',
    record: {
      ...snapshot(version),
      disputed: false,
      disputeId: null,
      disputeOutcome: null,
      receivedEventId: 'ev-old',
      updatedAt: new Date(0),
      ...extra,
    },
  };
}

function removed(version: number): Holding {
  return {
    state: 'removed',
    tombstone: {
      recordId: 'rec-1',
      version,
      eventType: CreditEventType.withdrawn,
      reason: 'decision_revoked',
      eventId: 'ev-w',
      removedAt: new Date(0),
    },
  };
}

const NONE: Holding = { state: 'none' };
const dispute = (outcome = '') => ({
  dispute: { disputeId: 'dsp-1', status: outcome ? 'resolved' : 'open', outcome },
});

describe('applyFeedEvent', () => {
  describe('published and corrected', () => {
    it('holds a record it did not know, not disputed, without an ack', () => {
      const d = applyFeedEvent(NONE, event(CreditEventType.published, 1), NOW);
      expect(d.acknowledge).toBe(false);
      expect(d.change).toMatchObject({
        type: 'hold',
        record: {
          recordId: 'rec-1',
          version: 1,
          disputed: false,
          receivedEventId: 'ev-credit.record.published-1',
        },
      });
    });

    it('replaces the version held with a newer correction and keeps an open dispute flag', () => {
      const d = applyFeedEvent(
        held(1, { disputed: true, disputeId: 'dsp-1' }),
        event(CreditEventType.corrected, 2),
        NOW,
      );
      expect(d.change).toMatchObject({
        type: 'hold',
        record: { version: 2, disputed: true, disputeId: 'dsp-1' },
      });
    });

    it('ignores a version older than or equal to the one held', () => {
      expect(applyFeedEvent(held(2), event(CreditEventType.published, 1), NOW).change.type).toBe('none');
      expect(applyFeedEvent(held(2), event(CreditEventType.corrected, 2), NOW).change.type).toBe('none');
    });

    it('never brings back a removed record from a late copy of the removed version or an older one', () => {
      const late = applyFeedEvent(removed(2), event(CreditEventType.published, 2), NOW);
      expect(late.change).toMatchObject({ type: 'none', why: expect.stringContaining('removed at v2') });
      expect(applyFeedEvent(removed(2), event(CreditEventType.corrected, 1), NOW).change.type).toBe('none');
    });

    it('holds again a version newer than the one removed', () => {
      expect(applyFeedEvent(removed(1), event(CreditEventType.corrected, 2), NOW).change).toMatchObject({
        type: 'hold',
        record: { version: 2, disputed: false },
      });
    });
  });

  describe('disputes', () => {
    it('flags the record held with the dispute id', () => {
      const d = applyFeedEvent(held(1), event(CreditEventType.disputed, 1, dispute()), NOW);
      expect(d).toEqual({
        acknowledge: false,
        change: expect.objectContaining({
          type: 'hold',
          record: expect.objectContaining({ disputed: true, disputeId: 'dsp-1', disputeOutcome: null }),
        }),
      });
    });

    it('clears the flag on resolution and keeps the outcome', () => {
      const d = applyFeedEvent(
        held(1, { disputed: true, disputeId: 'dsp-1' }),
        event(CreditEventType.disputeResolved, 1, dispute('upheld')),
        NOW,
      );
      expect(d.change).toMatchObject({
        type: 'hold',
        record: { disputed: false, disputeId: 'dsp-1', disputeOutcome: 'upheld' },
      });
    });

    it('keeps the flag when another dispute about the record is still open', () => {
      const d = applyFeedEvent(
        held(1, { disputed: true, disputeId: 'dsp-2' }),
        event(CreditEventType.disputeResolved, 1, dispute('upheld')),
        NOW,
      );
      expect(d.change).toMatchObject({ type: 'hold', record: { disputed: true, disputeId: 'dsp-2' } });
    });

    it('ignores a dispute event for an older version, and one for a removed record', () => {
      expect(applyFeedEvent(held(2), event(CreditEventType.disputed, 1, dispute()), NOW).change.type).toBe(
        'none',
      );
      expect(applyFeedEvent(removed(1), event(CreditEventType.disputed, 1, dispute()), NOW).change.type).toBe(
        'none',
      );
    });
  });

  describe.each([CreditEventType.withdrawn, CreditEventType.expired, CreditEventType.repaired])(
    '%s',
    (type) => {
      it('removes the record held, keeps a tombstone with the reason, and acknowledges', () => {
        const d = applyFeedEvent(held(2), event(type, 2, { reason: 'some_reason' }), NOW);
        expect(d).toEqual({
          acknowledge: true,
          change: {
            type: 'remove',
            tombstone: {
              recordId: 'rec-1',
              version: 2,
              eventType: type,
              reason: 'some_reason',
              eventId: `ev-${type}-2`,
              removedAt: NOW,
            },
          },
        });
      });

      it('keeps a tombstone for a record it never held, and acknowledges', () => {
        const d = applyFeedEvent(NONE, event(type, 1), NOW);
        expect(d.acknowledge).toBe(true);
        expect(d.change.type).toBe('remove');
      });

      it('changes nothing for a record already removed at that version, but acknowledges again', () => {
        expect(applyFeedEvent(removed(1), event(type, 1), NOW)).toEqual({
          acknowledge: true,
          change: { type: 'none', why: expect.stringContaining('already removed') },
        });
      });

      it('ignores a deletion of an older version than the one held, but acknowledges it', () => {
        const d = applyFeedEvent(held(3), event(type, 2), NOW);
        expect(d).toEqual({
          acknowledge: true,
          change: { type: 'none', why: expect.stringContaining('v3 is held') },
        });
      });
    },
  );
});
