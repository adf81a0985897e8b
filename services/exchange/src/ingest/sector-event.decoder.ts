import { fromBinary } from '@bufbuild/protobuf';
import { type CloudEventContext, CreditEventType, Topics } from '@cie/contracts';
import { readCloudEvent } from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { SECTOR_EVENT_TYPES, type SectorEvent } from '../domain/normalise/index.js';

export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

export type DecodedSectorEvent =
  | {
      ok: true;
      position: SourcePosition;
      message: KafkaMessage;
      context: CloudEventContext;
      event: SectorEvent;
    }
  | { ok: false; position: SourcePosition; message: KafkaMessage; eventId?: string; reason: string };

/** Checks the envelope and decodes the payload; anything wrong becomes a reason for the dead-letter topic. */
export function decodeSectorEvent(position: SourcePosition, message: KafkaMessage): DecodedSectorEvent {
  let context: CloudEventContext;
  try {
    context = readCloudEvent(message.headers);
  } catch (error) {
    return { ok: false, position, message, reason: `invalid envelope: ${(error as Error).message}` };
  }
  const fail = (reason: string): DecodedSectorEvent => ({
    ok: false,
    position,
    message,
    eventId: context.id,
    reason,
  });
  if (context.type !== CreditEventType.published) return fail(`unsupported event type ${context.type}`);
  const type = SECTOR_EVENT_TYPES.get(context.dataschema);
  if (!type) return fail(`unsupported dataschema ${context.dataschema}`);
  if (position.topic !== Topics.sectorEvents(type.sector))
    return fail(`dataschema ${context.dataschema} is a ${type.sector} event, not for ${position.topic}`);
  if (!message.value) return fail('empty payload');
  try {
    // The schema was chosen by the dataschema, so the message is that member of the union.
    const event = fromBinary(type.schema, message.value) as SectorEvent;
    return { ok: true, position, message, context, event };
  } catch (error) {
    return fail(`payload is not a valid ${context.dataschema}: ${(error as Error).message}`);
  }
}
