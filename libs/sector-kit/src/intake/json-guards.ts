import type { FieldProblem } from '@cie/platform';

export const MAX_DEPTH = 8;

/**
 * Hostile-input checks class-validator does not make: nesting deeper than any record type needs,
 * and numbers JavaScript cannot hold exactly (amounts are strings; a huge number is never valid).
 */
export function inspectJson(value: unknown, path = '', depth = 0): FieldProblem[] {
  if (depth > MAX_DEPTH) return [{ field: path, detail: `nesting deeper than ${MAX_DEPTH} levels` }];
  if (typeof value === 'number' && (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER)) {
    return [{ field: path, detail: 'number out of range; send amounts and identifiers as strings' }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => inspectJson(v, `${path}[${i}]`, depth + 1));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => inspectJson(v, path ? `${path}.${k}` : k, depth + 1));
  }
  return [];
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
