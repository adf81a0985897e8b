import { spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SubjectKind } from '@cie/contracts';
import { testDatabaseUrl, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import { publishDebtor } from './sector-events.js';

const ROTATE = fileURLToPath(new URL('../dist/identity/rotate-pii-key.js', import.meta.url));
const run = randomUUID().slice(0, 8);
const kafka = testKafka(`pii-rotation-it-${run}`);
// A database of its own: the rotation re-seals every row, which the other files' exchanges (all on
// one fixed key) would then no longer open.
const database = `cie_pii_rotation_${run.replace(/[^a-z0-9]/g, '')}`;
const adminUrl = testDatabaseUrl();
const url = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
})();

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
// Beijing people: beijing-platform's entitlement releases their clear number, so a query shows
// whether the exchange can still open it.
const people = [
  {
    sourceRecordId: `pii-a-${run}`,
    kind: SubjectKind.NATURAL_PERSON,
    idNumber: '110105198506150030',
    name: '赵六',
  },
  {
    sourceRecordId: `pii-b-${run}`,
    kind: SubjectKind.NATURAL_PERSON,
    idNumber: '110105198506150022',
    name: '王五',
  },
];

const exchangeWith = (keys: Record<string, string>, port: number) =>
  new ExchangeProcess(
    exchangeEnv({
      DATABASE_URL: url,
      KAFKA_CONSUMER_GROUP: `pii-rotation-it-${run}`,
      EXCHANGE_INSTANCE_ID: `pii-rotation-it-${run}-${port}`,
      PORT: String(port),
      ...keys,
    }),
  );

describe('rotating the personal-data key', () => {
  let admin: pg.Client;
  let db: pg.Client;
  let producer: Producer;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    db = new pg.Client({ connectionString: url });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await Promise.all([db.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.all([db.end(), producer.disconnect()]);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  const sealed = async () =>
    (
      await db.query<{ id_number_encrypted: Buffer }>(
        `SELECT s.id_number_encrypted FROM exchange.subjects s JOIN exchange.records r ON r.subject_id = s.canonical_id
          WHERE r.source_record_id = ANY($1) ORDER BY r.source_record_id`,
        [people.map((p) => p.sourceRecordId)],
      )
    ).rows.map((r) => r.id_number_encrypted);

  const clearIdsSeen = async (exchange: ExchangeProcess) => {
    const seen: string[] = [];
    for (const person of people) {
      const response = await fetch(
        `${exchange.url}/v1/subjects/${person.idNumber}/records?purpose=${encodeURIComponent('核查')}`,
        { headers: { authorization: 'Bearer demo-key-beijing-platform' } },
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        records: { record: { source: { sourceRecordId: string }; subject: { idNumber: string } } }[];
      };
      const mine = body.records.find((r) => r.record.source.sourceRecordId === person.sourceRecordId);
      seen.push(mine?.record.subject.idNumber ?? '(not returned)');
    }
    return seen;
  };

  it('re-seals every number under the new key, ciphertext from before key ids included; all stay readable once the old key is gone', async () => {
    // Given records sealed under k1, one of them in the format from before key ids (iv | tag | body).
    const before = exchangeWith({ PII_ENCRYPTION_KEY: k1, PII_ENCRYPTION_KEY_ID: 'k1' }, 28095);
    await before.start();
    try {
      for (const person of people) await publishDebtor(producer, person);
      const deadline = Date.now() + 30_000;
      while ((await sealed()).length < people.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect((await sealed()).map((c) => c.subarray(0, 7).toString('latin1'))).toEqual([
        'pii1\u0002k1',
        'pii1\u0002k1',
      ]);
    } finally {
      await before.stop();
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(k1, 'base64'), iv);
    const body = Buffer.concat([cipher.update(people[1]!.idNumber, 'utf8'), cipher.final()]);
    await db.query(
      `UPDATE exchange.subjects SET id_number_encrypted = $2
        WHERE canonical_id = (SELECT subject_id FROM exchange.records WHERE source_record_id = $1)`,
      [people[1]!.sourceRecordId, Buffer.concat([iv, cipher.getAuthTag(), body])],
    );

    // (The exchange read the whole sector topic, so other files' people are here too, all under k1.)
    const { rows: counted } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM exchange.subjects WHERE id_number_encrypted IS NOT NULL`,
    );
    const total = counted[0]!.n;
    expect(total).toBeGreaterThanOrEqual(people.length);

    // When the rotation runs with k2 current and k1 as a previous key.
    const env = {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: url,
      PII_ENCRYPTION_KEY: k2,
      PII_ENCRYPTION_KEY_ID: 'k2',
      PII_PREVIOUS_KEYS: `k1:${k1}`,
    };
    const rotation = spawnSync(process.execPath, [ROTATE], { env, encoding: 'utf8' });
    expect(rotation.stderr).toBe('');
    expect(rotation.status).toBe(0);
    expect(rotation.stdout).toBe(
      `pii-rotate: re-sealed ${total} identity number(s) under k2; now by key: {"k2":${total}}\n`,
    );

    // Then every number is sealed under k2, none holds the clear number, and a second run re-seals nothing.
    for (const c of await sealed()) {
      expect(c.subarray(0, 7).toString('latin1')).toBe('pii1\u0002k2');
      for (const person of people) expect(c.toString('latin1')).not.toContain(person.idNumber);
    }
    const again = spawnSync(process.execPath, [ROTATE], { env, encoding: 'utf8' });
    expect(again.stdout).toContain('re-sealed 0 identity number(s) under k2');

    // And an exchange that knows only k2 (the old key removed) still shows every number.
    const after = exchangeWith({ PII_ENCRYPTION_KEY: k2, PII_ENCRYPTION_KEY_ID: 'k2' }, 28096);
    await after.start();
    try {
      expect(await clearIdsSeen(after)).toEqual(people.map((p) => p.idNumber));
    } finally {
      await after.stop();
    }
  });

  it('exits 1 naming the subject when a number opens under none of the configured keys, changing nothing', async () => {
    const stranger = randomBytes(32).toString('base64');
    const result = spawnSync(process.execPath, [ROTATE], {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: url,
        PII_ENCRYPTION_KEY: stranger,
        PII_ENCRYPTION_KEY_ID: 'k3',
      },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^pii-rotate: subject P[0-9A-F]{32}: opens under none of the configured keys; left as it was$/m,
    );
    expect(result.stdout).toContain('re-sealed 0 identity number(s) under k3');
    for (const c of await sealed()) expect(c.subarray(0, 7).toString('latin1')).toBe('pii1\u0002k2');
  });

  it('refuses a previous-keys list that is not id:base64 pairs, naming the variable', () => {
    const result = spawnSync(process.execPath, [ROTATE], {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: url,
        PII_ENCRYPTION_KEY: k2,
        PII_PREVIOUS_KEYS: 'k1=nonsense',
      },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PII_PREVIOUS_KEYS must be comma-separated id:base64-of-32-bytes pairs');
  });
});
