import { fromBinary } from '@bufbuild/protobuf';
import {
  type CloudEventContext,
  CreditEventType,
  type DishonestDebtorEvent,
  DishonestDebtorEventSchema,
} from '@cie/contracts';
import { readCloudEvent } from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';

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
      event: DishonestDebtorEvent;
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
  if (context.dataschema !== DishonestDebtorEventSchema.typeName)
    return fail(`unsupported dataschema ${context.dataschema}`);
  if (!message.value) return fail('empty payload');
  try {
    return {
      ok: true,
      position,
      message,
      context,
      event: fromBinary(DishonestDebtorEventSchema, message.value),
    };
  } catch (error) {
    return fail(`payload is not a valid ${DishonestDebtorEventSchema.typeName}: ${(error as Error).message}`);
  }
}
