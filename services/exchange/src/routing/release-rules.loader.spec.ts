import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '@cie/platform';
import { DEFAULT_RELEASE_RULES_FILE, loadReleaseRules } from './release-rules.loader.js';
import { loadSubscriberPolicy } from './subscriber-policy.loader.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const DEMO_RELEASE = path.join(REPO, DEFAULT_RELEASE_RULES_FILE);
const DEMO_SUBSCRIBERS = path.join(REPO, 'deploy/local/subscribers.demo.json');
const dir = mkdtempSync(path.join(tmpdir(), 'release-rules-'));

/** Writes `content` as a JSON file and returns its path. */
function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, JSON.stringify(content));
  return p;
}

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('the file was accepted');
}

const rule = { subscribers: ['*'], kinds: ['*'], levels: ['public'] };
const rules = (sectors: Record<string, unknown>) => ({
  version: 'r1',
  sectors: { tax: [rule], procurement: [rule], courts: [rule], ecommerce: [rule], ...sectors },
});

describe('loading the release rules', () => {
  it('Given the demo files, both sides load and the policy version names both', () => {
    // When
    const policy = loadSubscriberPolicy(DEMO_SUBSCRIBERS, DEMO_RELEASE);
    // Then
    expect(policy.version).toMatch(/^subscribers@[\w.-]+\+release@[\w.-]+$/);
    expect(policy.release.sectors.courts?.[1]).toEqual({
      subscribers: ['beijing-platform', 'shanghai-platform', 'procurement-regulator'],
      kinds: ['*'],
      levels: ['authorised', 'shared'],
    });
    expect(policy.release.sectors.ecommerce?.[1]?.subscribers).toEqual([
      'beijing-platform',
      'shanghai-platform',
    ]);
    expect(policy.subscribers.find((s) => s.id === 'public-portal')?.redact).toEqual([
      'legalRepresentative',
      'facts',
    ]);
  });

  it('Given a well-formed file, it returns the rules of every sector as written', () => {
    // Given
    const f = file('ok.json', rules({ courts: [] }));
    // When
    const loaded = loadReleaseRules(f);
    // Then
    expect(loaded.version).toBe('r1');
    expect(loaded.sectors.courts).toEqual([]);
    expect(loaded.sectors.tax).toEqual([rule]);
  });

  it('Given invalid rules, every problem names the variable, the file and the path', () => {
    // Given
    const f = file(
      'bad.json',
      rules({
        courts: [{ subscribers: ['Bad Id'], kinds: ['courts'], levels: ['secret'] }],
        tax: [{ subscribers: [], kinds: ['*'], levels: ['public'] }],
      }),
    );
    // When
    const problems = problemsOf(() => loadReleaseRules(f));
    // Then
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^RELEASE_RULES_FILE ${f}: sectors\\.courts\\[0\\]\\.subscribers `)),
        expect.stringMatching(new RegExp(`^RELEASE_RULES_FILE ${f}: sectors\\.courts\\[0\\]\\.kinds `)),
        expect.stringMatching(new RegExp(`^RELEASE_RULES_FILE ${f}: sectors\\.courts\\[0\\]\\.levels `)),
        expect.stringMatching(new RegExp(`^RELEASE_RULES_FILE ${f}: sectors\\.tax\\[0\\]\\.subscribers `)),
      ]),
    );
  });

  it('Given a sector left out or an unknown sector, the file is refused', () => {
    // Given
    const { ecommerce: _left, ...three } = rules({}).sectors;
    const missing = file('missing.json', { version: 'r1', sectors: three });
    const unknown = file('unknown.json', rules({ health: [rule] }));
    // When / Then
    expect(problemsOf(() => loadReleaseRules(missing)).join('\n')).toContain('sectors.ecommerce');
    expect(problemsOf(() => loadReleaseRules(unknown)).join('\n')).toContain('health');
  });

  it('Given a kind of another sector or an unknown subscriber, it says which rule names it', () => {
    // Given
    const f = file(
      'cross.json',
      rules({
        tax: [{ subscribers: ['nobody-here'], kinds: ['courts.dishonest_debtor'], levels: ['public'] }],
      }),
    );
    // When
    const problems = problemsOf(() => loadReleaseRules(f, ['beijing-platform']));
    // Then
    expect(problems).toEqual([
      `RELEASE_RULES_FILE ${f}: sectors.tax[0].kinds courts.dishonest_debtor is not a kind of sector tax`,
      `RELEASE_RULES_FILE ${f}: sectors.tax[0].subscribers nobody-here is not a subscriber in SUBSCRIBERS_FILE`,
    ]);
  });
});

describe('loading the subscribers’ field policy', () => {
  const entry = {
    id: 'portal',
    name: 'portal',
    sectors: ['courts'],
    kinds: ['*'],
    levels: ['public'],
    regions: ['*'],
    naturalPersonIdentity: 'pseudonym',
  };

  it('Given redact naming attribute keys and subject.name, they are kept for the feed', () => {
    // Given
    const f = file('subs-ok.json', {
      version: 's1',
      subscribers: [{ ...entry, redact: ['facts', 'subject.name'] }],
    });
    // When
    const policy = loadSubscriberPolicy(f, file('r.json', rules({})));
    // Then
    expect(policy.version).toBe('subscribers@s1+release@r1');
    expect(policy.subscribers[0]?.redact).toEqual(['facts', 'subject.name']);
  });

  it('Given redact naming a field that is not an attribute key, the file is refused with the path', () => {
    // Given
    const f = file('subs-bad.json', {
      version: 's1',
      subscribers: [{ ...entry, redact: ['subject.idNumber'] }],
    });
    // When
    const problems = problemsOf(() => loadSubscriberPolicy(f, DEMO_RELEASE));
    // Then
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^SUBSCRIBERS_FILE ${f}: subscribers\\[0\\]\\.redact `)),
    ]);
  });

  it('Given release rules naming a subscriber the subscribers file lacks, the policy is refused', () => {
    // Given: the demo release rules name the demo platforms; this subscribers file has only `portal`.
    const f = file('subs-one.json', { version: 's1', subscribers: [entry] });
    // When
    const problems = problemsOf(() => loadSubscriberPolicy(f, DEMO_RELEASE));
    // Then
    expect(problems).toContain(
      `RELEASE_RULES_FILE ${DEMO_RELEASE}: sectors.courts[1].subscribers beijing-platform is not a subscriber in SUBSCRIBERS_FILE`,
    );
  });
});
