import { validate, version } from 'uuid';
import { UuidV7Generator } from './clock.js';

describe('UuidV7Generator', () => {
  it('Given many ids in the same milliseconds, When generated, Then each is a valid v7, unique and greater than the one before', () => {
    const ids = new UuidV7Generator();
    const made = Array.from({ length: 20_000 }, () => ids.next());
    for (const id of made.slice(0, 100)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect(new Set(made).size).toBe(made.length);
    for (let i = 1; i < made.length; i++) expect(made[i]! > made[i - 1]!).toBe(true);
  });

  it('Given two generators, When each makes ids, Then their random bits differ (the pool is not shared or fixed)', () => {
    const a = new UuidV7Generator().next();
    const b = new UuidV7Generator().next();
    expect(a.slice(-12)).not.toBe(b.slice(-12));
  });

  it('Given the time of an id, When read back from its first 48 bits, Then it is the time it was made', () => {
    const before = Date.now();
    const id = new UuidV7Generator().next();
    const msecs = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(Date.now() + 1);
  });
});
