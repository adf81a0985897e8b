import { checkResidentId, checkUscc, normaliseIdentifier } from '@cie/identifiers';
import type { SubjectIdentityService } from '../identity/subject-identity.service.js';

const PSEUDONYM = /^P[0-9A-F]{32}$/;

/**
 * The canonical subject id of what a caller typed: a USCC as is, a resident id turned into its
 * pseudonym (the exchange never keys on the clear number), a pseudonym as is; undefined otherwise.
 */
export function canonicalSubjectId(raw: string, identity: SubjectIdentityService): string | undefined {
  const value = normaliseIdentifier(raw);
  if (PSEUDONYM.test(value)) return value;
  if (value.length === 18 && /^\d{17}[\dX]$/.test(value)) {
    const person = checkResidentId(value);
    if (person.valid) return identity.pseudonymise(person.value);
  }
  const organisation = checkUscc(value);
  return organisation.valid ? organisation.value : undefined;
}
