import { randomUUID } from 'node:crypto';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { usccCheckCharacter } from '@cie/identifiers';
import {
  expectEventually,
  recordExamples,
  REPO_ROOT,
  ServiceProcess,
  testDatabaseUrl,
  testKafkaBrokers,
} from '@cie/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium } from './chromium.js';
import { inspectPdf } from './pdf-text.js';

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against the real
 * stack: Kafka, PostgreSQL, the exchange, the courts service and the console, each its own process.
 * Every page is screenshotted into .test-results/screenshots and checked with axe-core.
 */
const run = randomUUID().slice(0, 8);
const PORTS = { exchange: 28510, courts: 28511, console: 28512, tax: 28513 };
const KEYS = {
  operator: 'demo-key-operator',
  desk: 'demo-key-credit-desk',
  court: 'demo-key-court-bj-chaoyang',
  tax: 'demo-key-tax-bj',
};
const SHOTS = path.join(REPO_ROOT, 'services/console/.test-results/screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const NAME = '北京某某建材有限公司';

const uscc = (serial: number) => {
  const seed = String(parseInt(run.replace(/[^0-9a-f]/gi, '').slice(0, 6) || '0', 16) % 1_000_000).padStart(
    6,
    '0',
  );
  const first17 = `91110105${seed}${String(serial).padStart(3, '0')}`;
  return first17 + usccCheckCharacter(first17);
};
const debtor = (serial: number, over: Record<string, unknown> = {}) => ({
  recordType: 'courts.dishonest_debtor',
  sourceRecordId: `console-${run}-${serial}`,
  decisionNumber: `(2026)京0105执${serial}号`,
  decidingAuthority: '北京市朝阳区人民法院',
  decisionDate: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
  subject: { kind: 'legal_entity', idNumber: uscc(serial), name: NAME },
  obligation: '支付货款人民币320000元及迟延履行期间的债务利息',
  performanceStatus: 'not_performed',
  outstandingAmount: '320000.00',
  ...over,
});
/** The tax service's own example of a major violation (from its OpenAPI document), read at start. */
let taxExample: Record<string, unknown> = {};
/** That record, decided eight months ago: repairable after six (the catalogue), disclosed for 36. */
const taxViolation = (serial: number) => ({
  ...taxExample,
  recordType: 'tax.major_violation',
  sourceRecordId: `console-${run}-tax-${serial}`,
  decisionNumber: `京税稽罚〔2026〕${serial}号`,
  decisionDate: new Date(Date.now() - 240 * 86_400_000).toISOString().slice(0, 10),
  subject: { kind: 'legal_entity', idNumber: uscc(serial), name: NAME },
});

describe('the console in a browser, on the real stack', () => {
  let exchange: ServiceProcess;
  let courts: ServiceProcess;
  let tax: ServiceProcess;
  let consoleApp: ServiceProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** A sector service's API with its agency's key: the courts' unless the tax office's is asked for. */
  const sectorApi = async <T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    as: 'court' | 'tax' = 'court',
  ) => {
    const response = await fetch(`${(as === 'tax' ? tax : courts).url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${KEYS[as]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const courtsApi = <T = Record<string, unknown>>(path: string, body?: unknown) => sectorApi<T>(path, body);
  type History = { events: { eventId?: string; exchangeOutcome?: { recordId?: string; status?: string } }[] };
  /** Publishes through the record's sector API and waits for the exchange's record id. */
  const publish = async (body: { sourceRecordId: string; recordType: string }) => {
    const as = body.recordType.startsWith('tax.') ? 'tax' : 'court';
    expect((await sectorApi('/v1/records', body, as)).status).toBe(202);
    let recordId = '';
    await expectEventually(async () => {
      const history = await sectorApi<History>(`/v1/records/${body.sourceRecordId}`, undefined, as);
      recordId = history.body.events[0]?.exchangeOutcome?.recordId ?? '';
      expect(recordId).toMatch(/^[0-9a-f-]{36}$/);
    });
    return recordId;
  };

  /** A fresh browser context signed in with `key`, on the page the console sends that role to. */
  const signIn = async (key: string): Promise<Page> => {
    // bypassCSP: the console's policy forbids inline scripts, which is how axe-core is injected.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${consoleApp.url}/sign-in`);
    await page.getByLabel('Key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('domcontentloaded');
    return page;
  };
  /** Screenshot into the test output, then axe-core: no serious or critical violation. */
  const check = async (page: Page, name: string) => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run: () => Promise<{
              violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
            }>;
          };
        }
      ).axe;
      const result = await axe.run();
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 3),
      }));
    });
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  };
  /** Marks the document so a later check can tell it was updated in place, not reloaded. */
  const markDocument = (page: Page) =>
    page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same'));
  const stillSameDocument = async (page: Page) =>
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same');

  beforeAll(async () => {
    ensureChromium();
    mkdirSync(SHOTS, { recursive: true });
    // DEMO_MODE: the services take the demo keys and policy files the console signs in with.
    const infra = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: testDatabaseUrl(),
      DEMO_MODE: '1',
    };
    exchange = ServiceProcess.of('exchange', {
      ...infra,
      // The shared test database's secrets: every exchange of the integration tests uses these.
      PSEUDONYM_SECRET: 'integration-test-pseudonym-secret-0123456789',
      PII_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      SUBSCRIBERS_FILE: `${REPO_ROOT}deploy/local/subscribers.demo.json`,
      RELEASE_RULES_FILE: `${REPO_ROOT}deploy/local/release-rules.demo.json`,
      KAFKA_CONSUMER_GROUP: `console-it-${run}`,
      EXCHANGE_INSTANCE_ID: `console-it-${run}`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      LOG_FORMAT: 'json',
      PORT: String(PORTS.exchange),
    });
    const sectorEnv = (port: number) => ({
      ...infra,
      AGENCY_KEYS_FILE: `${REPO_ROOT}deploy/local/agency-keys.demo.json`,
      LOG_FORMAT: 'json',
      PORT: String(port),
    });
    courts = ServiceProcess.of('courts', sectorEnv(PORTS.courts));
    tax = ServiceProcess.of('tax', sectorEnv(PORTS.tax));
    await exchange.start();
    await courts.start();
    await tax.start();
    taxExample = (await recordExamples(tax.url)).find((e) => e['recordType'] === 'tax.major_violation')!;
    consoleApp = ServiceProcess.of('console', {
      EXCHANGE_URL: exchange.url,
      COURTS_URL: courts.url,
      TAX_URL: tax.url,
      REFRESH_INTERVAL_MS: '500',
      METRICS_SAMPLE_INTERVAL_MS: '1000',
      PORT: String(PORTS.console),
    });
    await consoleApp.start();
    // playwright-core gives each launch a fresh user data directory of its own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await consoleApp?.stop();
    await courts?.stop();
    await tax?.stop();
    await exchange?.stop();
  });

  it('signs an operator in to the overview; the subject desk sees only its page, and the API’s 403 elsewhere', async () => {
    const operator = await signIn(KEYS.operator);
    expect(new URL(operator.url()).pathname).toBe('/overview');
    expect(
      await operator.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents(),
    ).toEqual(['Overview', 'Record journey', 'Dead letters', 'Subject desk', 'Policy']);
    await operator.getByRole('heading', { name: 'Consumer lag' }).waitFor();
    await operator.getByRole('heading', { name: 'Dead letters by reason code' }).waitFor();
    expect(await operator.getByTestId('disputes-open').textContent()).toMatch(/^\d+$/);
    expect(await operator.getByTestId('tasks-overdue').textContent()).toMatch(/^\d+$/);
    // The key never reaches the page: only an httpOnly session cookie does.
    const cookies = await operator.context().cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'cie_console_session', httpOnly: true, sameSite: 'Strict' }),
    ]);
    expect(await operator.content()).not.toContain(KEYS.operator);
    expect(await operator.evaluate(() => document.cookie)).toBe('');
    await check(operator, 'overview');

    const desk = await signIn(KEYS.desk);
    expect(new URL(desk.url()).pathname).toBe('/subjects');
    expect(await desk.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).toEqual(
      ['Subject desk'],
    );
    await desk.goto(`${consoleApp.url}/overview`);
    await desk.getByRole('alert').filter({ hasText: '403' }).waitFor();

    // A subscriber's key is the exchange's (GET /v1/whoami says whose), but not a console key.
    const subscriber = await signIn('demo-key-beijing-platform');
    expect(new URL(subscriber.url()).pathname).toBe('/sign-in');
    expect(await subscriber.getByRole('alert').textContent()).toMatch(
      /403 Not a console key[\s\S]*beijing-platform \(subscriber\)/,
    );
    expect(await subscriber.context().cookies()).toEqual([]);
  });

  it('shows a delivery appear live on the record journey after the court submits a correction, and explains it', async () => {
    const body = debtor(1);
    const recordId = await publish(body);
    const page = await signIn(KEYS.operator);
    await page.goto(`${consoleApp.url}/journey?recordId=${recordId}&subscriber=beijing-platform`);
    await page.getByTestId('timeline').getByText('version 1').waitFor();
    expect((await page.getByTestId('decision').textContent())?.trim()).toMatch(/^Allowed under rule /);
    expect(await page.getByTestId('reasons').locator('li').count()).toBeGreaterThan(0);
    const before = Number(await page.getByTestId('delivery-count').textContent());
    expect(before).toBeGreaterThan(0);
    await markDocument(page);

    // The court corrects the record through its API; the open page shows version 2 without a reload.
    const correction = await courtsApi(`/v1/records/${body.sourceRecordId}/corrections`, {
      ...body,
      outstandingAmount: '0.00',
    });
    expect(correction.status).toBe(202);
    await page.getByTestId('timeline').getByText('version 2').waitFor({ timeout: 30_000 });
    await page
      .getByTestId('deliveries')
      .getByRole('cell', { name: 'credit.record.corrected' })
      .first()
      .waitFor();
    expect(Number(await page.getByTestId('delivery-count').textContent())).toBeGreaterThan(before);
    await stillSameDocument(page);
    await check(page, 'journey');
  });

  it('lists a dead letter the flow made under its reason code, inspects it and replays it', async () => {
    // A correction that changes who the record is about is refused by the exchange and dead-lettered.
    const body = debtor(2);
    await publish(body);
    const refused = await courtsApi<{ eventId: string }>(`/v1/records/${body.sourceRecordId}/corrections`, {
      ...body,
      subject: { kind: 'natural_person', idNumber: '310115198001010016', name: '张三' },
    });
    expect(refused.status).toBe(202);
    await expectEventually(async () => {
      const history = await courtsApi<History>(`/v1/records/${body.sourceRecordId}`);
      expect(history.body.events.at(-1)?.exchangeOutcome?.status).toBe('dead_lettered');
    });
    const page = await signIn(KEYS.operator);
    await page.goto(`${consoleApp.url}/dead-letters?code=subject_identity_changed`);
    const row = page.locator(`tr[data-event-id="${refused.body.eventId}"]`);
    await row.waitFor();
    // Replayed, the message is refused again and dead-lettered anew: follow this one by its id.
    const deadLetterId = await row.getAttribute('data-id');
    await row.getByRole('link', { name: /Inspect/ }).click();
    await page.getByRole('heading', { name: /^Dead letter / }).waitFor();
    expect(await page.locator('dl').first().textContent()).toContain(refused.body.eventId);
    await page
      .getByRole('region', { name: /^Dead letter / })
      .getByRole('button', { name: /Replay/ })
      .click();
    await page.getByRole('status').filter({ hasText: 'was sent back to credit.courts.events.v1' }).waitFor();
    await expectEventually(async () =>
      expect(await page.locator(`tr[data-id="${deadLetterId}"] td.replayed`).textContent()).not.toBe('—'),
    );
    await check(page, 'dead-letters');
  });

  it('shows the policy history and runs a pasted draft as a what-if', async () => {
    const page = await signIn(KEYS.operator);
    await page.goto(`${consoleApp.url}/policy`);
    await page.getByRole('heading', { name: 'Version history' }).waitFor();
    // The files in force, pasted as a draft with the Shanghai platform removed.
    const subscribers = JSON.parse(
      readFileSync(`${REPO_ROOT}deploy/local/subscribers.demo.json`, 'utf8'),
    ) as {
      subscribers: { id: string }[];
    };
    const releaseRules: unknown = JSON.parse(
      readFileSync(`${REPO_ROOT}deploy/local/release-rules.demo.json`, 'utf8'),
    );
    const draft = {
      ...subscribers,
      subscribers: subscribers.subscribers.filter((x) => x.id !== 'shanghai-platform'),
    };
    // Left in the release rules, the removed subscriber is a problem the API names, and the page shows it.
    await page.getByLabel(/Draft policy/).fill(JSON.stringify({ subscribers: draft, releaseRules }));
    await page.getByRole('button', { name: /Run the draft/ }).click();
    await page.getByRole('alert').filter({ hasText: 'shanghai-platform is not a subscriber' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('422');
    const withoutShanghai: unknown = JSON.parse(JSON.stringify(releaseRules), (_, v: unknown) =>
      Array.isArray(v) ? v.filter((x) => x !== 'shanghai-platform') : v,
    );
    await page
      .getByLabel(/Draft policy/)
      .fill(JSON.stringify({ subscribers: draft, releaseRules: withoutShanghai }));
    await page.getByRole('button', { name: /Run the draft/ }).click();
    await page
      .getByRole('heading', { name: /^Draft / })
      .or(page.getByRole('alert'))
      .waitFor();
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    expect(await page.getByRole('region', { name: /^Draft / }).textContent()).toMatch(/record\(s\) checked/);
    await check(page, 'policy');
  });

  it('files a dispute on the subject desk, resolves it on the court’s page, and the desk sees the outcome live; prints the access report on A4 in Chinese', async () => {
    const body = debtor(3);
    const recordId = await publish(body);
    const desk = await signIn(KEYS.desk);
    await desk.goto(
      `${consoleApp.url}/subjects?id=${body.subject.idNumber}&name=${encodeURIComponent(NAME)}`,
    );
    const record = desk.getByRole('region', { name: `Record ${recordId}` });
    await record.getByText('File a dispute about this record').click();
    const form = record.locator('form[action="/subjects/disputes"]');
    await form.getByLabel('Grounds').fill('欠款已于2026年11月全部清偿，附银行回单');
    await form.getByRole('button', { name: 'File the dispute' }).click();
    await desk.waitForURL(/\/disputes\/[0-9a-f-]{36}$/);
    const disputeId = desk.url().split('/').at(-1)!;
    await desk.getByTestId('request-status').getByText('open').waitFor();
    await check(desk, 'subject-dispute');
    await markDocument(desk);

    const court = await signIn(KEYS.court);
    expect(new URL(court.url()).pathname).toBe('/inbox');
    const card = court.locator(`section.dispute[data-id="${disputeId}"]`);
    await card.waitFor({ timeout: 30_000 });
    await check(court, 'agency-inbox');
    await card.getByLabel('upheld').check();
    await card.getByLabel('Note to the subject').fill('经核查，执行款项尚未到账，维持原决定');
    await card.getByRole('button', { name: 'Send the answer' }).click();
    await court
      .getByRole('status')
      .filter({ hasText: `Dispute ${disputeId} answered` })
      .waitFor();

    // The desk's page follows the dispute without a reload.
    await desk.getByTestId('request-outcome').getByText('upheld').waitFor({ timeout: 30_000 });
    await stillSameDocument(desk);

    const report = await desk.context().newPage();
    await report.goto(
      `${consoleApp.url}/subjects/report?id=${body.subject.idNumber}&name=${encodeURIComponent(NAME)}`,
    );
    expect(await report.getByTestId('subject-name').textContent()).toBe(NAME);
    await report.emulateMedia({ media: 'print' });
    await check(report, 'access-report');
    const pdf = await report.pdf({ preferCSSPageSize: true, printBackground: true });
    const printed = inspectPdf(pdf);
    // A4 is 595.28 x 841.89 points.
    expect(printed.pages.length).toBeGreaterThan(0);
    for (const [, , width, height] of printed.pages) {
      expect(width).toBeCloseTo(595.3, 0);
      expect(height).toBeCloseTo(841.9, 0);
    }
    expect(printed.fonts.some((f) => /WenQuanYi|NotoSansCJK|NotoSerifCJK|CJK/i.test(f))).toBe(true);
    for (const ch of [...NAME, ...'北京市朝阳区人民法院']) expect(printed.characters.has(ch)).toBe(true);
  });

  it('requests credit repair on the subject desk, the tax office approves it in its inbox, and the desk sees it live; a record that is not repairable is refused with the API’s reason', async () => {
    const body = taxViolation(5);
    const [recordId, courtRecordId] = await Promise.all([publish(body), publish(debtor(6))]);
    const desk = await signIn(KEYS.desk);
    const subjectPage = (idNumber: string) =>
      `${consoleApp.url}/subjects?id=${idNumber}&name=${encodeURIComponent(NAME)}`;

    // A dishonest debtor cannot be repaired under the catalogue: the desk sees why, nothing is filed.
    await desk.goto(subjectPage(debtor(6).subject.idNumber));
    const courtRecord = desk.getByRole('region', { name: `Record ${courtRecordId}` });
    await courtRecord.getByText('Request credit repair').click();
    const refusedForm = courtRecord.locator('form[action="/subjects/repairs"]');
    await refusedForm.getByLabel('Grounds').fill('已履行全部义务');
    await refusedForm.getByRole('button', { name: 'Request the repair' }).click();
    await desk.getByRole('alert').filter({ hasText: 'cannot be repaired' }).waitFor();
    expect(new URL(desk.url()).pathname).toBe('/subjects/repairs');

    await desk.goto(subjectPage(body.subject.idNumber));
    const record = desk.getByRole('region', { name: `Record ${recordId}` });
    expect(await record.textContent()).toMatch(/repairable from \d{4}-\d{2}-\d{2}/);
    await record.getByText('Request credit repair').click();
    const form = record.locator('form[action="/subjects/repairs"]');
    await form.getByLabel('Grounds').fill('税款、滞纳金和罚款已全部缴清，公布已满六个月，申请提前撤出');
    await form.getByRole('button', { name: 'Request the repair' }).click();
    await desk.waitForURL(/\/repairs\/[0-9a-f-]{36}$/);
    const requestId = desk.url().split('/').at(-1)!;
    await desk.getByTestId('request-status').getByText('pending').waitFor();
    await check(desk, 'subject-repair');
    await markDocument(desk);

    const office = await signIn(KEYS.tax);
    expect(new URL(office.url()).pathname).toBe('/inbox');
    const card = office.locator(`section.repair[data-id="${requestId}"]`);
    await card.waitFor({ timeout: 30_000 });
    await check(office, 'agency-inbox-repair');
    await card.getByLabel('approve').check();
    await card.getByLabel('Note to the subject').fill('已核实缴清凭证，同意信用修复');
    await card.getByRole('button', { name: 'Send the answer' }).click();
    await office
      .getByRole('status')
      .filter({ hasText: `Repair request ${requestId} answered` })
      .waitFor();
    // Answered, it leaves the waiting list and shows under "answered".
    await expectEventually(async () =>
      expect(await office.locator(`section.repair[data-id="${requestId}"]`).count()).toBe(0),
    );
    await office.goto(`${consoleApp.url}/inbox?show=answered`);
    expect(await office.locator(`section.repair[data-id="${requestId}"]`).textContent()).toContain(
      'approved',
    );

    // The desk's page follows the request without a reload; the record is then repaired.
    await desk.getByTestId('request-outcome').getByText('approved').waitFor({ timeout: 30_000 });
    await stillSameDocument(desk);
    await expectEventually(async () => {
      await desk.goto(subjectPage(body.subject.idNumber));
      expect(await desk.getByRole('region', { name: `Record ${recordId}` }).textContent()).toMatch(
        /status\s+repaired/,
      );
    });
  });
});
