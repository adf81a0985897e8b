import { canonicalJson, inspectJson, MAX_DEPTH, parseAgencyJson } from './json-guards.js';

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

  it('given a 20,000-deep array, when inspected, then one field problem comes back at once, without recursion', () => {
    const depth = 20_000;
    const value = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
    const started = performance.now();
    const problems = inspectJson({ attributes: value });
    expect(performance.now() - started).toBeLessThan(50);
    expect(problems).toEqual([
      { field: `attributes${'[0]'.repeat(MAX_DEPTH)}`, detail: 'nesting deeper than 8 levels' },
    ]);
  });

  it('given control characters in values and in member names, when inspected, then each is named by its path', () => {
    const problems = inspectJson({
      note: 'a\u0000b',
      subject: { name: '上海\u0007建材', kind: 'legal_entity' },
      restrictedMeasures: ['air_travel', 'x\u007f'],
      attributes: { 'x\u0000': 'ok', y: 'multi\nline\ttext\r\n' },
    });
    expect(problems.map((p) => p.field)).toEqual([
      'note',
      'subject.name',
      'restrictedMeasures[1]',
      'attributes.x\\u0000',
    ]);
    expect(problems[0]?.detail).toMatch(/^note contains a control character \(U\+0000 at position 1;/);
    expect(problems[3]?.detail).toMatch(/^the field name contains a control character \(U\+0000/);
  });

  it('given a body full of bad strings, when inspected, then the answer stays small', () => {
    expect(inspectJson(Array.from({ length: 10_000 }, () => '\u0000'))).toHaveLength(20);
  });
});

describe('an agency’s raw JSON', () => {
  it('given UTF-8 JSON bytes, when parsed, then the value comes back', () => {
    expect(parseAgencyJson(Buffer.from('{"note":"已更正"}'))).toEqual({
      ok: true,
      value: { note: '已更正' },
    });
  });

  it('given bytes that are not UTF-8 or not JSON, when parsed, then a problem says which', () => {
    expect(parseAgencyJson(Buffer.from([0x7b, 0xff, 0x7d]))).toEqual({
      ok: false,
      problems: [{ field: '', detail: 'not UTF-8' }],
    });
    const broken = parseAgencyJson('{not json');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problems[0]?.detail).toMatch(/^not JSON: /);
  });

  it('given 20,000 levels of nesting, when parsed, then it parses without overflowing the stack', () => {
    const depth = 20_000;
    expect(parseAgencyJson(`${'['.repeat(depth)}${']'.repeat(depth)}`).ok).toBe(true);
  });
});

describe('content hashes', () => {
  it('do not depend on key order, and drop undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 3, e: 4 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [2, { e: 4, f: 3 }] }, b: 1 }),
    );
  });
});
