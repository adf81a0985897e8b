import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { CreditEventType, FeedEventSchema, SubjectKind } from '@cie/contracts';
import { expectEventually, type ReadMessage, readFeed, testDatabaseUrl, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv, REPO_ROOT } from './exchange-process.js';
import { publishDebtor, testUscc } from './sector-events.js';

/**
 * The subscriber policy as versions (DESIGN §7): files changed under a running exchange are
 * reloaded without a restart, recorded and audited; a broken file changes nothing; what-if shows
 * what a draft would change; removing an entitlement withdraws what the subscriber held.
 */
const run = randomUUID().slice(0, 8);
const kafka = testKafka(`policy-it-${run}`);
const auditor = `policy-it-${run}`;
const dir = mkdtempSync(path.join(tmpdir(), 'cie-policy-'));
const subscribersFile = path.join(dir, 'subscribers.json');
const releaseRulesFile = path.join(dir, 'release-rules.json');
const demoSubscribers = JSON.parse(
  readFileSync(`${REPO_ROOT}deploy/local/subscribers.demo.json`, 'utf8'),
) as { version: string; subscribers: Record<string, unknown>[] };
/** The demo policy plus one subscriber of this test, entitled to `sectors` in Beijing. */
const withAuditor = (version: string, sectors: string[]) => ({
  ...demoSubscribers,
  version,
  subscribers: [
    ...demoSubscribers.subscribers,
    {
      id: auditor,
      name: '审计署北京特派办',
      sectors,
      kinds: ['*'],
      levels: ['public', 'authorised', 'shared'],
      regions: ['11'],
      naturalPersonIdentity: 'pseudonym',
    },
  ],
});
const OPERATOR = { authorization: 'Bearer demo-key-operator', 'content-type': 'application/json' };

const eventsOf = (messages: readonly ReadMessage[], sourceRecordId: string) =>
  messages
    .map((m) => ({ type: m.headers['ce_type'], event: fromBinary(FeedEventSchema, m.value) }))
    .filter((e) => e.event.record?.source?.sourceRecordId === sourceRecordId);

