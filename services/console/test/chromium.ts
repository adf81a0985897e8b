import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags that keep Chromium quiet on a closed network (see the README's Console section). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const hasCjkFont = (): boolean => {
  try {
    return /WenQuanYi|Noto Sans CJK|Noto Serif CJK/i.test(
      execFileSync('fc-list', ['-f', '%{family}\n']).toString(),
    );
  } catch {
    return false;
  }
};

/**
 * The browser tests drive Debian's Chromium (a test tool's own browser download does not work on
 * these machines). On a fresh machine it, and a small CJK font for the printed report, are
 * installed here once with apt-get (CI runs as root); elsewhere the message says what to install.
 */
export function ensureChromium(): void {
  const missing = [
    ...(existsSync(CHROMIUM) ? [] : ['chromium']),
    ...(hasCjkFont() ? [] : ['fonts-wqy-microhei']),
  ];
  if (missing.length === 0) return;
  console.log(`console browser tests: installing ${missing.join(' and ')} with apt-get (once per machine)`);
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], {
      stdio: 'inherit',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    throw new Error(
      `The console's browser tests need ${missing.join(' and ')}: \`apt-get install -y ${missing.join(' ')}\` ` +
        `(as root) failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
