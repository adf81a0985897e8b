import { randomUUID } from 'node:crypto';
import { create, fromBinary } from '@bufbuild/protobuf';
import {
  ConsumptionRestrictionEventSchema,
  DecidingAuthorityKind,
  FeedEventSchema,
  PlatformAction,
  PlatformViolationEventSchema,
  PlatformViolationType,
  RestrictedMeasure,
  SubjectKind,
  TaxCreditLevel,
} from '@cie/contracts';
import { expectEventually, type ReadMessage, readFeed, testDatabaseUrl, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import {
  publishCreditRating,
  publishDebtor,
  publishMajorViolation,
  publishPlatformViolation,
  publishSectorEvent,
  RECENT_DECISION,
  testUscc,
  publishSupplierMisconduct,
} from './sector-events.js';

/**
 * The isolation matrix (DESIGN §7): records across sectors, levels, regions and subject kinds are
 * published; every demo feed must hold exactly the records both sides allow, in the subscriber's view.
 */
const FEEDS = ['beijing-platform', 'shanghai-platform', 'public-portal', 'procurement-regulator'] as const;
type Feed = (typeof FEEDS)[number];
/** The subscribers that may only see a natural person's pseudonym (subscribers.demo.json). */
const PSEUDONYM_ONLY: Feed[] = ['shanghai-platform', 'public-portal', 'procurement-regulator'];
const PORTAL_REDACTS = ['legalRepresentative', 'facts'];

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`isolation-it-${run}`);
const env = exchangeEnv({
  KAFKA_CONSUMER_GROUP: `isolation-it-${run}`,
  EXCHANGE_INSTANCE_ID: `isolation-it-${run}`,
  PORT: '28081',
});
const serial = parseInt(run.slice(0, 6), 16);

const uscc = (region: string, n: number) => testUscc(region, run, n);

