import { checkResidentId, checkUscc, normaliseIdentifier } from '@cie/identifiers';
import { RequestErrorCode, RequestException } from '@cie/platform';
import type { SubscriberEntitlement } from '../domain/routing.js';
import {
  CANONICAL_PSEUDONYM,
  FEED_PSEUDONYM_SCHEME,
  SUBSCRIBER_PSEUDONYM,
  type SubjectIdentityService,
} from '../identity/subject-identity.service.js';

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

/**
 * The canonical subject id of what a subscriber typed: a USCC; a person by the pseudonym its own feed
 * carries (another subscriber's names nobody); by clear resident id only under a `clear`
 * entitlement, so a pseudonym-only subscriber cannot re-identify its feed (403 with the reason, as
 * for a v1 canonical pseudonym, which no feed carries any more); undefined for no valid id.
 */
export function subscriberSubjectId(
  raw: string,
  subscriber: Pick<SubscriberEntitlement, 'id' | 'naturalPersonIdentity'>,
  identity: SubjectIdentityService,
): string | undefined {
  const value = normaliseIdentifier(raw);
  if (SUBSCRIBER_PSEUDONYM.test(value)) return identity.canonicalOf(subscriber.id, value);
  if (CANONICAL_PSEUDONYM.test(value))
    throw new RequestException(
      RequestErrorCode.FORBIDDEN,
      `${value} is a pseudonym of the v1 feeds: ask by the pseudonym subscriber ${subscriber.id}'s feed carries (${FEED_PSEUDONYM_SCHEME}); GET /v1/subjects/${value}/pseudonym gives it`,
    );
  const canonicalId = canonicalSubjectId(value, identity);
  if (canonicalId && CANONICAL_PSEUDONYM.test(canonicalId) && subscriber.naturalPersonIdentity !== 'clear')
    throw new RequestException(
      RequestErrorCode.FORBIDDEN,
      `subscriber ${subscriber.id} is entitled to natural persons by pseudonym only: ask by the pseudonym its feed carries, not by a resident identity number`,
    );
  return canonicalId;
}
