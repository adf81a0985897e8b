import { type AuditChainRow, checkEntryInChain, GENESIS_HASH, hashEntry } from './audit-chain.js';

function chain(n: number): AuditChainRow[] {
  const rows: AuditChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = {
      seq: String(i),
      recordedAt: new Date(Date.UTC(2026, 11, 2, 0, 0, i)),
      kind: 'check_receipt',
      actor: 'ops',
      subjectId: null,
      recordId: null,
      details: { number: `CHK-20261202-00000${i}` },
    };
    const hash = hashEntry(prev, content);
    rows.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('one audit entry in its chain', () => {
  const [a, b, c] = chain(3) as [AuditChainRow, AuditChainRow, AuditChainRow];

  it('Given an untouched chain, When the middle entry is checked, Then no problem', () => {
    expect(checkEntryInChain(a, b, c)).toEqual([]);
    expect(checkEntryInChain(undefined, a, b)).toEqual([]);
    expect(checkEntryInChain(b, c, undefined)).toEqual([]);
  });

  it('Given its details edited, When checked, Then edited; and its successor no longer links if rehashed', () => {
    const edited = { ...b, details: { number: 'CHK-20261202-000009' } };
    expect(checkEntryInChain(a, edited, c).map((p) => p.problem)).toEqual(['edited']);
    const rehashed = { ...edited, hash: hashEntry(edited.prevHash, edited) };
    expect(checkEntryInChain(a, rehashed, c)).toEqual([
      expect.objectContaining({ seq: '3', problem: 'inserted' }),
    ]);
  });

  it('Given the entry before it missing, When checked, Then deleted', () => {
    expect(checkEntryInChain(undefined, b, c).map((p) => p.problem)).toEqual(['deleted']);
  });
});