describe('policy versions: reload without restart, audit, what-if, withdrawals on entitlement removal', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  let db: pg.Client;
  const policy = async () =>
    (await (await fetch(`${exchange.url}/v1/policy`, { headers: OPERATOR })).json()) as {
      version: string;
      problems: string[];
      subscribers: string[];
      history: { version: string }[];
    };

  beforeAll(async () => {
    copyFileSync(`${REPO_ROOT}deploy/local/subscribers.demo.json`, subscribersFile);
    copyFileSync(`${REPO_ROOT}deploy/local/release-rules.demo.json`, releaseRulesFile);
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `policy-it-${run}`,
        EXCHANGE_INSTANCE_ID: `policy-it-${run}`,
        SUBSCRIBERS_FILE: subscribersFile,
        RELEASE_RULES_FILE: releaseRulesFile,
        POLICY_WATCH_INTERVAL_MS: '200',
        LEGACY_USCC_FILE: `${REPO_ROOT}deploy/local/legacy-uscc.demo.json`,
        PORT: '28096',
      }),
    );
    await exchange.start();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await db?.end();
    await exchange?.stop();
  });

  it('takes a changed policy file without a restart, records the version and audits the change', async () => {
    writeFileSync(subscribersFile, JSON.stringify(withAuditor(`${run}.2`, ['courts', 'tax'])));
    await expectEventually(async () => expect((await policy()).subscribers).toContain(auditor), {
      timeoutMs: 15_000,
    });
    const current = await policy();
    expect(current.version).toBe(`subscribers@${run}.2+release@2026-11-23.1`);
    expect(current.history[0]?.version).toBe(current.version);
    const { rows } = await db.query<{ details: { subscribersAdded: string[]; version: string } }>(
      `SELECT details FROM exchange.audit_log WHERE kind = 'policy_change' AND details->>'version' = $1`,
      [current.version],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.details.subscribersAdded).toEqual([auditor]);
  });

  it('refuses a broken policy file with its problems and keeps the policy in force', async () => {
    const before = (await policy()).version;
    const broken = withAuditor(`${run}.broken`, ['courts']);
    (broken.subscribers.at(-1) as Record<string, unknown>)['regions'] = ['Beijing'];
    writeFileSync(subscribersFile, JSON.stringify(broken));
    const reload = (await (
      await fetch(`${exchange.url}/v1/policy/reload`, { method: 'POST', headers: OPERATOR })
    ).json()) as { changed: boolean; problems: string[] };
    expect(reload.changed).toBe(false);
    expect(reload.problems.join('\n')).toContain(
      `SUBSCRIBERS_FILE ${subscribersFile}: subscribers[4].regions`,
    );
    expect((await policy()).version).toBe(before);
  });

  it('shows what a draft would change, then withdraws from a subscriber what it may no longer hold', async () => {
    // Back to version 2 (the watcher sees the file again), then a record the auditor receives.
    writeFileSync(subscribersFile, JSON.stringify(withAuditor(`${run}.2`, ['courts', 'tax'])));
    await expectEventually(async () => expect((await policy()).problems).toEqual([]), { timeoutMs: 15_000 });
    const debtor = {
      sourceRecordId: `policy-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: testUscc('110105', run, 501),
      name: '北京某某物流有限公司',
    };
    await publishDebtor(producer, debtor);
    const feed = (subscriber: string, until: (e: ReturnType<typeof eventsOf>) => boolean) =>
      readFeed(kafka, subscriber, {
        until: (m) => until(eventsOf(m, debtor.sourceRecordId)),
        timeoutMs: 30_000,
      }).then((m) => eventsOf(m, debtor.sourceRecordId));
    await feed(auditor, (e) => e.length > 0);

    const v3 = withAuditor(`${run}.3`, ['tax']);
    const releaseRules = JSON.parse(readFileSync(releaseRulesFile, 'utf8')) as unknown;
    const draft = await fetch(`${exchange.url}/v1/policy/what-if`, {
      method: 'POST',
      headers: OPERATOR,
      body: JSON.stringify({ subscribers: v3, releaseRules }),
    });
    expect(draft.status).toBe(200);
    const result = (await draft.json()) as {
      draft: string;
      losses: number;
      withdrawals: number;
      changes: { subscriber: string; change: string; holds: boolean; reasons: string[] }[];
    };
    expect(result.draft).toBe(`subscribers@${run}.3+release@2026-11-23.1`);
    expect(result.withdrawals).toBeGreaterThanOrEqual(1);
    const mine = result.changes.filter((c) => c.subscriber === auditor);
    // It loses every Beijing courts record; the ones it was sent (this test's) are withdrawals.
    expect(mine.every((c) => c.change === 'loses')).toBe(true);
    expect(mine.some((c) => c.holds)).toBe(true);
    expect(mine[0]?.reasons).toContain('sector courts not entitled');
    expect(result.changes.some((c) => c.subscriber !== auditor)).toBe(false);
    const invalid = await fetch(`${exchange.url}/v1/policy/what-if`, {
      method: 'POST',
      headers: OPERATOR,
      body: JSON.stringify({ subscribers: { ...v3, subscribers: [{ id: 'X' }] }, releaseRules }),
    });
    expect(invalid.status).toBe(422);
    const problem = (await invalid.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toContain('subscribers.subscribers[0].id');

    writeFileSync(subscribersFile, JSON.stringify(v3));
    const events = await feed(auditor, (e) => e.some((x) => x.type === CreditEventType.withdrawn));
    expect(events.map((e) => e.type)).toEqual([CreditEventType.published, CreditEventType.withdrawn]);
    expect(events[1]?.event.reason).toBe('entitlement_removed');
    // Only the subscriber that lost the entitlement hears of it.
    const beijing = await readFeed(kafka, 'beijing-platform', {
      until: () => false,
      timeoutMs: 2000,
    });
    expect(eventsOf(beijing, debtor.sourceRecordId).map((e) => e.type)).toEqual([CreditEventType.published]);
    const { rows } = await db.query(
      `SELECT rule FROM exchange.deliveries d JOIN exchange.records r USING (record_id)
        WHERE r.source_record_id = $1 AND d.subscriber_id = $2 AND d.event_type = $3`,
      [debtor.sourceRecordId, auditor, CreditEventType.withdrawn],
    );
    expect(rows).toEqual([
      { rule: `subscribers@${run}.3+release@2026-11-23.1#${auditor}:entitlement-removed` },
    ]);
  });

  it('accepts a legacy pilot code from LEGACY_USCC_FILE that fails the check character', async () => {
    const legacy = {
      sourceRecordId: `legacy-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91110108MA01P1L0T1',
      name: '北京某某试点企业',
    };
    await publishDebtor(producer, legacy);
    const events = eventsOf(
      await readFeed(kafka, 'beijing-platform', {
        until: (m) => eventsOf(m, legacy.sourceRecordId).length > 0,
      }),
      legacy.sourceRecordId,
    );
    expect(events[0]?.event.record?.subject?.canonicalId).toBe('91110108MA01P1L0T1');
    expect(events[0]?.event.record?.subject?.regionCode).toBe('110108');
  });
});
