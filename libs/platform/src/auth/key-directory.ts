import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ConfigurationError } from '../config/load-config.js';
import { isPublishedDemoKeyHash, PUBLISHED_DEMO_KEYS } from '../config/demo-mode.js';

const scryptAsync = promisify(scrypt) as (
  key: string,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** SHA-256 of a bearer key, hex: the format of keys files before salted hashes (still read). */
export const hashBearerKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** `scrypt:<N>:<r>:<p>:<salt, base64>:<hash, base64>`, one salt per entry. */
export const SCRYPT_KEY_HASH =
  /^scrypt:(\d{1,7}):(\d{1,2}):(\d{1,2}):([A-Za-z0-9+/]{22,}={0,2}):([A-Za-z0-9+/]{43}=)$/;

/** Cost of new hashes: about 60 ms on one core, 16 MB; stored with each hash, so it can be raised later. */
const DEFAULT_COST = { N: 16_384, r: 8, p: 1 };
const HASH_BYTES = 32;
const maxmem = (N: number, r: number) => 256 * N * r + 1024 * 1024;

// Demo keys are hashed with a salt derived from the key itself (they are public anyway), so that a
// copied demo entry is recognised by its salt without hashing every demo key against every entry.
const demoSalt = (key: string): Buffer =>
  createHash('sha256').update(`cie-demo-key-salt:${key}`).digest().subarray(0, 16);

/**
 * The salted hash of a bearer key, as keys files hold it (`keyScrypt`): scrypt with a random 16-byte
 * salt per entry (`npm run keys:hash` prints one).
 */
export function hashBearerKeyScrypt(
  key: string,
  options: { cost?: typeof DEFAULT_COST; salt?: Buffer } = {},
): string {
  const { N, r, p } = options.cost ?? DEFAULT_COST;
  const salt = options.salt ?? randomBytes(16);
  const hash = scryptSync(key, salt, HASH_BYTES, { N, r, p, maxmem: maxmem(N, r) });
  return `scrypt:${N}:${r}:${p}:${salt.toString('base64')}:${hash.toString('base64')}`;
}

/** The salted hash of a published demo key, as the demo files hold it. */
export const hashDemoBearerKey = (key: string): string =>
  hashBearerKeyScrypt(key, { cost: { N: 4096, r: 8, p: 1 }, salt: demoSalt(key) });

/** The key of `Authorization: Bearer <key>`, or undefined when the header is absent or malformed. */
export const bearerKey = (authorization: string | undefined): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];

export interface KeyEntry<T> {
  /** Who holds the key, as the file names it (for messages). */
  id: string;
  /** Salted scrypt hash (SCRYPT_KEY_HASH). */
  keyScrypt?: string;
  /** Unsalted SHA-256, hex: older files, still read. */
  keySha256?: string;
  holder: T;
}

interface ScryptEntry<T> {
  id: string;
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
  holder: T;
}

/** Keys verified lately (by a SHA-256 kept only in memory), so that a client's next call costs no scrypt. */
const CACHE_SIZE = 10_000;

/**
 * Who holds which key, from a validated keys file: salted scrypt hashes (one salt per entry), and
 * unsalted SHA-256 hashes from older files. Refused at start: an entry with both or neither, two
 * entries with one hash (one key would silently act as whichever came last) and, outside DEMO_MODE,
 * any published demo key, wherever the file was copied to. A key that verifies against two scrypt
 * entries (the same key hashed twice) authenticates nobody.
 */
export class KeyDirectory<T> {
  private readonly recent = new Map<string, T | null>();

  private constructor(
    private readonly bySha256: ReadonlyMap<string, T>,
    private readonly salted: readonly ScryptEntry<T>[],
  ) {}

