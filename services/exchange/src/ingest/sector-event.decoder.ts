import { fromBinary } from '@bufbuild/protobuf';
import {
  type CloudEventContext,
  CreditEventType,
  type RecordWithdrawal,
  RecordWithdrawalSchema,
  Topics,
} from '@cie/contracts';
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
      /** A new record, or a new version of one the agency published before. */
      action: 'publish' | 'correct';
      event: SectorEvent;
    }
  | {
      ok: true;
      position: SourcePosition;
      message: KafkaMessage;
      context: CloudEventContext;
      action: 'withdraw';
      withdrawal: RecordWithdrawal;
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
  if (!message.value) return fail('empty payload');
  if (context.type === CreditEventType.withdrawn) {
    if (context.dataschema !== RecordWithdrawalSchema.typeName)
      return fail(`a withdrawal must be a ${RecordWithdrawalSchema.typeName}`);
    try {
      return {
        ok: true,
        position,
        message,
        context,
        action: 'withdraw',
        withdrawal: fromBinary(RecordWithdrawalSchema, message.value),
      };
    } catch (error) {
      return fail(`payload is not a valid ${context.dataschema}: ${(error as Error).message}`);
    }
  }
  const action =
    context.type === CreditEventType.published
      ? 'publish'
      : context.type === CreditEventType.corrected
        ? 'correct'
        : undefined;
  if (!action) return fail(`unsupported event type ${context.type}`);
  const type = SECTOR_EVENT_TYPES.get(context.dataschema);
  if (!type) return fail(`unsupported dataschema ${context.dataschema}`);
  if (position.topic !== Topics.sectorEvents(type.sector))
    return fail(`dataschema ${context.dataschema} is a ${type.sector} event, not for ${position.topic}`);
  try {
    // The schema was chosen by the dataschema, so the message is that member of the union.
    const event = fromBinary(type.schema, message.value) as SectorEvent;
    return { ok: true, position, message, context, action, event };
  } catch (error) {
    return fail(`payload is not a valid ${context.dataschema}: ${(error as Error).message}`);
  }
}
