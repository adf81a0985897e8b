/**
 * Normalises an identifier as agencies type it: trims, folds full-width characters to
 * half-width (NFKC), upper-cases (a resident id's `x`), and drops spaces and hyphens.
 */
export function normaliseIdentifier(raw: string): string {
  return raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-\u2010-\u2015]/g, '');
}
