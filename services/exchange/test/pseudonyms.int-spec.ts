import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { FeedEventSchema, SubjectKind } from '@cie/contracts';
import { readTopic, testDatabaseUrl, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import { publishDebtor } from './sector-events.js';

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`pseudonyms-it-${run}`);
// A Shanghai person: shanghai-platform, public-portal and procurement-regulator all receive the
// record, each with a pseudonym-only entitlement.
const person = {
  sourceRecordId: `pseudonyms-${run}`,
  kind: SubjectKind.NATURAL_PERSON,
  idNumber: '310115198001010016',
  name: '李四',
};
const FEEDS = ['shanghai-platform', 'public-portal', 'procurement-regulator'];
// Anything that looks like a pseudonym of either scheme, wherever it is in a message.
const ANY_PSEUDONYM = /[PS][0-9A-F]{32}/g;

type Message = { key: string | null; value: Buffer; headers: Record<string, string> };
const bytesOf = (messages: Message[]) =>
  Buffer.concat(
    messages.flatMap((m) => [m.value, Buffer.from(m.key ?? ''), Buffer.from(JSON.stringify(m.headers))]),
  ).toString('latin1');

describe('per-subscriber pseudonyms', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  let db: pg.Client;
  const feeds = new Map<string, Message[]>();
  let canonicalId = '';
  const query = (id: string, key: string) =>
    fetch(
      `${exchange.url}/v1/subjects/${encodeURIComponent(id)}/records?purpose=${encodeURIComponent('核查')}`,
      {
        headers: { authorization: `Bearer ${key}` },
      },
    );

  beforeAll(async () => {
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `pseudonyms-it-${run}`,
        EXCHANGE_INSTANCE_ID: `pseudonyms-it-${run}`,
        PORT: '28091',
      }),
    );
    await exchange.start();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await Promise.all([producer.connect(), db.connect()]);
    await publishDebtor(producer, person);
    const byFeed = new Map<string, Message[]>();
    for (const feed of FEEDS)
      byFeed.set(
        feed,
        await readTopic(kafka, `credit.feed.${feed}.v1`, {
          until: (m) => m.some((x) => x.value.includes(Buffer.from(person.sourceRecordId))),
        }),
      );
    const { rows } = await db.query<{ subject_id: string; record_id: string }>(
      `SELECT subject_id, record_id FROM exchange.records WHERE source_record_id = $1`,
      [person.sourceRecordId],
    );
    canonicalId = rows[0]!.subject_id;
    // Everything each feed carries about the record: its events, and any measure task about it.
    const recordId = Buffer.from(rows[0]!.record_id);
    for (const [feed, messages] of byFeed)
      feeds.set(
        feed,
        messages.filter((m) => m.value.includes(recordId)),
      );
  });

  afterAll(async () => {
    await exchange.stop();
    await Promise.all([producer.disconnect(), db.end()]);
  });

  it('gives the same person a different pseudonym in every feed: a byte scan finds none in common, nor the canonical one', () => {
    expect(canonicalId).toMatch(/^P[0-9A-F]{32}$/);
    const found = new Map<string, Set<string>>();
    for (const feed of FEEDS) {
      const messages = feeds.get(feed)!;
      expect(messages.length).toBeGreaterThan(0);
      const bytes = bytesOf(messages);
      found.set(feed, new Set(bytes.match(ANY_PSEUDONYM) ?? []));
      expect(bytes).not.toContain(canonicalId);
      expect(bytes).not.toContain(person.idNumber);
      // The scheme is named on every message, so a consumer can tell new ids from old.
      for (const m of messages) expect(String(m.headers['ce_pseudonymscheme'])).toBe('subscriber-v2');
    }
    for (const feed of FEEDS) expect(found.get(feed)!.size).toBe(1);
    for (const a of FEEDS)
      for (const b of FEEDS)
        if (a !== b) expect([...found.get(a)!].filter((p) => found.get(b)!.has(p))).toEqual([]);
  });

  it('answers a subscriber asking by its own pseudonym, and finds nobody by another subscriber’s', async () => {
    const own = pseudonymIn(feeds.get('shanghai-platform')!);
    const response = await query(own, 'demo-key-shanghai-platform');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      subject: string;
      records: { record: { source: { sourceRecordId: string }; subject: { canonicalId: string } } }[];
    };
    expect(body.subject).toBe(own);
    const mine = body.records.find((r) => r.record.source.sourceRecordId === person.sourceRecordId);
    expect(mine?.record.subject.canonicalId).toBe(own);

    const others = pseudonymIn(feeds.get('public-portal')!);
    const other = (await (await query(others, 'demo-key-shanghai-platform')).json()) as {
      records: unknown[];
    };
    expect(other.records).toEqual([]);
  });

  it('refuses a pseudonym-only subscriber asking by clear resident id, 403 with the reason (the demo-stack finding)', async () => {
    const response = await query(person.idNumber, 'demo-key-shanghai-platform');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toBe(
      'subscriber shanghai-platform is entitled to natural persons by pseudonym only: ask by the pseudonym its feed carries, not by a resident identity number',
    );
    // Nor by the canonical pseudonym, which no feed carries any more.
    const canonical = await query(canonicalId, 'demo-key-shanghai-platform');
    expect(canonical.status).toBe(403);
  });

  it('tells a v1 consumer its new pseudonym for a subject it was sent, and nothing for one it was not', async () => {
    const moved = await fetch(`${exchange.url}/v1/subjects/${canonicalId}/pseudonym`, {
      headers: { authorization: 'Bearer demo-key-shanghai-platform' },
    });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({
      legacy: canonicalId,
      pseudonym: pseudonymIn(feeds.get('shanghai-platform')!),
      scheme: 'subscriber-v2',
    });
    // beijing-platform was never sent this Shanghai person.
    const notSent = await fetch(`${exchange.url}/v1/subjects/${canonicalId}/pseudonym`, {
      headers: { authorization: 'Bearer demo-key-beijing-platform' },
    });
    expect(notSent.status).toBe(404);
  });
});

function pseudonymIn(messages: Message[]): string {
  const event = messages.find((m) => m.headers['ce_type']?.startsWith('credit.record.'));
  const id = event ? (fromBinary(FeedEventSchema, event.value).record?.subject?.canonicalId ?? '') : '';
  expect(id).toMatch(/^S[0-9A-F]{32}$/);
  return id;
}
