import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { CeHeader, CreditEventType, FeedAckSchema } from '@cie/contracts';
import type { FeedEventIn } from '../domain/holding.js';
import { generateKeyPairSync } from 'node:crypto';
import { MessageSigner, publicKeyText, SIGNATURE_HEADER, SIGNER_HEADER, signerKeysOf } from '@cie/platform';
import { FEED_ACK_TYPE, feedAckMessage } from './feed-ack.js';

const pair = generateKeyPairSync('ed25519');
const signer = new MessageSigner('beijing-platform', pair.privateKey);

const NOW = new Date('2026-01-02T03:04:05Z');
const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function withdrawn(eventId: string): FeedEventIn {
  return {
    eventId,
    type: CreditEventType.withdrawn,
    subscriber: 'beijing-platform',
    occurredAt: NOW,
    dispute: null,
    reason: 'decision_revoked',
    traceparent: TRACE,
    record: { recordId: 'rec-1', version: 2 } as FeedEventIn['record'],
  };
}

describe('feedAckMessage', () => {
  it('acknowledges the event by id, keyed by subscriber, with CloudEvents headers and the trace', () => {
    const m = feedAckMessage(signer, withdrawn('0199a0b2-0000-7000-8000-000000000001'), NOW);
    const ack = fromBinary(FeedAckSchema, m.value);
    expect(m.key).toBe('beijing-platform');
    expect(ack).toMatchObject({
      subscriber: 'beijing-platform',
      eventId: '0199a0b2-0000-7000-8000-000000000001',
      recordId: 'rec-1',
      version: 2,
      eventType: CreditEventType.withdrawn,
    });
    expect(ack.acknowledgedAt && timestampDate(ack.acknowledgedAt)).toEqual(NOW);
    expect(m.headers).toMatchObject({
      [CeHeader.type]: FEED_ACK_TYPE,
      [CeHeader.source]: '/platforms/beijing-platform',
      [CeHeader.subject]: 'rec-1',
      [CeHeader.dataschema]: FeedAckSchema.typeName,
      [CeHeader.traceparent]: TRACE,
    });
  });

  it('gives a re-sent ack the same ce_id, and another event another one', () => {
    const id = (eventId: string) => feedAckMessage(signer, withdrawn(eventId), NOW).headers[CeHeader.id];
    expect(id('0199a0b2-0000-7000-8000-000000000001')).toBe(id('0199a0b2-0000-7000-8000-000000000001'));
    expect(id('0199a0b2-0000-7000-8000-000000000001')).not.toBe(id('0199a0b2-0000-7000-8000-000000000002'));
  });

  it('signs the ack so that the exchange can verify it came from this platform, and not if altered', () => {
    const m = feedAckMessage(signer, withdrawn('0199a0b2-0000-7000-8000-000000000001'), NOW);
    expect(m.headers[SIGNER_HEADER]).toBe('beijing-platform');
    expect(m.headers[SIGNATURE_HEADER]).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    const keys = signerKeysOf(
      'test',
      [{ id: 'beijing-platform', publicKey: publicKeyText(pair.publicKey) }],
      {
        demoMode: false,
      },
    );
    expect(keys.verify('credit.feed-acks.v1', m)).toBe('beijing-platform');
    const altered = Buffer.from(m.value);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    expect(() => keys.verify('credit.feed-acks.v1', { ...m, value: altered })).toThrow(
      "the signature does not verify under beijing-platform's key",
    );
    expect(() => keys.verify('credit.other.v1', m)).toThrow('does not verify');
  });
});
