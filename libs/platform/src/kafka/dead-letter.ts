import { Topics } from '@cie/contracts';
import type { KafkaMessage } from 'kafkajs';
import { type Refusal, toRefusal } from '../refusals.js';

export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** A message for `<topic>.dlq`: ready for `producer.send` or a transaction. */
export interface DeadLetterMessage {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * The one shape of a dead letter (DESIGN §9): the original key, value and headers, plus `dlq_code`
 * (a `RefusalCode`, for metrics and queries), `dlq_reason` (for people), `dlq_field` when a field
 * is at fault, and where it was read
 * (`dlq_source_topic`, `_partition`, `_offset`), on `<source topic>.dlq`, so an operator can see why
 * and replay it (an `authorization` header left out). Header values are made storable as text (no NUL). A free-text reason (older callers)
 * gets its code from `refusalCodeOf`.
 */
export function deadLetterMessage(
  position: SourcePosition,
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>,
  reason: string | Refusal,
): DeadLetterMessage {
  const refusal = toRefusal(reason);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    // A credential sent where it should not be is not copied on to the dead letters' readers.
    if (name.toLowerCase() === 'authorization') continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString().replaceAll('\u0000', '\uFFFD');
  }
  return {
    topic: Topics.deadLetters(position.topic),
    key: message.key,
    value: message.value,
    headers: {
      ...headers,
      dlq_code: refusal.code,
      dlq_reason: refusal.detail,
      ...(refusal.field !== undefined && { dlq_field: refusal.field }),
      dlq_source_topic: position.topic,
      dlq_source_partition: String(position.partition),
      dlq_source_offset: position.offset,
    },
  };
}
