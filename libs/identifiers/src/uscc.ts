import { normaliseIdentifier } from './normalise.js';
import { type IdentifierCheck, invalid } from './result.js';

// GB 32100-2015. Written here rather than taken from `stdnum` (CN.uscc), which rejects valid codes
// whose check character is `0` (it indexes its alphabet with 31 - sum mod 31 without the final mod
// 31) and codes whose registration authority is a letter (A, N, Y).
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_PATTERN = /^[1-9ANY][0-9A-HJ-NP-RTUWXY]\d{6}[0-9A-HJ-NP-RTUWXY]{9}[0-9A-HJ-NP-RTUWXY]$/;

/** The check character for the first 17 characters of a code: weights 3^(i-1) mod 31. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  let weight = 1;
  for (const char of first17) {
    sum += ALPHABET.indexOf(char) * weight;
    weight = (weight * 3) % 31;
  }
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

let legacyCodes: ReadonlySet<string> = new Set();

/**
 * The early pilot codes that fail the check character but were really issued (DESIGN §5), set
 * once at start from configuration (LEGACY_USCC_FILE); `checkUscc` accepts them as they are.
 */
export function setLegacyUsccCodes(codes: Iterable<string>): void {
  legacyCodes = new Set([...codes].map(normaliseIdentifier));
}

/**
 * Checks a unified social credit code. `legacyAllowList` (by default the configured one) holds
 * early pilot codes that fail the check digit but were really issued; they are accepted as they are.
 */
export function checkUscc(raw: string, legacyAllowList: ReadonlySet<string> = legacyCodes): IdentifierCheck {
  const value = normaliseIdentifier(raw);
  if (value.length !== 18) return invalid(value, `must be 18 characters, got ${value.length}`);
  if (!USCC_PATTERN.test(value)) {
    return invalid(value, 'has a character outside the GB 32100 alphabet (0-9, A-Z without I, O, S, V, Z)');
  }
  const regionCode = value.slice(2, 8);
  if (legacyAllowList.has(value)) return { valid: true, value, regionCode };
  const expected = usccCheckCharacter(value.slice(0, 17));
  if (value.charAt(17) !== expected) {
    return invalid(value, `check character is ${value.charAt(17)}, expected ${expected} (GB 32100)`);
  }
  return { valid: true, value, regionCode };
}
