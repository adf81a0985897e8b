import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { create, toBinary } from '@bufbuild/protobuf';
import { CeHeader, type Sector, SubmissionReceiptSchema, TopicPatterns, Topics } from '@cie/contracts';
import {
  type Agency,
  AgencyDirectory,
  type ConsumerPatternExtras,
  type ConsumerRunnerContext,
  RefusalError,
  type RefusingSlice,
  contextFromHeaders,
  failSpan,
  SERVICE_SECTOR,
  type Span,
  SpanKind,
  startSpan,
  traceparentOf,
} from '@cie/platform';
import type { KafkaMessage, Producer } from 'kafkajs';
import { countReceipts, countReceived, IntakeService } from '../intake/intake.service.js';
import type { Receipt } from '../intake/receipt.js';

export const submissionsTopic = Topics.agencySubmissions;
export const receiptsTopic = Topics.agencyReceipts;

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();
const traceHeader = (span: Span | undefined): Record<string, string> => {
  const traceparent = traceparentOf(span);
  return traceparent ? { traceparent } : {};
};

/**
 * The Kafka door for agencies: JSON records (the same format as HTTP) on
 * agency.<sector>.submissions.v1, each signed by its agency (`cie_signer`, `cie_signature`: Ed25519
 * over topic, ce_id and the payload's SHA-256, public keys in AGENCY_KEYS_FILE), since every reader
 * of the topic would see a bearer key in the headers. An unsigned or badly signed submission is
 * dead-lettered on the topic's .dlq with its code and answered `refused`; each other gets a
 * protobuf SubmissionReceipt on agency.<sector>.receipts.v1. Offsets are committed after the
 * receipts are written; a redelivered submission gets the same receipt (intake is idempotent). A
 * submission the intake fails on for good (a bug) is isolated to the topic's .dlq, without a receipt.
 */
@Controller()
export class SubmissionsConsumer {
  private readonly logger = new Logger(SubmissionsConsumer.name);

  constructor(
    @Inject(SERVICE_SECTOR) private readonly sector: Sector,
    private readonly intake: IntakeService,
    private readonly agencies: AgencyDirectory,
  ) {}

  // <string>: the untyped overload, as the handler takes a context beside the payload.
  @EventPattern<string>(TopicPatterns.agencySubmissions, {
    consumer: '{sector}-submissions',
  } satisfies ConsumerPatternExtras)
  async handle(@Payload() slice: RefusingSlice, @Ctx() context: ConsumerRunnerContext): Promise<void> {
    // One span per submission, continuing the agency's trace; the event it becomes carries it on.
    const spans = new Map<KafkaMessage, Span>(
      slice.messages.map((m) => [
        m,
        startSpan(`${slice.topic} process`, {
          kind: SpanKind.CONSUMER,
          parent: contextFromHeaders(m.headers),
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'process',
            'messaging.destination.name': slice.topic,
            'messaging.destination.partition.id': String(slice.partition),
            'messaging.kafka.offset': Number(m.offset),
          },
        }),
      ]),
    );
    try {
      await this.answer(slice, spans, context.getProducer());
    } catch (error) {
      for (const span of spans.values()) failSpan(span, error);
      throw error;
    } finally {
      for (const span of spans.values()) span.end();
    }
  }

  private async answer(
    slice: RefusingSlice,
    spans: Map<KafkaMessage, Span>,
    producer: Producer,
  ): Promise<void> {
    const answers: { message: KafkaMessage; agencyId: string; receipt: Receipt }[] = [];
    // Consecutive submissions of one agency go to the intake together (one write, one publish).
    let run: { agency: Agency; messages: KafkaMessage[]; bodies: unknown[] } | undefined;
    const flush = async () => {
      if (!run) return;
      const receipts = await this.intake.submit(
        run.agency,
        run.bodies,
        'kafka',
        run.messages.map((m) => traceparentOf(spans.get(m))),
      );
      run.messages.forEach((message, i) =>
        answers.push({ message, agencyId: run!.agency.agencyId, receipt: receipts[i]! }),
      );
      run = undefined;
    };
    for (const message of slice.messages) {
      let agency: Agency | undefined;
      let unsigned: RefusalError | undefined;
      try {
        agency = this.agencies.signerOf(slice.topic, message);
      } catch (error) {
        if (!(error instanceof RefusalError)) throw error;
        unsigned = error;
      }
      const refuse = (httpStatus: number, status: Receipt['status'], detail: string) => {
        const receipt: Receipt = {
          status,
          httpStatus,
          sourceRecordId: null,
          problems: [{ field: '', detail }],
        };
        countReceived(this.sector, 'kafka', 1);
        countReceipts(this.sector, [receipt]);
        answers.push({ message, agencyId: agency?.agencyId ?? '', receipt });
      };
      let body: unknown;
      if (!agency) {
        await flush();
        const refusal = unsigned!.refusal;
        slice.refuse(message, refusal);
        refuse(401, 'refused', `${refusal.code}: ${refusal.detail}`);
        continue;
      }
      if (agency.sector !== this.sector) {
        await flush();
        refuse(403, 'forbidden', `agency ${agency.agencyId} belongs to sector ${agency.sector}`);
        continue;
      }
      try {
        body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(message.value ?? Buffer.alloc(0)));
      } catch (error) {
        await flush();
        refuse(400, 'refused', `the message value is not UTF-8 JSON: ${(error as Error).message}`);
        continue;
      }
      if (run && run.agency.agencyId !== agency.agencyId) await flush();
      run ??= { agency, messages: [], bodies: [] };
      run.messages.push(message);
      run.bodies.push(body);
    }
    await flush();

    await producer.send({
      topic: receiptsTopic(this.sector),
      acks: -1,
      messages: answers.map(({ message, agencyId, receipt }) => ({
        key: agencyId,
        value: Buffer.from(
          toBinary(
            SubmissionReceiptSchema,
            this.toProto(slice.topic, slice.partition, message, agencyId, receipt),
          ),
        ),
        headers: {
          'content-type': 'application/protobuf',
          ce_dataschema: SubmissionReceiptSchema.typeName,
          ...traceHeader(spans.get(message)),
        },
      })),
    });
    this.logger.debug(`answered ${answers.length} submission(s) on ${receiptsTopic(this.sector)}`);
  }

  private toProto(
    topic: string,
    partition: number,
    message: KafkaMessage,
    agencyId: string,
    receipt: Receipt,
  ) {
    return create(SubmissionReceiptSchema, {
      submissionId: header(message, CeHeader.id) ?? `${topic}/${partition}/${message.offset}`,
      agencyId,
      sourceRecordId: receipt.sourceRecordId ?? '',
      status: receipt.status,
      httpStatus: receipt.httpStatus,
      eventId: receipt.eventId ?? '',
      version: receipt.version ?? 0,
      problems: receipt.problems ?? [],
      receivedAt: receipt.receivedAt ?? new Date(Number(message.timestamp)).toISOString(),
    });
  }
}
