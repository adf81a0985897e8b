import { onePerRecord, RECORD_ACTIVITY } from './audit-per-record.js';

const A = '0190a8d6-0000-7000-8000-00000000000a';
const B = '0190a8d6-0000-7000-8000-00000000000b';
const about = (recordId: string | null) => ({ actor: 'exchange-1', subjectId: 'S1', recordId });

describe('one audit entry per record and batch', () => {
  it('Given several entries about one record, When folded, Then one record_activity entry lists them in order', () => {
    const folded = onePerRecord([
      { ...about(A), kind: 'routing_decision', details: { subscriberId: 'x', allowed: true } },
      { ...about(A), kind: 'routing_decision', details: { subscriberId: 'y', allowed: false } },
      { ...about(A), kind: 'delivery', details: { subscriberId: 'x' } },
    ]);
    expect(folded).toEqual([
      {
        ...about(A),
        kind: RECORD_ACTIVITY,
        details: {
          entries: [
            { kind: 'routing_decision', details: { subscriberId: 'x', allowed: true } },
            { kind: 'routing_decision', details: { subscriberId: 'y', allowed: false } },
            { kind: 'delivery', details: { subscriberId: 'x' } },
          ],
        },
      },
    ]);
  });

  it('Given entries of two records interleaved and one without a record, When folded, Then only consecutive runs fold, so the order across records stays', () => {
    const folded = onePerRecord([
      { ...about(A), kind: 'routing_decision', details: { n: 1 } },
      { ...about(A), kind: 'delivery', details: { n: 2 } },
      { ...about(null), kind: 'policy_change', details: { version: 'v2' } },
      { ...about(B), kind: 'list_entry_created', details: { n: 3 } },
      { ...about(A), kind: 'list_entry_ended', details: { n: 4 } },
      { ...about(B), kind: 'measure_task_sent', details: { n: 5 } },
      { ...about(B), kind: 'measure_task_sent', details: { n: 6 } },
    ]);
    expect(folded.map((e) => [e.kind, e.recordId])).toEqual([
      [RECORD_ACTIVITY, A],
      ['policy_change', null],
      ['list_entry_created', B],
      ['list_entry_ended', A],
      [RECORD_ACTIVITY, B],
    ]);
    expect(folded[4]?.details).toEqual({
      entries: [
        { kind: 'measure_task_sent', details: { n: 5 } },
        { kind: 'measure_task_sent', details: { n: 6 } },
      ],
    });
  });

  it('Given a lone entry, or entries by different actors or times, When folded, Then they stay apart and unchanged', () => {
    const lone = { ...about(A), kind: 'list_entry_ended', details: { entryId: 'e1' } };
    const other = { ...about(A), actor: 'subscriber:x', kind: 'measure_task_answered', details: {} };
    const later = { ...about(A), recordedAt: new Date(1), kind: 'delivery', details: {} };
    expect(onePerRecord([lone, other, later])).toEqual([lone, other, later]);
  });
});
