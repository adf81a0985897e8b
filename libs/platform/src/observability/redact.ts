/**
 * The one list of what never reaches a log line in clear, shared by every service's logger (and by
 * anything else that prints data about people, e.g. error details). Two kinds of entries:
 * - field names: the value of a property with one of these names (at any depth) is replaced;
 * - patterns: text that looks like a secret or a person's identity inside any string (a message,
 *   an error, a property value) is replaced.
 * A company's unified social credit code is public register data and stays readable.
 */
export const REDACTED_FIELDS: readonly string[] = [
  'name',
  'subjectName',
  'idNumber',
  'clearIdNumber',
  'residentId',
  'authorization',
  'apiKey',
  'agencyKey',
  'clientKey',
  'key',
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'cookie',
  'PSEUDONYM_SECRET',
  'PII_ENCRYPTION_KEY',
  'DATABASE_URL',
  'KAFKA_SASL_PASSWORD',
];

export const REDACTED = '[redacted]';

interface RedactionPattern {
  /** What the pattern catches, for the tests and for whoever extends the list. */
  what: string;
  pattern: RegExp;
  replace: string;
}

export const REDACTED_PATTERNS: readonly RedactionPattern[] = [
  {
    what: 'bearer credentials (agency and client keys, tokens)',
    pattern: /\b(Bearer|Basic)\s+[^\s"',;]+/gi,
    replace: `$1 ${REDACTED}`,
  },
  {
    what: 'key=value / key: value pairs naming a secret',
    pattern:
      /\b(authorization|api[_-]?key|agency[_-]?key|password|passwd|secret|token)(["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi,
    replace: `$1$2${REDACTED}`,
  },
  {
    what: 'credentials in a connection URL (postgres://user:password@host)',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi,
    replace: `$1${REDACTED}@`,
  },
  {
    // 18 characters, the last a digit or X (GB 11643); 6-digit region, 8-digit birth date, sequence.
    what: 'resident identity numbers (GB 11643), in any text',
    pattern:
      /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g,
    replace: REDACTED,
  },
  {
    what: 'demo and test agency keys (demo-key-*), also outside a header',
    pattern: /\b(?:demo|test)-key-[\w-]+/gi,
    replace: REDACTED,
  },
];

const FIELD_SET = new Set(REDACTED_FIELDS.map((f) => f.toLowerCase()));

/** A string with every pattern of the shared list replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const { pattern, replace } of REDACTED_PATTERNS) out = out.replace(pattern, replace);
  return out;
}

/**
 * A copy of `value` safe to log: redacted fields replaced, every string scanned for the patterns.
 * Cycles and depth are bounded, so a log call never throws or loops.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactText(value.message),
      ...(value.stack ? { stack: redactText(value.stack) } : {}),
    };
  }
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      FIELD_SET.has(k.toLowerCase()) && v !== undefined && v !== null ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}
