import { createCipheriv, randomBytes } from 'node:crypto';
import { SubjectIdentityService } from './subject-identity.service.js';

describe('subject identity protection', () => {
  const oldKey = { id: 'k0', key: randomBytes(32) };
  const newKey = { id: 'k1', key: randomBytes(32) };
  const service = new SubjectIdentityService('a-test-secret-that-is-long-enough!!', [newKey]);

  it('gives a person the same pseudonym every time, and a different one under another secret', () => {
    const id = '11010519491231002X';
    expect(service.pseudonymise(id)).toBe(service.pseudonymise(id));
    expect(service.pseudonymise(id)).toMatch(/^P[0-9A-F]{32}$/);
    const other = new SubjectIdentityService('another-secret-that-is-long-enough!', [newKey]);
    expect(other.pseudonymise(id)).not.toBe(service.pseudonymise(id));
  });

  it('encrypts the clear number so that the bytes at rest do not contain it, and decrypts it back', () => {
    const sealed = service.encrypt('11010519491231002X');
    expect(sealed.toString('latin1')).not.toContain('11010519491231002X');
    expect(service.decrypt(sealed)).toBe('11010519491231002X');
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = service.encrypt('11010519491231002X');
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    expect(() => service.decrypt(sealed)).toThrow();
  });

  it('gives each subscriber its own pseudonym for a person, and turns only its own back into the subject', () => {
    const person = { kind: 'natural_person', canonicalId: service.pseudonymise('11010519491231002X') };
    const a = service.subjectIdFor('shanghai-platform', person);
    const b = service.subjectIdFor('beijing-platform', person);
    expect(a).toMatch(/^S[0-9A-F]{32}$/);
    expect(a).not.toBe(b);
    expect(service.subjectIdFor('shanghai-platform', person)).toBe(a);
    expect(service.canonicalOf('shanghai-platform', a)).toBe(person.canonicalId);
    // Another subscriber's pseudonym names nobody for this one.
    expect(service.canonicalOf('shanghai-platform', b)).not.toBe(person.canonicalId);
    // A company's code is the same for everyone.
    expect(service.subjectIdFor('a', { kind: 'legal_entity', canonicalId: '91110105MA01C8XK3R' })).toBe(
      '91110105MA01C8XK3R',
    );
  });

  it('seals under the current key with its id, and opens what an earlier key sealed, with or without an id', () => {
    const before = new SubjectIdentityService('a-test-secret-that-is-long-enough!!', [oldKey]);
    const withId = before.encrypt('11010519491231002X');
    expect(before.keyIdOf(withId)).toBe('k0');
    const rotated = new SubjectIdentityService('a-test-secret-that-is-long-enough!!', [newKey, oldKey]);
    expect(rotated.decrypt(withId)).toBe('11010519491231002X');
    expect(rotated.keyIdOf(rotated.encrypt('x'))).toBe('k1');
    // Ciphertext from before key ids: iv | tag | body, no id.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', oldKey.key, iv);
    const body = Buffer.concat([cipher.update('11010519491231002X', 'utf8'), cipher.final()]);
    const legacy = Buffer.concat([iv, cipher.getAuthTag(), body]);
    expect(rotated.keyIdOf(legacy)).toBeUndefined();
    expect(rotated.decrypt(legacy)).toBe('11010519491231002X');
    // Once the old key is removed, what it sealed no longer opens, naming the key.
    expect(() => service.decrypt(withId)).toThrow('sealed with key k0, which is not configured');
  });

  it('refuses duplicate key ids and keys that are not 32 bytes', () => {
    expect(() => new SubjectIdentityService('s'.repeat(32), [newKey, { ...oldKey, id: 'k1' }])).toThrow(
      'key id k1 is given twice',
    );
    expect(() => new SubjectIdentityService('s'.repeat(32), [{ id: 'k1', key: randomBytes(16) }])).toThrow(
      'must be 32 bytes',
    );
  });
});
