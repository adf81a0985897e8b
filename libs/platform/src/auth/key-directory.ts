import { createHash } from 'node:crypto';
import { ConfigurationError } from '../config/load-config.js';
import { isPublishedDemoKeyHash } from '../config/demo-mode.js';

/** SHA-256 of a bearer key, hex. Keys are long random tokens, so a fast unsalted hash is enough. */
export const hashBearerKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** The key of `Authorization: Bearer <key>`, or undefined when the header is absent or malformed. */
export const bearerKey = (authorization: string | undefined): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];

export interface KeyEntry<T> {
  /** Who holds the key, as the file names it (for messages). */
  id: string;
  keySha256: string;
  holder: T;
}

/**
 * Who holds which key, by hash, from a validated keys file. Refused at start: two entries with one
 * hash (one key would silently act as whichever came last) and, outside DEMO_MODE, any key whose
 * hash is one of the published demo keys, wherever the file was copied to.
 */
export class KeyDirectory<T> {
  private constructor(private readonly byHash: ReadonlyMap<string, T>) {}

  static of<T>(
    where: { variable: string; file: string; demoMode: boolean },
    entries: readonly KeyEntry<T>[],
  ): KeyDirectory<T> {
    const label = `${where.variable} ${where.file}`;
    const byHash = new Map<string, T>();
    const owner = new Map<string, string>();
    const problems: string[] = [];
    for (const entry of entries) {
      const first = owner.get(entry.keySha256);
      if (first !== undefined)
        problems.push(`${label}: ${entry.id} has the same key hash as ${first}; every key must be unique`);
      else if (!where.demoMode && isPublishedDemoKeyHash(entry.keySha256))
        problems.push(`${label}: ${entry.id} has a published demo key; set your own keys or DEMO_MODE=1`);
      owner.set(entry.keySha256, entry.id);
      byHash.set(entry.keySha256, entry.holder);
    }
    if (problems.length > 0) throw new ConfigurationError(problems);
    return new KeyDirectory(byHash);
  }

  /** Whoever holds `key`, or undefined for an unknown key. */
  holderOf(key: string): T | undefined {
    return this.byHash.get(hashBearerKey(key));
  }

  /** Whoever holds the key of an `Authorization: Bearer <key>` header. */
  fromHeader(authorization: string | undefined): T | undefined {
    const key = bearerKey(authorization);
    return key === undefined ? undefined : this.holderOf(key);
  }
}