  static of<T>(
    where: { variable: string; file: string; demoMode: boolean },
    entries: readonly KeyEntry<T>[],
  ): KeyDirectory<T> {
    const label = `${where.variable} ${where.file}`;
    const bySha256 = new Map<string, T>();
    const salted: ScryptEntry<T>[] = [];
    const owner = new Map<string, string>();
    const problems: string[] = [];
    const demoSalts = where.demoMode ? new Map<string, string>() : demoSaltsOf();
    for (const entry of entries) {
      const hash = entry.keyScrypt ?? entry.keySha256;
      if ((entry.keyScrypt === undefined) === (entry.keySha256 === undefined) || hash === undefined) {
        problems.push(`${label}: ${entry.id} must have one of keyScrypt and keySha256`);
        continue;
      }
      const first = owner.get(hash);
      if (first !== undefined) {
        problems.push(`${label}: ${entry.id} has the same key hash as ${first}; every key must be unique`);
        continue;
      }
      owner.set(hash, entry.id);
      if (entry.keySha256 !== undefined) {
        if (!where.demoMode && isPublishedDemoKeyHash(entry.keySha256))
          problems.push(`${label}: ${entry.id} has a published demo key; set your own keys or DEMO_MODE=1`);
        bySha256.set(entry.keySha256, entry.holder);
        continue;
      }
      const parsed = SCRYPT_KEY_HASH.exec(entry.keyScrypt!);
      const [N, r, p] = [Number(parsed?.[1]), Number(parsed?.[2]), Number(parsed?.[3])];
      if (!parsed || N < 1024 || (N & (N - 1)) !== 0 || r < 1 || p < 1) {
        problems.push(
          `${label}: ${entry.id}.keyScrypt must be scrypt:<N, a power of 2 ≥ 1024>:<r>:<p>:<salt>:<hash>`,
        );
        continue;
      }
      const scryptEntry = {
        id: entry.id,
        N,
        r,
        p,
        salt: Buffer.from(parsed[4]!, 'base64'),
        hash: Buffer.from(parsed[5]!, 'base64'),
        holder: entry.holder,
      };
      const demoKey = demoSalts.get(scryptEntry.salt.toString('base64'));
      if (
        demoKey !== undefined &&
        matches(scryptEntry, scryptSync(demoKey, scryptEntry.salt, HASH_BYTES, costOf(scryptEntry)))
      )
        problems.push(`${label}: ${entry.id} has a published demo key; set your own keys or DEMO_MODE=1`);
      salted.push(scryptEntry);
    }
    if (problems.length > 0) throw new ConfigurationError(problems);
    return new KeyDirectory(bySha256, salted);
  }

  /** Whoever holds `key`, or undefined for an unknown key. */
  async holderOf(key: string): Promise<T | undefined> {
    const sha256 = hashBearerKey(key);
    const legacy = this.bySha256.get(sha256);
    if (legacy !== undefined) return legacy;
    if (this.recent.has(sha256)) {
      const known = this.recent.get(sha256);
      this.remember(sha256, known ?? null);
      return known ?? undefined;
    }
    // Every entry is tried, off the event loop: a match does not end the search early, so that
    // the time taken does not tell which entry matched, and a key hashed twice is found.
    const found: ScryptEntry<T>[] = [];
    for (const entry of this.salted)
      if (matches(entry, await scryptAsync(key, entry.salt, HASH_BYTES, costOf(entry)))) found.push(entry);
    const holder = found.length === 1 ? found[0]!.holder : null;
    this.remember(sha256, holder);
    return holder ?? undefined;
  }

  /** Whoever holds the key of an `Authorization: Bearer <key>` header. */
  async fromHeader(authorization: string | undefined): Promise<T | undefined> {
    const key = bearerKey(authorization);
    return key === undefined ? undefined : this.holderOf(key);
  }

  private remember(sha256: string, holder: T | null): void {
    this.recent.delete(sha256);
    this.recent.set(sha256, holder);
    if (this.recent.size > CACHE_SIZE) this.recent.delete(this.recent.keys().next().value!);
  }
}

const costOf = (e: { N: number; r: number; p: number }) => ({
  N: e.N,
  r: e.r,
  p: e.p,
  maxmem: maxmem(e.N, e.r),
});
const matches = (entry: { hash: Buffer }, candidate: Buffer) =>
  candidate.length === entry.hash.length && timingSafeEqual(candidate, entry.hash);

let demoSaltCache: Map<string, string> | undefined;
/** The salt of each published demo key's hash (base64 → key). */
function demoSaltsOf(): Map<string, string> {
  demoSaltCache ??= new Map(PUBLISHED_DEMO_KEYS.map((key) => [demoSalt(key).toString('base64'), key]));
  return demoSaltCache;
}