/** A valid resident identity number (GB 11643) registered in `region`, unique to this run. */
function residentId(region: string, n: number): string {
  const first17 = `${region}1980${String((serial % 12) + 1).padStart(2, '0')}${String((n % 28) + 1).padStart(2, '0')}${String(serial % 1000).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11]!;
}

const decode = (m: ReadMessage) => fromBinary(FeedEventSchema, m.value);
const sourceOf = (m: ReadMessage) => decode(m).record?.source?.sourceRecordId ?? '';
const id = (name: string) => `iso-${name}-${run}`;

// The records and, by hand from deploy/local/{subscribers,release-rules}.demo.json, who may receive each.
//   beijing-platform: region 11, every level, clear identity.   shanghai-platform: region 31, every level.
//   public-portal: public only, everywhere.   procurement-regulator: courts and tax, negative only, everywhere.
//   Release: every sector releases public records to all; courts and tax release authorised/shared to the
//   platforms and the regulator; procurement and e-commerce release authorised only to the platforms.
const EXPECTED: Record<string, Feed[]> = {
  // courts, public, negative, Beijing company.
  [id('bj-co-debtor')]: ['beijing-platform', 'public-portal', 'procurement-regulator'],
  // courts, public (dishonest debtors are public for persons too), negative, Beijing person.
  [id('bj-np-debtor')]: ['beijing-platform', 'public-portal', 'procurement-regulator'],
  // courts, authorised (persons are not public for this kind), negative, Shanghai person: not the portal.
  [id('sh-np-restriction')]: ['shanghai-platform', 'procurement-regulator'],
  // tax, authorised, negative, Shanghai company: tax releases authorised to the regulator and Shanghai.
  [id('sh-rating-d')]: ['shanghai-platform', 'procurement-regulator'],
  // tax, public, positive, Shanghai company: the regulator takes negative records only.
  [id('sh-rating-a')]: ['shanghai-platform', 'public-portal'],
  // tax, public, negative, Beijing company (has facts and a legal representative).
  [id('bj-tax-violation')]: ['beijing-platform', 'public-portal', 'procurement-regulator'],
  // procurement, public, negative, Beijing company: the regulator is not entitled to procurement.
  [id('bj-procurement')]: ['beijing-platform', 'public-portal'],
  // e-commerce, public (market regulator), negative, Shanghai company.
  [id('sh-ecommerce-public')]: ['shanghai-platform', 'public-portal'],
  // e-commerce, authorised (platform-imposed), negative, Shanghai company: released to the platforms only.
  [id('sh-ecommerce-platform')]: ['shanghai-platform'],
};
const expectedFor = (feed: Feed) =>
  Object.entries(EXPECTED)
    .filter(([, feeds]) => feeds.includes(feed))
    .map(([source]) => source)
    .sort();

const bjPerson = { idNumber: residentId('110105', 1), name: '王小明' };
const shPerson = { idNumber: residentId('310115', 2), name: '赵小红' };

async function publishAll(producer: Producer): Promise<void> {
  const org = (name: string, region: string, n: number, title: string) => ({
    sourceRecordId: id(name),
    uscc: uscc(region, n),
    name: title,
  });
  await publishDebtor(producer, {
    sourceRecordId: id('bj-co-debtor'),
    kind: SubjectKind.LEGAL_ENTITY,
    idNumber: uscc('110105', 1),
    name: '北京某某隔离测试有限公司',
  });
  await publishDebtor(producer, {
    sourceRecordId: id('bj-np-debtor'),
    kind: SubjectKind.NATURAL_PERSON,
    ...bjPerson,
  });
  const restrictionAgency = 'court-sh-pudong';
  await publishSectorEvent(
    producer,
    'courts',
    ConsumptionRestrictionEventSchema,
    create(ConsumptionRestrictionEventSchema, {
      source: {
        sector: 'courts',
        agencyId: restrictionAgency,
        sourceRecordId: id('sh-np-restriction'),
        decisionNumber: '(2025)沪0115执5678号',
        decidingAuthority: '上海市浦东新区人民法院',
        decisionDate: RECENT_DECISION,
      },
      subject: { kind: SubjectKind.NATURAL_PERSON, ...shPerson },
      restrictedMeasures: [RestrictedMeasure.AIR_TRAVEL],
      outstandingAmount: '386420.50',
    }),
    { idNumber: shPerson.idNumber, agencyId: restrictionAgency },
  );
  await publishCreditRating(
    producer,
    org('sh-rating-d', '310115', 2, '上海某某隔离贸易有限公司'),
    TaxCreditLevel.D,
  );
  await publishCreditRating(
    producer,
    org('sh-rating-a', '310115', 3, '上海某某隔离科技有限公司'),
    TaxCreditLevel.A,
  );
  await publishMajorViolation(producer, org('bj-tax-violation', '110105', 4, '北京某某隔离商贸有限公司'));
  await publishSupplierMisconduct(producer, org('bj-procurement', '110108', 5, '北京某某隔离智能有限公司'));
  await publishPlatformViolation(
    producer,
    org('sh-ecommerce-public', '310104', 6, '上海某某隔离电子商务有限公司'),
  );
  const shop = org('sh-ecommerce-platform', '310104', 7, '上海某某隔离网络有限公司');
  const platformAgency = 'amr-sh-xuhui';
  await publishSectorEvent(
    producer,
    'ecommerce',
    PlatformViolationEventSchema,
    create(PlatformViolationEventSchema, {
      source: {
        sector: 'ecommerce',
        agencyId: platformAgency,
        sourceRecordId: shop.sourceRecordId,
        decisionNumber: 'TMALL-2025-0001',
        decidingAuthority: '天猫平台',
        decisionDate: RECENT_DECISION,
      },
      subject: { kind: SubjectKind.LEGAL_ENTITY, idNumber: shop.uscc, name: shop.name },
      violation: PlatformViolationType.FAKE_REVIEWS,
      facts: '组织刷单制造好评',
      authorityKind: DecidingAuthorityKind.PLATFORM,
      platform: { id: 'tmall', name: '天猫' },
      shop: { id: '99887766', name: '隔离测试旗舰店' },
      actionsTaken: [PlatformAction.LISTING_REMOVAL],
    }),
    { idNumber: shop.uscc, agencyId: platformAgency },
  );
}

describe('isolation matrix: each subscriber receives exactly what both sides allow', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  let db: pg.Client;
  const feeds = {} as Record<Feed, ReadMessage[]>;
  /** This run's messages on a feed. */
  const mine = (feed: Feed) => feeds[feed].filter((m) => m.value.length > 0 && sourceOf(m) in EXPECTED);

  beforeAll(async () => {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await Promise.all([producer.connect(), db.connect()]);
    exchange = new ExchangeProcess(env);
    await exchange.start();

    // Given every record of the matrix is published and stored
    await publishAll(producer);
    await expectEventually(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM exchange.records WHERE source_record_id = ANY($1)`,
          [Object.keys(EXPECTED)],
        );
        expect(rows[0]?.n).toBe(Object.keys(EXPECTED).length);
      },
      { timeoutMs: 90_000 },
    );
    // When every demo feed is read until it holds every record expected on it (each feed expects some)
    for (const feed of FEEDS) {
      const want = expectedFor(feed);
      feeds[feed] = await readFeed(kafka, feed, {
        until: (m) => want.every((w) => m.some((x) => x.value.length > 0 && sourceOf(x) === w)),
        timeoutMs: 60_000,
      });
    }
  }, 240_000);

  afterAll(async () => {
    await exchange.stop();
    await Promise.all([producer.disconnect(), db.end()]);
  });

  it.each(FEEDS)('%s received exactly its expected records, once each', (feed) => {
    // Then
    const received = mine(feed).map(sourceOf).sort();
    expect(received).toEqual(expectedFor(feed));
  });

  it('the delivery ledger agrees with the table, record by record', async () => {
    // Then
    const { rows } = await db.query<{ source_record_id: string; subscribers: string[] }>(
      `SELECT r.source_record_id, coalesce(array_agg(d.subscriber_id ORDER BY d.subscriber_id) FILTER (WHERE d.subscriber_id IS NOT NULL), '{}') AS subscribers
         FROM exchange.records r LEFT JOIN exchange.deliveries d USING (record_id)
        WHERE r.source_record_id = ANY($1) GROUP BY 1`,
      [Object.keys(EXPECTED)],
    );
    expect(Object.fromEntries(rows.map((r) => [r.source_record_id, r.subscribers]))).toEqual(
      Object.fromEntries(Object.entries(EXPECTED).map(([source, f]) => [source, [...f].sort()])),
    );
  });

  it('the portal’s feed has no redacted attribute; a platform without a field policy keeps them', () => {
    // Then
    const portal = mine('public-portal').map((m) => decode(m).record!);
    expect(portal.length).toBeGreaterThan(0);
    for (const record of portal) {
      for (const key of PORTAL_REDACTS) expect(Object.keys(record.attributes)).not.toContain(key);
    }
    const taxViolation = (feed: Feed) =>
      mine(feed)
        .map((m) => decode(m).record!)
        .find((r) => r.source?.sourceRecordId === id('bj-tax-violation'));
    expect(taxViolation('public-portal')?.attributes).toMatchObject({ violationType: 'tax_evasion' });
    expect(Object.keys(taxViolation('beijing-platform')?.attributes ?? {})).toEqual(
      expect.arrayContaining(PORTAL_REDACTS),
    );
  });

  it('no byte of a pseudonym-only feed (values, keys, headers) carries a published person’s clear id', () => {
    // Then
    const clearIds = [bjPerson.idNumber, shPerson.idNumber];
    for (const feed of PSEUDONYM_ONLY) {
      for (const m of feeds[feed]) {
        const bytes = Buffer.concat([
          m.value,
          Buffer.from(m.key ?? ''),
          Buffer.from(JSON.stringify(m.headers)),
        ]);
        for (const clear of clearIds) expect(bytes.includes(Buffer.from(clear))).toBe(false);
      }
    }
    const person = mine('beijing-platform')
      .map((m) => decode(m).record!)
      .find((r) => r.source?.sourceRecordId === id('bj-np-debtor'));
    expect(person?.subject?.idNumber).toBe(bjPerson.idNumber);
  });
});
