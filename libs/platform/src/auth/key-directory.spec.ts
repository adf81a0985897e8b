import type { ConfigurationError } from '../config/load-config.js';
import { hashBearerKey, hashBearerKeyScrypt, hashDemoBearerKey, KeyDirectory } from './key-directory.js';

const where = { variable: 'CLIENTS_FILE', file: '/etc/cie/clients.json', demoMode: false };
// A low cost keeps the tests quick; the format and the check are the same.
const cost = { N: 1024, r: 8, p: 1 };
const salted = (id: string, key: string) => ({
  id,
  keyScrypt: hashBearerKeyScrypt(key, { cost }),
  holder: { id },
});
const legacy = (id: string, key: string) => ({ id, keySha256: hashBearerKey(key), holder: { id } });
const problemsOf = (build: () => unknown): string[] => {
  try {
    build();
    return [];
  } catch (error) {
    return (error as ConfigurationError).problems;
  }
};

describe('key directory', () => {
  it('Given salted keys, When a bearer header comes, Then its holder is found, and an unknown key is not', async () => {
    const keys = KeyDirectory.of(where, [salted('ops', 'key-one'), salted('desk', 'key-two')]);
    expect(await keys.fromHeader('Bearer key-two')).toEqual({ id: 'desk' });
    expect(await keys.fromHeader('bearer key-one')).toEqual({ id: 'ops' });
    // Asked again: the same answer (from memory, without hashing again).
    expect(await keys.fromHeader('Bearer key-one')).toEqual({ id: 'ops' });
    expect(await keys.fromHeader('Bearer nope')).toBeUndefined();
    expect(await keys.fromHeader('Bearer nope')).toBeUndefined();
    expect(await keys.fromHeader('Basic key-one')).toBeUndefined();
    expect(await keys.fromHeader(undefined)).toBeUndefined();
  });

  it('Given one key hashed twice, each with its own salt, Then the hashes differ and the key authenticates nobody', async () => {
    const [a, b] = [salted('ops', 'same'), salted('desk', 'same')];
    expect(a.keyScrypt).not.toBe(b.keyScrypt);
    const keys = KeyDirectory.of(where, [a, b]);
    expect(await keys.fromHeader('Bearer same')).toBeUndefined();
  });

  it('Given an older file of unsalted SHA-256 hashes, Then it is still read, beside salted entries', async () => {
    const keys = KeyDirectory.of(where, [legacy('ops', 'old-key'), salted('desk', 'new-key')]);
    expect(await keys.fromHeader('Bearer old-key')).toEqual({ id: 'ops' });
    expect(await keys.fromHeader('Bearer new-key')).toEqual({ id: 'desk' });
  });

  it('Given two entries with one hash, or an entry with both or neither, When loaded, Then each is named', () => {
    const copy = salted('ops', 'x');
    expect(
      problemsOf(() =>
        KeyDirectory.of(where, [
          copy,
          { ...copy, id: 'desk' },
          legacy('a', 'same'),
          legacy('b', 'same'),
          { id: 'both', keyScrypt: copy.keyScrypt, keySha256: hashBearerKey('y'), holder: { id: 'both' } },
          { id: 'neither', holder: { id: 'neither' } },
          {
            id: 'weak',
            keyScrypt: copy.keyScrypt.replace(/^scrypt:1024/, 'scrypt:1000'),
            holder: { id: 'weak' },
          },
        ]),
      ),
    ).toEqual([
      'CLIENTS_FILE /etc/cie/clients.json: desk has the same key hash as ops; every key must be unique',
      'CLIENTS_FILE /etc/cie/clients.json: b has the same key hash as a; every key must be unique',
      'CLIENTS_FILE /etc/cie/clients.json: both must have one of keyScrypt and keySha256',
      'CLIENTS_FILE /etc/cie/clients.json: neither must have one of keyScrypt and keySha256',
      'CLIENTS_FILE /etc/cie/clients.json: weak.keyScrypt must be scrypt:<N, a power of 2 ≥ 1024>:<r>:<p>:<salt>:<hash>',
    ]);
  });

  it('Given a published demo key copied elsewhere, salted or not, When loaded without DEMO_MODE, Then it is refused', () => {
    for (const demo of [
      [{ id: 'ops', keyScrypt: hashDemoBearerKey('demo-key-operator'), holder: { id: 'ops' } }],
      [legacy('ops', 'demo-key-operator')],
    ]) {
      expect(problemsOf(() => KeyDirectory.of(where, demo))).toEqual([
        'CLIENTS_FILE /etc/cie/clients.json: ops has a published demo key; set your own keys or DEMO_MODE=1',
      ]);
      expect(problemsOf(() => KeyDirectory.of({ ...where, demoMode: true }, demo))).toEqual([]);
    }
  });
});
