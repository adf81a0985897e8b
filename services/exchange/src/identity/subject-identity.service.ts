import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** A personal-data key: its id (stored with every ciphertext) and its 32 bytes. */
export interface PiiKey {
  id: string;
  key: Buffer;
}

/** The feed-contract scheme of the subject ids in feeds (`ce_pseudonymscheme`); see the README. */
export const FEED_PSEUDONYM_SCHEME = 'subscriber-v2';

/** A natural person's pseudonym in one subscriber's feed: `S` and 32 hex digits. */
export const SUBSCRIBER_PSEUDONYM = /^S[0-9A-F]{32}$/;
/** A natural person's canonical pseudonym, the exchange's own key (never in a feed since v2). */
export const CANONICAL_PSEUDONYM = /^P[0-9A-F]{32}$/;

// Ciphertext with a key id: MAGIC | id length (1 byte) | id (ASCII) | iv (12) | tag (16) | body.
// Older ciphertext is iv | tag | body with no id; see decrypt.
const MAGIC = Buffer.from('pii1', 'ascii');
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Natural persons' identity numbers: a keyed pseudonym as their canonical id, a pseudonym per
 * subscriber derived from it for feeds, and AES-256-GCM for the clear number at rest, under a key
 * whose id is stored with the ciphertext so the key can be rotated.
 */
export class SubjectIdentityService {
  private readonly current: PiiKey;
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly feedKeys = new Map<string, Buffer>();

  /** `keys[0]` is the current key (new ciphertext); the others only decrypt, until rotated away. */
  constructor(
    private readonly pseudonymSecret: string,
    keys: readonly PiiKey[],
  ) {
    if (keys.length === 0) throw new Error('at least one personal-data key is required');
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id))
        throw new Error(`personal-data key id ${JSON.stringify(id)} is not 1-64 of [A-Za-z0-9._-]`);
      if (key.length !== 32) throw new Error(`personal-data key ${id} must be 32 bytes`);
    }
    const ids = keys.map((k) => k.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new Error(`personal-data key id ${twice} is given twice`);
    this.current = keys[0]!;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  pseudonymise = (idNumber: string): string =>
    `P${createHmac('sha256', this.pseudonymSecret).update(`natural_person:${idNumber}`).digest('hex').slice(0, 32).toUpperCase()}`;

  /**
   * The id one subscriber knows a subject by: a company's code as is; for a person, the canonical
   * pseudonym's 128 bits through AES-256 (one block, a keyed permutation) under a key derived for
   * that subscriber, so no two subscribers' pseudonyms for a person can be joined without the
   * secret, and the exchange can turn a subscriber's own pseudonym back into the subject.
   */
  subjectIdFor(subscriberId: string, subject: { kind: string; canonicalId: string }): string {
    if (subject.kind !== 'natural_person' || !CANONICAL_PSEUDONYM.test(subject.canonicalId))
      return subject.canonicalId;
    const cipher = createCipheriv('aes-256-ecb', this.feedKey(subscriberId), null).setAutoPadding(false);
    const block = Buffer.from(subject.canonicalId.slice(1), 'hex');
    return `S${Buffer.concat([cipher.update(block), cipher.final()])
      .toString('hex')
      .toUpperCase()}`;
  }

  /** The canonical pseudonym behind a subscriber's own pseudonym (another's gives a subject nobody has). */
  canonicalOf(subscriberId: string, pseudonym: string): string {
    if (!SUBSCRIBER_PSEUDONYM.test(pseudonym)) throw new Error('not a subscriber pseudonym');
    const decipher = createDecipheriv('aes-256-ecb', this.feedKey(subscriberId), null).setAutoPadding(false);
    const block = Buffer.from(pseudonym.slice(1), 'hex');
    return `P${Buffer.concat([decipher.update(block), decipher.final()])
      .toString('hex')
      .toUpperCase()}`;
  }

  private feedKey(subscriberId: string): Buffer {
    let key = this.feedKeys.get(subscriberId);
    if (!key) {
      key = Buffer.from(
        hkdfSync(
          'sha256',
          this.pseudonymSecret,
          'cie/feed-pseudonym',
          `${FEED_PSEUDONYM_SCHEME}:${subscriberId}`,
          32,
        ),
      );
      this.feedKeys.set(subscriberId, key);
    }
    return key;
  }

  encrypt(clear: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const id = Buffer.from(this.current.id, 'ascii');
    // The key id is authenticated too: a ciphertext cannot be passed off as another key's.
    const prefix = Buffer.concat([MAGIC, Buffer.from([id.length]), id]);
    cipher.setAAD(prefix);
    const body = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
    return Buffer.concat([prefix, iv, cipher.getAuthTag(), body]);
  }

  /** The id of the key a ciphertext is sealed with, or undefined for ciphertext from before key ids. */
  keyIdOf(sealed: Buffer): string | undefined {
    return this.parse(sealed)?.keyId;
  }

  decrypt(sealed: Buffer): string {
    const parsed = this.parse(sealed);
    let failure = new Error('the identity number opens under none of the configured keys');
    if (parsed) {
      const key = this.keys.get(parsed.keyId);
      if (key) return open(key, parsed.rest, parsed.prefix);
      failure = new Error(`the identity number is sealed with key ${parsed.keyId}, which is not configured`);
    }
    // Before key ids: iv | tag | body under one of the configured keys (GCM tells which). Also
    // tried for a legacy iv that happens to read as a key id.
    for (const key of this.keys.values()) {
      try {
        return open(key, sealed);
      } catch {
        // not this key
      }
    }
    throw failure;
  }

  private parse(sealed: Buffer): { keyId: string; prefix: Buffer; rest: Buffer } | undefined {
    if (sealed.length < MAGIC.length + 2 + 28 || !sealed.subarray(0, MAGIC.length).equals(MAGIC))
      return undefined;
    const length = sealed[MAGIC.length]!;
    const end = MAGIC.length + 1 + length;
    const keyId = sealed.subarray(MAGIC.length + 1, end).toString('ascii');
    // A legacy iv that happens to start with the magic bytes is not a well-formed id.
    if (!KEY_ID.test(keyId) || sealed.length < end + 28) return undefined;
    return { keyId, prefix: sealed.subarray(0, end), rest: sealed.subarray(end) };
  }
}

function open(key: Buffer, sealed: Buffer, aad?: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}
