/** Outcome of an identifier check: the normalised value, or why it was refused. */
export type IdentifierCheck =
  { valid: true; value: string; regionCode: string } | { valid: false; value: string; reason: string };

export const invalid = (value: string, reason: string): IdentifierCheck => ({ valid: false, value, reason });
