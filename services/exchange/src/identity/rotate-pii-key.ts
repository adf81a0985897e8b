// Re-seals every natural person's identity number under the current personal-data key:
//
//   DATABASE_URL=postgres://… PII_ENCRYPTION_KEY=<new> PII_ENCRYPTION_KEY_ID=k2 \
//   PII_PREVIOUS_KEYS=k1:<old> PSEUDONYM_SECRET=… node services/exchange/dist/identity/rotate-pii-key.js
//
// (`npm run pii:rotate` runs it.) Prints how many it re-sealed and how many are sealed under each key
// afterwards, and exits 0 once every one is under the current key; 1 when one did not open under any
// configured key (named by subject, nothing else changed for it); 2 when it could not run. Safe to
// run again, and while the exchange runs: rows are re-sealed in batches, each in its own
// transaction, locked as they are read. README: "Rotating the personal-data key".
import 'reflect-metadata';
import { loadConfig, NotPublishedDemoSecret } from '@cie/platform';
import { Matches } from 'class-validator';
import pg from 'pg';
import { piiKeysOf } from '../exchange.config.js';
import { SubjectIdentityService } from './subject-identity.service.js';

class RotatePiiKeyConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'PII_ENCRYPTION_KEY must be the base64 of 32 bytes' })
  @NotPublishedDemoSecret()
  PII_ENCRYPTION_KEY!: string;

  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'PII_ENCRYPTION_KEY_ID must be 1-64 of A-Z a-z 0-9 . _ -' })
  PII_ENCRYPTION_KEY_ID = 'k1';

  @Matches(/^$|^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]{43}=)*$/, {
    message: 'PII_PREVIOUS_KEYS must be comma-separated id:base64-of-32-bytes pairs',
  })
  PII_PREVIOUS_KEYS = '';

  DEMO_MODE?: string;
}

const BATCH = 500;

export interface RotationResult {
  resealed: number;
  /** Subjects whose number opened under no configured key. */
  failed: string[];
  /** Afterwards: how many are sealed under each key id (`none` for ciphertext from before key ids). */
  byKey: Record<string, number>;
}

/** Re-seals, batch by batch, every identity number not yet under the current key. */
export async function rotate(client: pg.Client, identity: SubjectIdentityService): Promise<RotationResult> {
  let after = '';
  let resealed = 0;
  const failed: string[] = [];
  for (;;) {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ canonical_id: string; id_number_encrypted: Buffer }>(
        `SELECT canonical_id, id_number_encrypted FROM exchange.subjects
          WHERE id_number_encrypted IS NOT NULL AND canonical_id > $1
          ORDER BY canonical_id LIMIT ${BATCH} FOR UPDATE`,
        [after],
      );
      for (const row of rows) {
        if (identity.keyIdOf(row.id_number_encrypted) === identity.currentKeyId) continue;
        let clear: string;
        try {
          clear = identity.decrypt(row.id_number_encrypted);
        } catch {
          failed.push(row.canonical_id);
          continue;
        }
        await client.query(`UPDATE exchange.subjects SET id_number_encrypted = $2 WHERE canonical_id = $1`, [
          row.canonical_id,
          identity.encrypt(clear),
        ]);
        resealed += 1;
      }
      await client.query('COMMIT');
      if (rows.length < BATCH) break;
      after = rows.at(-1)!.canonical_id;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
  const byKey: Record<string, number> = {};
  const { rows } = await client.query<{ id_number_encrypted: Buffer }>(
    `SELECT id_number_encrypted FROM exchange.subjects WHERE id_number_encrypted IS NOT NULL`,
  );
  for (const row of rows) {
    const id = identity.keyIdOf(row.id_number_encrypted) ?? 'none';
    byKey[id] = (byKey[id] ?? 0) + 1;
  }
  return { resealed, failed, byKey };
}

async function main(): Promise<number> {
  // A command-line entry point, like main.ts: the environment is its configuration.
  // eslint-disable-next-line no-restricted-properties
  const config = loadConfig(RotatePiiKeyConfig, process.env);
  // The pseudonym secret plays no part in sealing; the service only needs one to exist.
  const identity = new SubjectIdentityService('-'.repeat(32), piiKeysOf(config));
  const client = new pg.Client({ connectionString: config.DATABASE_URL, application_name: 'pii-rotate' });
  await client.connect();
  try {
    const result = await rotate(client, identity);
    console.log(
      `pii-rotate: re-sealed ${result.resealed} identity number(s) under ${identity.currentKeyId}; now by key: ${JSON.stringify(result.byKey)}`,
    );
    for (const subject of result.failed)
      console.error(
        `pii-rotate: subject ${subject}: opens under none of the configured keys; left as it was`,
      );
    return result.failed.length === 0 ? 0 : 1;
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`pii-rotate: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}
