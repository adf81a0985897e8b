import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordExamples, REPO_ROOT, ServiceProcess, testDatabaseUrl, testKafkaBrokers } from '@cie/testing';
import { cie } from '../test/cie-process.js';

const KEY = 'demo-key-court-bj-chaoyang';
const run = randomUUID().slice(0, 8);

describe('cie submit against a real courts service', () => {
  const courts = ServiceProcess.of('courts', {
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    DATABASE_URL: testDatabaseUrl(),
    // DEMO_MODE: the demo agency keys file is what the test signs in with.
    DEMO_MODE: '1',
    AGENCY_KEYS_FILE: `${REPO_ROOT}deploy/local/agency-keys.demo.json`,
    PORT: '28191',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'cie-submit-'));
  const file = path.join(dir, 'courts.ndjson');
  const rejects = path.join(dir, 'courts.rejects.ndjson');
  let valid: Record<string, unknown>[];

  beforeAll(async () => {
    await courts.start();
    // The service's own examples, from its OpenAPI document: valid by construction, never stale here.
    valid = (await recordExamples(courts.url)).map((e, i) => ({ ...e, sourceRecordId: `cli-${run}-${i}` }));
    const invalidField = { ...valid[0], sourceRecordId: `cli-${run}-bad`, decisionDate: '2025-13-45' };
    writeFileSync(
      file,
      [
        JSON.stringify(valid[0]),
        '{"recordType": "courts.dishonest_debtor", ',
        '',
        JSON.stringify(invalidField),
        ...valid.slice(1).map((r) => JSON.stringify(r)),
      ].join('\n') + '\n',
    );
  });
  afterAll(async () => {
    await courts.stop();
  });

  it('sends every line, prints the summary, and writes each refused line with its field errors', async () => {
    const { code, stdout, stderr } = await cie([
      'submit',
      file,
      '--url',
      courts.url,
      '--key',
      KEY,
      '--rejects',
      rejects,
    ]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    const total = valid.length + 2;
    expect(stdout).toContain(`${file}: ${total} lines in `);
    expect(stdout).toMatch(new RegExp(`accepted +${valid.length}\\n`));
    expect(stdout).toMatch(/refused +2\n/);
    expect(stdout).toContain(`2 refused line(s), each with its field errors, in ${rejects}`);

    const refused = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { line: number; status: string; problems: { field: string }[]; input: string },
      );
    expect(refused.map((r) => [r.line, r.status])).toEqual([
      [2, 'refused'],
      [4, 'refused'],
    ]);
    expect(refused[1]!.problems.map((p) => p.field)).toContain('decisionDate');
    expect(refused[1]!.input).toContain(`cli-${run}-bad`);
    expect(refused[0]!.input).toBe('{"recordType": "courts.dishonest_debtor", ');
  });

  it('exits 0 when nothing is refused: the valid lines sent again are duplicates, and the rejects file is empty', async () => {
    const again = path.join(dir, 'again.ndjson');
    writeFileSync(again, valid.map((r) => JSON.stringify(r)).join('\n'));
    const { code, stdout } = await cie(['submit', again, '--url', courts.url, '--key', KEY]);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`duplicate +${valid.length}\\n`));
    expect(readFileSync(`${again}.rejects.ndjson`, 'utf8')).toBe('');
  });

  it('exits 2 with a clear message for an unknown key, a service it cannot reach and a missing file', async () => {
    const unknownKey = await cie([
      'submit',
      file,
      '--url',
      courts.url,
      '--key',
      'not-a-key',
      '--rejects',
      rejects,
    ]);
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.stderr).toMatch(/answered 401/);
    const unreachable = await cie([
      'submit',
      file,
      '--url',
      'http://127.0.0.1:9',
      '--key',
      KEY,
      '--rejects',
      rejects,
    ]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot connect to http:\/\/127\.0\.0\.1:9/);
    const missing = await cie(['submit', path.join(dir, 'none.ndjson'), '--url', courts.url, '--key', KEY]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*none\.ndjson/);
  });
});
