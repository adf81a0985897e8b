import { fromBinary } from '@bufbuild/protobuf';
import { FeedEventSchema } from '@cie/contracts';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import type { SubscriberEntitlement } from '../domain/routing.js';
import { randomBytes } from 'node:crypto';
import { FEED_PSEUDONYM_SCHEME, SubjectIdentityService } from '../identity/subject-identity.service.js';
import { buildFeedMessage, PSEUDONYM_SCHEME_HEADER } from './feed-message.js';

const identity = new SubjectIdentityService('a-test-secret-that-is-long-enough!!', [
  { id: 'k1', key: randomBytes(32) },
]);

const CLEAR_ID = '310115198001010016';

const record: CanonicalRecord = {
  recordId: '0195f0c2-0000-7000-8000-000000000001',
  source: {
    sector: 'courts',
    agencyId: 'court-sh-pudong',
    sourceRecordId: 'sh-1',
    decisionNumber: '(2025)沪0115执1号',
    decidingAuthority: '上海市浦东新区人民法院',
    decisionDate: '2025-01-02',
  },
  subject: { kind: 'natural_person', canonicalId: `P${'A'.repeat(32)}`, name: '李四', regionCode: '310115' },
  kind: 'courts.consumption_restriction',
  category: 'judicial_enforcement',
  polarity: 'negative',
  severity: 'general',
  disclosure: {
    level: 'authorised',
    effectiveFrom: '2025-01-02',
    disclosureUntil: '2027-01-02',
    legalBasis: '法释〔2015〕17号',
    repairableFrom: null,
  },
  status: 'active',
  version: 1,
  recordedAt: '2025-01-03T00:00:00.000Z',
  attributes: { legalRepresentative: '王五', facts: '拒不履行', outstandingAmount: '1000.00' },
  catalogueEdition: '2026.1',
  catalogueVersion: '2026.1.0',
};

const subscriber = (over: Partial<SubscriberEntitlement>): SubscriberEntitlement => ({
  id: 'some-subscriber',
  name: 'some subscriber',
  sectors: ['courts'],
  kinds: ['*'],
  levels: ['public', 'authorised'],
  regions: ['*'],
  naturalPersonIdentity: 'pseudonym',
  ...over,
});

function viewFor(s: SubscriberEntitlement) {
  const message = buildFeedMessage({
    eventId: 'e-1',
    type: 'credit.record.published',
    record,
    subscriber: s,
    clearIdNumber: CLEAR_ID,
    subjectId: identity.subjectIdFor(s.id, record.subject),
    pseudonymScheme: FEED_PSEUDONYM_SCHEME,
    occurredAt: new Date('2025-01-03T00:00:00Z'),
  });
  return { message, record: fromBinary(FeedEventSchema, message.value).record };
}

describe('each subscriber’s view of a record', () => {
  it('Given no field policy, every attribute and the subject name are in the view', () => {
    // When
    const { record: view } = viewFor(subscriber({}));
    // Then
    expect(view?.attributes).toEqual(record.attributes);
    expect(view?.subject?.name).toBe('李四');
  });

  it('Given redacted attribute keys, those keys are absent from the view and the others kept', () => {
    // When
    const { record: view } = viewFor(subscriber({ redact: ['legalRepresentative', 'facts'] }));
    // Then
    expect(view?.attributes).toEqual({ outstandingAmount: '1000.00' });
    expect(Object.keys(view?.attributes ?? {})).not.toContain('facts');
  });

  it('Given subject.name redacted, the name is empty and the rest of the subject kept', () => {
    // When
    const { record: view, message } = viewFor(subscriber({ redact: ['subject.name'] }));
    // Then
    expect(view?.subject).toMatchObject({
      name: '',
      canonicalId: identity.subjectIdFor('some-subscriber', record.subject),
      regionCode: '310115',
    });
    expect(message.value.includes(Buffer.from('李四'))).toBe(false);
  });

  it('Given a pseudonym-only subscriber, no byte of the message carries the clear identity number', () => {
    // When
    const { record: view, message } = viewFor(subscriber({ naturalPersonIdentity: 'pseudonym' }));
    // Then
    expect(view?.subject?.idNumber).toBe('');
    const bytes = Buffer.concat([
      message.value,
      Buffer.from(message.key),
      Buffer.from(JSON.stringify(message.headers)),
    ]);
    expect(bytes.includes(Buffer.from(CLEAR_ID))).toBe(false);
  });

  it('Given two subscribers, each message names the person by its own pseudonym and no byte carries the canonical one', () => {
    // When
    const a = viewFor(subscriber({ id: 'subscriber-a' }));
    const b = viewFor(subscriber({ id: 'subscriber-b', naturalPersonIdentity: 'clear' }));
    // Then
    const idA = a.record?.subject?.canonicalId ?? '';
    const idB = b.record?.subject?.canonicalId ?? '';
    expect(idA).toMatch(/^S[0-9A-F]{32}$/);
    expect(idB).toMatch(/^S[0-9A-F]{32}$/);
    expect(idA).not.toBe(idB);
    for (const { message } of [a, b]) {
      const bytes = Buffer.concat([
        message.value,
        Buffer.from(message.key),
        Buffer.from(JSON.stringify(message.headers)),
      ]);
      expect(bytes.includes(Buffer.from(record.subject.canonicalId))).toBe(false);
    }
    expect(a.message.key).toBe(idA);
    expect(a.message.headers['ce_subject']).toBe(idA);
    expect(a.message.headers[PSEUDONYM_SCHEME_HEADER]).toBe(FEED_PSEUDONYM_SCHEME);
    expect(Buffer.from(JSON.stringify(b.message.headers)).includes(Buffer.from(idA))).toBe(false);
  });

  it('Given a subscriber entitled to the clear identity, the number is in its view', () => {
    // When
    const { record: view } = viewFor(subscriber({ naturalPersonIdentity: 'clear' }));
    // Then
    expect(view?.subject?.idNumber).toBe(CLEAR_ID);
  });

  it('leaves the stored record untouched when redacting', () => {
    // When
    viewFor(subscriber({ redact: ['facts', 'subject.name'] }));
    // Then
    expect(record.attributes['facts']).toBe('拒不履行');
    expect(record.subject.name).toBe('李四');
  });
});
