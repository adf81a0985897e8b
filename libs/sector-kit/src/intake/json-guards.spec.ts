import { canonicalJson, inspectJson } from './json-guards.js';

describe('hostile JSON', () => {
  it('names numbers JavaScript cannot hold exactly and nesting deeper than any record needs', () => {
    const deep = JSON.parse(`{"a":${'{"b":'.repeat(9)}1${'}'.repeat(9)}}`) as unknown;
    expect(
      inspectJson(JSON.parse('{"amount":1e400,"big":1152921504606846976,"ok":12.5,"list":[1,-1e309]}')),
    ).toEqual([
      { field: 'amount', detail: 'number out of range; send amounts and identifiers as strings' },
      { field: 'big', detail: 'number out of range; send amounts and identifiers as strings' },
      { field: 'list[1]', detail: 'number out of range; send amounts and identifiers as strings' },
    ]);
    expect(inspectJson(deep)).toEqual([
      { field: 'a.b.b.b.b.b.b.b.b', detail: 'nesting deeper than 8 levels' },
    ]);
  });
});

describe('content hashes', () => {
  it('do not depend on key order, and drop undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 3, e: 4 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [2, { e: 4, f: 3 }] }, b: 1 }),
    );
  });
});
