import { randomBytes } from 'node:crypto';
import { RequestException } from '@cie/platform';
import { SubjectIdentityService } from '../identity/subject-identity.service.js';
import { subscriberSubjectId } from './subject-id.js';

const identity = new SubjectIdentityService('a-test-secret-that-is-long-enough!!', [
  { id: 'k1', key: randomBytes(32) },
]);
const RESIDENT = '310115198001010016';
const canonical = identity.pseudonymise(RESIDENT);
const person = { kind: 'natural_person', canonicalId: canonical };
const shanghai = { id: 'shanghai-platform', naturalPersonIdentity: 'pseudonym' as const };
const beijing = { id: 'beijing-platform', naturalPersonIdentity: 'clear' as const };

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RequestException) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'not refused';
};

describe('the subject a subscriber asks about', () => {
  it('Given its own pseudonym, Then the subject; Given another subscriber’s, Then a subject nobody has', () => {
    expect(subscriberSubjectId(identity.subjectIdFor(shanghai.id, person), shanghai, identity)).toBe(
      canonical,
    );
    expect(subscriberSubjectId(identity.subjectIdFor(beijing.id, person), shanghai, identity)).not.toBe(
      canonical,
    );
  });

  it('Given a clear resident id, Then only a clear entitlement finds the person; a pseudonym-only one is refused with the reason', () => {
    expect(subscriberSubjectId(RESIDENT, beijing, identity)).toBe(canonical);
    expect(refusal(() => subscriberSubjectId(RESIDENT, shanghai, identity))).toBe(
      'FORBIDDEN: subscriber shanghai-platform is entitled to natural persons by pseudonym only: ask by the pseudonym its feed carries, not by a resident identity number',
    );
  });

  it('Given a v1 canonical pseudonym, Then it is refused naming the migration route; a USCC is taken as is; nonsense is no id', () => {
    expect(refusal(() => subscriberSubjectId(canonical, beijing, identity))).toContain(
      `GET /v1/subjects/${canonical}/pseudonym gives it`,
    );
    expect(subscriberSubjectId('91110105MA01C8XK3R', shanghai, identity)).toBe('91110105MA01C8XK3R');
    expect(subscriberSubjectId('not-an-id', shanghai, identity)).toBeUndefined();
  });
});
