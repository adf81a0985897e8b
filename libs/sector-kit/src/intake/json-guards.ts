import { type FieldProblem, printable, unstorableText } from '@cie/platform';

export const MAX_DEPTH = 8;
/** Enough for an agency to fix everything in one go; an 8 MB body of bad strings answers in bounded size. */
const MAX_PROBLEMS = 20;

interface Pending {
  value: unknown;
  path: string;
  depth: number;
}

/**
 * Hostile-input checks class-validator does not make, run before anything that recurses
 * (class-transformer, class-validator, JSON.stringify): nesting deeper than any record type needs,
 * numbers JavaScript cannot hold exactly (amounts are strings; a huge number is never valid), and text
 * (values and member names) that could not be stored or published (control characters, see
 * `unstorableText`). Iterative with an explicit stack and never below MAX_DEPTH, so a 20,000-deep
 * array is answered at once instead of overflowing the call stack.
 */
export function inspectJson(root: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Pending[] = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value, path, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) {
      problems.push({ field: path, detail: `nesting deeper than ${MAX_DEPTH} levels` });
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER)
        problems.push({
          field: path,
          detail: 'number out of range; send amounts and identifiers as strings',
        });
    } else if (typeof value === 'string') {
      const why = unstorableText(value);
      if (why) problems.push({ field: path, detail: `${path || 'the value'} ${why}` });
    } else if (typeof value === 'object' && value !== null) {
      // Children pushed last-first, so problems come out in document order.
      const children: Pending[] = Array.isArray(value)
        ? value.map((v: unknown, i) => ({ value: v, path: `${path}[${i}]`, depth: depth + 1 }))
        : Object.entries(value).map(([key, v]) => {
            const field = path ? `${path}.${printable(key)}` : printable(key);
            const why = unstorableText(key);
            if (why) problems.push({ field, detail: `the field name ${why}` });
            return { value: v as unknown, path: field, depth: depth + 1 };
          });
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return problems.slice(0, MAX_PROBLEMS);
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; problems: FieldProblem[] };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An agency's raw JSON (a submission-topic message, an NDJSON line) as a value, or the 400 problem
 * saying why it is not one. V8's JSON.parse is not recursive, so any depth parses; the intake then
 * runs `inspectJson` on the value before anything else touches it.
 */
export function parseAgencyJson(raw: Uint8Array | string): ParsedJson {
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch {
    return { ok: false, problems: [{ field: '', detail: 'not UTF-8' }] };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, problems: [{ field: '', detail: `not JSON: ${(error as Error).message}` }] };
  }
}

/** Stable JSON (sorted keys) for content hashes: the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
