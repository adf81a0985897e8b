import { randomBytes } from 'node:crypto';
import { SubjectIdentityService } from './subject-identity.service.js';

describe('subject identity protection', () => {
  const service = new SubjectIdentityService(
    'a-test-secret-that-is-long-enough!!',
    randomBytes(32).toString('base64'),
  );

  it('gives a person the same pseudonym every time, and a different one under another secret', () => {
    const id = '11010519491231002X';
    expect(service.pseudonymise(id)).toBe(service.pseudonymise(id));
    expect(service.pseudonymise(id)).toMatch(/^P[0-9A-F]{32}$/);
    const other = new SubjectIdentityService(
      'another-secret-that-is-long-enough!',
      randomBytes(32).toString('base64'),
    );
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
});
