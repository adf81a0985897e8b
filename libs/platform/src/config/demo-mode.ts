import { createHash } from 'node:crypto';
import { ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * Secrets published in this repository (docker-compose.yml, the local kustomize overlay, the test
 * helpers): anyone can read them, so a service refuses them unless DEMO_MODE=1 says it is a demo.
 */
export const PUBLISHED_DEMO_SECRETS: Readonly<Record<string, readonly string[]>> = {
  PSEUDONYM_SECRET: [
    'compose-demo-pseudonym-secret-change-me',
    'local-demo-pseudonym-secret-not-for-production',
    'integration-test-pseudonym-secret-0123456789',
  ],
  PII_ENCRYPTION_KEY: [
    'Y29tcG9zZS1kZW1vLWtleS0zMi1ieXRlcy1jaGFuZ2U=',
    'bG9jYWwtZGVtby1rZXktMzItYnl0ZXMtbm90LXJlYWw=',
    // Buffer.alloc(32, 7): the exchange tests' key.
    'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=',
  ],
};

/**
 * Bearer keys printed in the README and used by `npm run demo` and the tests (deploy/local/*.demo.json
 * hold their hashes). A keys file holding one of them is a demo file wherever it was copied to.
 */
export const PUBLISHED_DEMO_KEYS: readonly string[] = [
  'demo-key-court-bj-chaoyang',
  'demo-key-court-sh-pudong',
  'demo-key-tax-bj',
  'demo-key-procurement-bj',
  'demo-key-ecommerce-hz',
  'demo-key-operator',
  'demo-key-beijing-platform',
  'demo-key-shanghai-platform',
  'demo-key-credit-desk',
  'demo-key-platform-beijing-reader',
  'demo-key-platform-shanghai-reader',
  'demo-key-procurement-officer',
];
const DEMO_KEY_HASHES = new Set(
  PUBLISHED_DEMO_KEYS.map((key) => createHash('sha256').update(key, 'utf8').digest('hex')),
);

/**
 * Ed25519 public keys of deploy/local/feed-ack-keys.demo.json and agency-keys.demo.json, whose
 * private keys are published next to them: a keys file holding one is a demo file wherever it is.
 */
export const PUBLISHED_DEMO_PUBLIC_KEYS: ReadonlySet<string> = new Set([
  'MCowBQYDK2VwAyEAk7L75mt7sSqm4rWw89sIfnybsxgqQOly9RkXd+JMSck=',
  'MCowBQYDK2VwAyEA7O05MOWNdpozuN7gXJIvSghqXQAFQ59tSGwIIxuL90o=',
  'MCowBQYDK2VwAyEAR1TjR+9asUpNOGFgbFFRjLtaXrHh8Iz50EWPv3KVhJk=',
  'MCowBQYDK2VwAyEAa01MApfNkrEVXR3nkPYfRlPi2IfCU6UtB8eC9IafVy0=',
  'MCowBQYDK2VwAyEA2rmngt5EVXJC0gJkd+wfK0cosWQpwKxbyJjm/OmCd1I=',
  'MCowBQYDK2VwAyEAq3+YN+m4WzgKHwtJE+IZhQmuXAp3BHZAciTUW1zspoQ=',
  'MCowBQYDK2VwAyEApeSJ7UWtj7sN70IG4uvL4etqOsTRn+u5Zj9oEFjoJ4c=',
  'MCowBQYDK2VwAyEANcIBhy7Aj80D+KZ3ZWmj3I56WJiSlMxQg7gNWXGRljE=',
  'MCowBQYDK2VwAyEA6ChwAWfYYknWlo4t6YMtZb/en9szmThC4TQt1GuHyso=',
]);

export const isPublishedDemoKeyHash = (keySha256: string): boolean => DEMO_KEY_HASHES.has(keySha256);

/** `1` or `true` (as Compose or a shell sets it); anything else, unset included, is production. */
export const isDemoMode = (env: Record<string, unknown>): boolean =>
  env['DEMO_MODE'] === '1' || env['DEMO_MODE'] === 'true' || env['DEMO_MODE'] === true;

/** The files under deploy/local/ (and any copy that kept the name) are demo files: JSON, or a PEM key. */
export const isDemoFile = (file: string): boolean => /(^|[/\\])[^/\\]+\.demo\.(json|pem)$/.test(file);

const demo = (args?: ValidationArguments): boolean =>
  isDemoMode((args?.object ?? {}) as Record<string, unknown>);

/** Refuses a value published in this repository (PUBLISHED_DEMO_SECRETS) unless DEMO_MODE=1. */
export function NotPublishedDemoSecret(): PropertyDecorator {
  return ValidateBy({
    name: 'notPublishedDemoSecret',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        demo(args) ||
        typeof value !== 'string' ||
        !(PUBLISHED_DEMO_SECRETS[args?.property ?? ''] ?? []).includes(value),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'this variable'} is the published demo secret; set your own or DEMO_MODE=1`,
    },
  });
}

/** Refuses a deploy/local/*.demo.json or *.demo.pem file (the default included) unless DEMO_MODE=1. */
export function NotDemoFile(): PropertyDecorator {
  return ValidateBy({
    name: 'notDemoFile',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        demo(args) || typeof value !== 'string' || !isDemoFile(value),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'this variable'} is a demo file (${String(args?.value)}); set your own or DEMO_MODE=1`,
    },
  });
}
