import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Natural persons' identity numbers: a keyed pseudonym as their canonical id, and AES-256-GCM for
 * the clear number at rest (iv | tag | ciphertext).
 */
export class SubjectIdentityService {
  private readonly key: Buffer;

  constructor(
    private readonly pseudonymSecret: string,
    encryptionKeyBase64: string,
  ) {
    this.key = Buffer.from(encryptionKeyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('the identity encryption key must be 32 bytes');
  }

  pseudonymise = (idNumber: string): string =>
    `P${createHmac('sha256', this.pseudonymSecret).update(`natural_person:${idNumber}`).digest('hex').slice(0, 32).toUpperCase()}`;

  encrypt(clear: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  }
}
