import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { FeedAckSchema } from '@cie/contracts';
import { Topics } from '@cie/contracts';
import { cloudEventHeaders, type MessageSigner } from '@cie/platform';
import { v5 as uuidv5 } from 'uuid';
import type { FeedEventIn } from '../domain/holding.js';

/** ce_type of a deletion acknowledgement on credit.feed-acks.v1. */
export const FEED_ACK_TYPE = 'credit.feed.ack';

// The ack of one feed event always has the same ce_id, so a re-sent ack is visibly the same event.
const ACK_ID_NAMESPACE = '5c0f2a8e-3b1d-4e7a-9f62-0d8c1b7e4a55';

export interface AckMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * The FeedAck for a deletion event, keyed by subscriber id, with CloudEvents headers, signed with
 * this platform's key: the exchange counts an ack only for the subscriber whose key signed it.
 */
export function feedAckMessage(signer: MessageSigner, event: FeedEventIn, now: Date): AckMessage {
  const subscriberId = signer.signerId;
  const ack = create(FeedAckSchema, {
    subscriber: subscriberId,
    eventId: event.eventId,
    recordId: event.record.recordId,
    version: event.record.version,
    eventType: event.type,
    acknowledgedAt: timestampFromDate(now),
  });
  const value = Buffer.from(toBinary(FeedAckSchema, ack));
  const id = uuidv5(`${subscriberId}/${event.eventId}`, ACK_ID_NAMESPACE);
  return {
    key: subscriberId,
    value,
    headers: {
      ...cloudEventHeaders({
        id,
        source: `/platforms/${subscriberId}`,
        type: FEED_ACK_TYPE,
        time: now,
        subject: event.record.recordId,
        dataschema: FeedAckSchema.typeName,
        ...(event.traceparent ? { traceparent: event.traceparent } : {}),
      }),
      ...signer.headers(Topics.feedAcks, id, value),
    },
  };
}
