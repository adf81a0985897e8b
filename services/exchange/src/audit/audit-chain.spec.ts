import {
  type AuditChainRow,
  canonicalJson,
  canonicalJsonOf,
  ChainVerifier,
  GENESIS_HASH,
  hashEntry,
  hashPrepared,
  prepareEntry,
  verifyChain,
} from './audit-chain.js';

/** A valid chain of `n` entries, seq 1..n. */
function chain(n: number): AuditChainRow[] {
  const rows: AuditChainRow[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = {
      seq: String(i),
      recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      kind: i % 2 ? 'routing_decision' : 'delivery',
      actor: 'exchange-0',
      subjectId: `P${i}`,
      recordId: null,
      details: { subscriber: 'beijing-platform', rule: `r#${i}`, fields: ['name', 'idNumber'] },
    };
    const hash = hashEntry(prevHash, content);
    rows.push({ ...content, prevHash, hash });
    prevHash = hash;
  }
  return rows;
}

/** The same row with its contents changed and its hash recomputed over them. */
function rehashed(row: AuditChainRow, change: Partial<AuditChainRow>): AuditChainRow {
  const changed = { ...row, ...change };
  return { ...changed, hash: hashEntry(changed.prevHash, changed) };
}

describe('audit hash chain', () => {
  it('gives the same hash when the entry is prepared before its seq is known', () => {
    // Given entries whose details hold a nested "seq" and text that looks like the marker
    const entries = [
      ...chain(3),
      {
        ...chain(1)[0]!,
        seq: '9007199254740993',
        subjectId: 'P"seq":"x"',
        details: { seq: '\u0000', nested: { seq: 7 }, note: '"seq":"\u0000"' },
      },
    ];
    for (const entry of entries) {
      // When it is prepared without its seq and hashed once the seq is known
      const { seq, prevHash, ...content } = entry;
      const prepared = hashPrepared(prevHash, prepareEntry(content), BigInt(seq));
      // Then the hash is byte for byte the one of the whole entry
      expect(prepared).toBe(hashEntry(prevHash, entry));
    }
  });

  it('serialises details in one pass to exactly the canonical JSON of their round trip through JSON', () => {
    // Given values with dates, undefined, non-finite numbers, toJSON, integer-like keys and unicode
    const values: unknown[] = [
      { b: 1, a: [{ d: undefined, c: 'é' }], '10': 'x', '2': 'y' },
      {
        at: new Date('2026-12-02T01:02:03.004Z'),
        list: [undefined, () => 1, Number.NaN, Infinity, -0, 1e21],
      },
      { nested: { toJSON: () => ({ z: 1, y: [null, true] }) }, s: 'line\n"quoted"\u0000\u2028', f: () => 1 },
      { deep: [[[{ k: 0.1 + 0.2 }]]], empty: {}, none: [] },
      [1, 'two', null],
      'text',
      null,
    ];
    // When serialised both ways, Then the texts are byte for byte the same
    for (const value of values) expect(canonicalJsonOf(value)).toBe(canonicalJson(value));
    expect(() => canonicalJsonOf({ big: 1n })).toThrow(/BigInt/);
  });

  it('hashes the same contents to the same hash whatever the key order, and chains on the previous hash', () => {
    // Given the same entry with its details' keys in two orders
    const base = {
      seq: 1,
      recordedAt: new Date('2026-01-01T00:00:00.000Z'),
      kind: 'query',
      actor: 'operator:alice',
      subjectId: null,
      recordId: null,
    };
    // When both are hashed after the genesis hash, and once after another hash
    const a = hashEntry(GENESIS_HASH, { ...base, details: { b: 1, a: { y: [1, { d: 2, c: 3 }], x: null } } });
    const b = hashEntry(GENESIS_HASH, { ...base, details: { a: { x: null, y: [1, { c: 3, d: 2 }] }, b: 1 } });
    const c = hashEntry('f'.repeat(64), {
      ...base,
      details: { b: 1, a: { y: [1, { d: 2, c: 3 }], x: null } },
    });
    // Then the key order does not matter, the previous hash does, and the hash is SHA-256 hex
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'é' }] })).toBe('{"a":[{"c":"é"}],"b":1}');
    // And seq is hashed by value, whether it comes as a number, a string or a bigint
    expect(hashEntry(GENESIS_HASH, { ...base, seq: '1', details: {} })).toBe(
      hashEntry(GENESIS_HASH, { ...base, seq: 1n, details: {} }),
    );
  });

  it('accepts an intact chain and reports its length and last hash', () => {
    // Given an untouched chain of five entries
    const rows = chain(5);
    // When it is verified
    const result = verifyChain(rows);
    // Then it is OK
    expect(result).toEqual({ ok: true, entries: 5, lastSeq: '5', lastHash: rows[4]!.hash });
  });

  it('accepts an empty log', () => {
    expect(verifyChain([])).toEqual({ ok: true, entries: 0, lastSeq: null, lastHash: GENESIS_HASH });
  });

  it('names an entry whose contents were edited', () => {
    // Given a chain whose entry 3 had its details changed in place (hash left as it was)
    const rows = chain(5);
    rows[2] = { ...rows[2]!, details: { ...rows[2]!.details, subscriber: 'shanghai-platform' } };
    // When it is verified
    const result = verifyChain(rows);
    // Then entry 3, and only it, is reported as edited
    expect(result).toEqual({
      ok: false,
      entries: 5,
      problems: [
        { seq: '3', problem: 'edited', detail: expect.stringContaining(`stored hash ${rows[2].hash}`) },
      ],
    });
  });

  it('names an entry whose recorded time, actor or link was edited', () => {
    for (const change of [
      { recordedAt: new Date('2030-01-01T00:00:00.000Z') },
      { actor: 'someone-else' },
      { subjectId: null },
      { prevHash: 'a'.repeat(64) },
    ]) {
      // Given a chain with one field of entry 2 changed
      const rows = chain(4);
      rows[1] = { ...rows[1]!, ...change };
      // When it is verified
      const result = verifyChain(rows);
      // Then entry 2 is the one reported, as edited
      expect(result.ok ? [] : result.problems.map((p) => [p.seq, p.problem])).toEqual([['2', 'edited']]);
    }
  });

  it('names a deleted entry by the gap it leaves and the broken link', () => {
    // Given a chain with entry 3 deleted
    const rows = chain(5);
    rows.splice(2, 1);
    // When it is verified
    const result = verifyChain(rows);
    // Then entry 3 is reported as deleted
    expect(result).toEqual({
      ok: false,
      entries: 4,
      problems: [
        {
          seq: '3',
          problem: 'deleted',
          detail: expect.stringMatching(/^entry 3 is missing: entry 4 follows entry 2 and its prev_hash/),
        },
      ],
    });
  });

  it('names a run of deleted entries, including the first one', () => {
    // Given a chain without its entries 1 and 4..6
    const rows = chain(8).filter((r) => !['1', '4', '5', '6'].includes(String(r.seq)));
    // When it is verified
    const result = verifyChain(rows);
    // Then both gaps are reported from their first missing seq
    expect(result.ok ? [] : result.problems.map((p) => [p.seq, p.problem, p.detail.split(':')[0]])).toEqual([
      ['1', 'deleted', 'entry 1 is missing'],
      ['4', 'deleted', 'entries 4–6 are missing'],
    ]);
  });

  it('names an inserted entry that does not link to the one before it', () => {
    // Given a chain with a forged entry appended, self-consistent but linked to entry 2 instead of 5
    const rows = chain(5);
    const forged = rehashed(rows[4]!, {
      seq: '6',
      prevHash: rows[1]!.hash,
      details: { note: 'forged' },
    });
    rows.push(forged);
    // When it is verified
    const result = verifyChain(rows);
    // Then entry 6 is reported as inserted
    expect(result).toEqual({
      ok: false,
      entries: 6,
      problems: [
        { seq: '6', problem: 'inserted', detail: expect.stringContaining(`prev_hash ${rows[1]!.hash}`) },
      ],
    });
  });

  it('names an inserted entry that duplicates a seq', () => {
    // Given a chain with a second, self-consistent entry 3 that links to entry 2 like the real one
    const rows = chain(5);
    const duplicate = rehashed(rows[2]!, { details: { note: 'forged' } });
    rows.splice(3, 0, duplicate);
    // When it is verified
    const result = verifyChain(rows);
    // Then seq 3 is reported as inserted once, and entry 4 (linked to the real entry 3) is fine
    expect(result).toEqual({
      ok: false,
      entries: 6,
      problems: [{ seq: '3', problem: 'inserted', detail: 'a second entry with seq 3' }],
    });
  });

  it('points at an entry rewritten with a recomputed hash through the next entry’s link', () => {
    // Given entry 2 edited and re-hashed so that it is self-consistent
    const rows = chain(4);
    rows[1] = rehashed(rows[1]!, { details: { subscriber: 'public-portal' } });
    // When it is verified
    const result = verifyChain(rows);
    // Then entry 3 no longer links to it, which names both
    expect(result).toEqual({
      ok: false,
      entries: 4,
      problems: [
        {
          seq: '3',
          problem: 'inserted',
          detail: expect.stringContaining(
            'entry 3 was inserted, or entry 2 was rewritten with a recomputed hash',
          ),
        },
      ],
    });
  });

  it('names entries listed out of seq order', () => {
    // Given an intact chain whose entries 2 and 3 are listed the other way round
    const rows = chain(4);
    const swapped = [rows[0]!, rows[2]!, rows[1]!, rows[3]!];
    // When it is verified
    const result = verifyChain(swapped);
    // Then entry 2 is reported as reordered, and nothing else
    expect(result).toEqual({
      ok: false,
      entries: 4,
      problems: [{ seq: '2', problem: 'reordered', detail: 'entry 2 is listed after entry 3' }],
    });
  });

  it('gives the same answer fed one page at a time', () => {
    // Given a chain with entry 7 deleted, fed to the streaming verifier in pages of 3
    const rows = chain(10).filter((r) => r.seq !== '7');
    const verifier = new ChainVerifier();
    for (let i = 0; i < rows.length; i += 3) for (const row of rows.slice(i, i + 3)) verifier.push(row);
    // When the result is read
    const result = verifier.result();
    // Then it matches the whole-chain check
    expect(result).toEqual(verifyChain(rows));
    expect(result.ok ? [] : result.problems.map((p) => [p.seq, p.problem])).toEqual([['7', 'deleted']]);
  });
});
