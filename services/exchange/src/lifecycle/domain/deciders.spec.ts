import type { CanonicalRecord } from '../../domain/canonical-record.js';
import { decideCorrection, decideWithdrawal } from '../../publication/domain/agency-change.js';
import { decideExpiry, decideFiling, decideRepair, decideResolution, type DisputeState } from './deciders.js';

const record = { recordId: 'r1', sector: 'courts', agencyId: 'court-a', status: 'active' as const };
const openDispute: DisputeState = {
  disputeId: 'd1',
  sector: 'courts',
  agencyId: 'court-a',
  version: 1,
  status: 'open',
};
const court = { sector: 'courts', agencyId: 'court-a' };

describe('filing a dispute', () => {
  it('Given an active record and an open dispute, When filed, Then the record is flagged', () => {
    expect(decideFiling(record, openDispute, { recordId: 'r1', disputeId: 'd1' })).toEqual({ flag: true });
  });
  it('Given no such record, Then it is refused as unknown', () => {
    expect(decideFiling(undefined, undefined, { recordId: 'r9', disputeId: 'd1' })).toEqual({
      refused: { code: 'unknown_record', detail: 'no record r9 to dispute' },
    });
  });
  it('Given a record that ended, Then the dispute closes as upheld with the reason', () => {
    expect(
      decideFiling({ ...record, status: 'expired' }, openDispute, { recordId: 'r1', disputeId: 'd1' }),
    ).toEqual({
      close: 'the record was already expired',
    });
  });
  it('Given a dispute already resolved, Then filing it again is refused', () => {
    const resolved = { ...openDispute, status: 'resolved' as const };
    expect(decideFiling(record, resolved, { recordId: 'r1', disputeId: 'd1' })).toMatchObject({
      refused: { code: 'invalid_state' },
    });
  });
});

describe('resolving a dispute', () => {
  const at = (version: number) => () => version;
  it('Given the owning court and a known outcome, When it answers, Then the outcome stands', () => {
    expect(decideResolution(openDispute, court, { disputeId: 'd1', outcome: 'upheld' }, at(1))).toEqual({
      outcome: 'upheld',
    });
  });
  it('Given another agency or another sector, Then it is refused as not the owner', () => {
    expect(
      decideResolution(
        openDispute,
        { ...court, agencyId: 'court-b' },
        { disputeId: 'd1', outcome: 'upheld' },
        at(1),
      ),
    ).toMatchObject({
      refused: { code: 'not_owner', detail: 'dispute d1 belongs to agency court-a, not to court-b' },
    });
    expect(
      decideResolution(
        openDispute,
        { ...court, sector: 'tax' },
        { disputeId: 'd1', outcome: 'upheld' },
        at(1),
      ),
    ).toMatchObject({
      refused: { code: 'not_owner' },
    });
  });
  it('Given "corrected" before any correction was sent, Then it is refused until the correction comes', () => {
    expect(
      decideResolution(openDispute, court, { disputeId: 'd1', outcome: 'corrected' }, at(1)),
    ).toMatchObject({
      refused: { code: 'invalid_state' },
    });
    expect(decideResolution(openDispute, court, { disputeId: 'd1', outcome: 'corrected' }, at(2))).toEqual({
      outcome: 'corrected',
    });
  });
  it('Given an unknown outcome or a second answer, Then each is refused', () => {
    expect(decideResolution(openDispute, court, { disputeId: 'd1', outcome: 'maybe' }, at(1))).toMatchObject({
      refused: { code: 'invalid_field' },
    });
    expect(
      decideResolution(
        { ...openDispute, status: 'resolved' },
        court,
        { disputeId: 'd1', outcome: 'upheld' },
        at(1),
      ),
    ).toMatchObject({
      refused: { code: 'invalid_state' },
    });
    expect(decideResolution(undefined, court, { disputeId: 'd9', outcome: 'upheld' }, at(1))).toMatchObject({
      refused: { code: 'unknown_record' },
    });
  });
});

describe('deciding a repair', () => {
  const pending = { requestId: 'q1', sector: 'courts', agencyId: 'court-a', status: 'pending' as const };
  it('Given the owner approves or rejects a pending request, Then that is the decision', () => {
    expect(decideRepair(pending, court, { requestId: 'q1', approved: true })).toEqual({ status: 'approved' });
    expect(decideRepair(pending, court, { requestId: 'q1', approved: false })).toEqual({
      status: 'rejected',
    });
  });
  it('Given a decided request or another agency, Then it is refused', () => {
    expect(
      decideRepair({ ...pending, status: 'approved' }, court, { requestId: 'q1', approved: true }),
    ).toMatchObject({ refused: { code: 'invalid_state' } });
    expect(
      decideRepair(pending, { ...court, agencyId: 'x' }, { requestId: 'q1', approved: true }),
    ).toMatchObject({ refused: { code: 'not_owner' } });
  });
});

describe('expiry', () => {
  const until = (disclosureUntil: string) => ({ disclosure: { disclosureUntil } }) as CanonicalRecord;
  it('Given the period ended before today, Then the record expires; on its last day it does not', () => {
    expect(decideExpiry(until('2026-11-30'), 'active', '2026-12-01')).toBe('expire');
    expect(decideExpiry(until('2026-12-01'), 'active', '2026-12-01')).toBe('not_due');
  });
  it('Given a record that already ended, Then nothing happens', () => {
    expect(decideExpiry(until('2020-01-01'), 'withdrawn', '2026-12-01')).toBe('already_ended');
  });
});

describe('an agency correcting or withdrawing its record', () => {
  const v1 = {
    recordId: 'r1',
    version: 1,
    status: 'active',
    subject: { kind: 'legal_entity', canonicalId: '91110105MA01C8XK3R', name: 'A', regionCode: '110105' },
  } as CanonicalRecord;
  it('Given the same subject, When corrected, Then it becomes the next version, status corrected', () => {
    expect(
      decideCorrection(
        { status: 'active', current: v1 },
        { ...v1, subject: { ...v1.subject, name: 'B' } },
        's1',
        'a',
      ),
    ).toEqual({
      record: expect.objectContaining({ version: 2, status: 'corrected' }),
    });
  });
  it('Given another subject kind or number, When corrected, Then it is refused as subject_identity_changed', () => {
    const person = {
      ...v1,
      subject: { kind: 'natural_person', canonicalId: 'P123', name: 'C', regionCode: '310115' },
    } as CanonicalRecord;
    const decided = decideCorrection({ status: 'active', current: v1 }, person, 's1', 'a');
    expect(decided).toMatchObject({ refused: { code: 'subject_identity_changed' } });
    expect('refused' in decided && decided.refused.detail).toMatch(/^subject_identity_changed: /);
  });
  it('Given no record or an ended one, Then a correction or withdrawal is refused', () => {
    expect(decideCorrection(undefined, v1, 's1', 'a')).toEqual({
      refused: { code: 'unknown_record', detail: 'agency a has no record s1 to correct' },
    });
    expect(decideWithdrawal({ status: 'withdrawn', current: v1 }, 's1', 'a')).toEqual({
      refused: { code: 'invalid_state', detail: 'record s1 of agency a was withdrawn' },
    });
    expect(decideWithdrawal({ status: 'active', current: v1 }, 's1', 'a')).toEqual({
      record: { ...v1, status: 'withdrawn' },
    });
  });
});
