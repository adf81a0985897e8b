import { stdnum } from 'stdnum';
import { normaliseIdentifier } from './normalise.js';
import { type IdentifierCheck, invalid } from './result.js';

const ric = stdnum['CN']?.['ric'];
if (!ric) throw new Error('the stdnum package no longer provides CN.ric');
const residentIdValidator = ric;

/**
 * Checks an 18-character resident identity number (GB 11643-1999): region, birth date and the
 * ISO 7064 MOD 11-2 check character (`X` for 10), using stdnum's CN.ric.
 */
export function checkResidentId(raw: string): IdentifierCheck {
  const value = normaliseIdentifier(raw);
  if (value.length !== 18) return invalid(value, `must be 18 characters, got ${value.length}`);
  const result = residentIdValidator.validate(value);
  if (!result.isValid) {
    return invalid(value, `is not a valid resident identity number (GB 11643): ${result.error.message}`);
  }
  return { valid: true, value, regionCode: value.slice(0, 6) };
}
