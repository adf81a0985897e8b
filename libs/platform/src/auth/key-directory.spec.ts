import type { ConfigurationError } from '../config/load-config.js';
import { hashBearerKey, KeyDirectory } from './key-directory.js';

const where = { variable: 'CLIENTS_FILE', file: '/etc/cie/clients.json', demoMode: false };
const entry = (id: string, key: string) => ({ id, keySha256: hashBearerKey(key), holder: { id } });
const problemsOf = (build: () => unknown): string[] => {
  try {
    build();
    return [];
  } catch (error) {
    return (error as ConfigurationError).problems;
  }
};

describe('key directory', () => {
  it('Given distinct keys, When a bearer header comes, Then its holder is found, and an unknown key is not', () => {
    const keys = KeyDirectory.of(where, [entry('ops', 'k1'), entry('desk', 'k2')]);
    expect(keys.fromHeader('Bearer k2')).toEqual({ id: 'desk' });
    expect(keys.fromHeader('bearer k1')).toEqual({ id: 'ops' });
    expect(keys.fromHeader('Bearer nope')).toBeUndefined();
    expect(keys.fromHeader('Basic k1')).toBeUndefined();
    expect(keys.fromHeader(undefined)).toBeUndefined();
  });

  it('Given two entries with one hash, When loaded, Then both are named instead of one silently winning', () => {
    expect(problemsOf(() => KeyDirectory.of(where, [entry('ops', 'same'), entry('desk', 'same')]))).toEqual([
      'CLIENTS_FILE /etc/cie/clients.json: desk has the same key hash as ops; every key must be unique',
    ]);
  });

  it('Given a published demo key copied elsewhere, When loaded without DEMO_MODE, Then it is refused', () => {
    const demo = [entry('ops', 'demo-key-operator')];
    expect(problemsOf(() => KeyDirectory.of(where, demo))).toEqual([
      'CLIENTS_FILE /etc/cie/clients.json: ops has a published demo key; set your own keys or DEMO_MODE=1',
    ]);
    expect(problemsOf(() => KeyDirectory.of({ ...where, demoMode: true }, demo))).toEqual([]);
  });
});
