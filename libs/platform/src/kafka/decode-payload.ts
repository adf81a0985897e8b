import { type DescMessage, fromBinary, type MessageShape } from '@bufbuild/protobuf';
import type { KafkaMessage } from 'kafkajs';
import { RefusalError } from '../refusals.js';

/** The message's protobuf payload, or a refusal (`undecodable`) that says why it cannot be read. */
export function decodePayload<Desc extends DescMessage>(
  schema: Desc,
  message: KafkaMessage,
): MessageShape<Desc> {
  if (!message.value?.length) throw new RefusalError('undecodable', 'empty payload');
  try {
    return fromBinary(schema, message.value);
  } catch (error) {
    throw new RefusalError(
      'undecodable',
      `payload is not a valid ${schema.typeName}: ${(error as Error).message}`,
    );
  }
}
