import { CE_SPEC_VERSION, CeHeader, type CloudEventContext, PROTOBUF_CONTENT_TYPE } from '@cie/contracts';
import type { IHeaders } from 'kafkajs';

/** Kafka headers for an event in CloudEvents binary mode. */
export function cloudEventHeaders(ctx: CloudEventContext): Record<string, string> {
  const headers: Record<string, string> = {
    [CeHeader.specversion]: CE_SPEC_VERSION,
    [CeHeader.id]: ctx.id,
    [CeHeader.source]: ctx.source,
    [CeHeader.type]: ctx.type,
    [CeHeader.time]: ctx.time.toISOString(),
    [CeHeader.subject]: ctx.subject,
    [CeHeader.dataschema]: ctx.dataschema,
    [CeHeader.contentType]: PROTOBUF_CONTENT_TYPE,
  };
  if (ctx.traceparent) headers[CeHeader.traceparent] = ctx.traceparent;
  return headers;
}

/** A CloudEvents header missing or wrong; `header` names it (the dead letter's `dlq_field`). */
export class InvalidEnvelopeError extends Error {
  override readonly name = 'InvalidEnvelopeError';

  constructor(
    message: string,
    readonly header: string,
  ) {
    super(message);
  }
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** Reads and checks the CloudEvents context of a consumed message; throws naming the bad header. */
export function readCloudEvent(headers: IHeaders | undefined): CloudEventContext {
  const required = (name: string): string => {
    const value = header(headers, name);
    if (!value) throw new InvalidEnvelopeError(`header ${name} is missing`, name);
    return value;
  };
  const specversion = required(CeHeader.specversion);
  if (specversion !== CE_SPEC_VERSION)
    throw new InvalidEnvelopeError(
      `header ${CeHeader.specversion} is ${specversion}, expected ${CE_SPEC_VERSION}`,
      CeHeader.specversion,
    );
  const contentType = required(CeHeader.contentType);
  if (contentType !== PROTOBUF_CONTENT_TYPE)
    throw new InvalidEnvelopeError(
      `header ${CeHeader.contentType} is ${contentType}, expected ${PROTOBUF_CONTENT_TYPE}`,
      CeHeader.contentType,
    );
  const time = new Date(required(CeHeader.time));
  if (Number.isNaN(time.getTime()))
    throw new InvalidEnvelopeError(`header ${CeHeader.time} is not an RFC 3339 time`, CeHeader.time);
  const traceparent = header(headers, CeHeader.traceparent);
  return {
    id: required(CeHeader.id),
    source: required(CeHeader.source),
    type: required(CeHeader.type),
    time,
    subject: required(CeHeader.subject),
    dataschema: required(CeHeader.dataschema),
    ...(traceparent ? { traceparent } : {}),
  };
}
