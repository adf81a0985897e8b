import { create, type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { AgencyRequestType, DisputeFiledSchema, type Sector, Topics } from '@cie/contracts';
import { cloudEventHeaders } from '@cie/platform';
import type { Deliverer } from '../delivery/deliverer.js';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import type { OutboundMessage, RecordChange, Step } from '../outbound.js';
import type { OutboxRepository } from '../pipeline/outbox.repository.js';
import type { DecodedEvent } from '../pipeline/sector-event.decoder.js';
import type { HeldRecord, RecordsRepository } from '../records/records.repository.js';

/** The steps lifecycle handlers share: ending a record for everyone, and writing to its agency. */
export class RecordSteps {
  constructor(
    private readonly records: RecordsRepository,
    private readonly deliverer: Deliverer,
    private readonly outbox: OutboxRepository,
    /** Who the audit log says acted: this exchange instance. */
    private readonly actor: string,
  ) {}

  /** Ends a record's disclosure (withdrawn, expired, repaired); its holders hear of it, and its list entries end. */
  async end(
    step: Step,
    held: HeldRecord,
    record: CanonicalRecord,
    status: 'withdrawn' | 'expired' | 'repaired',
    reason: string,
    source: DecodedEvent,
  ): Promise<{ outbound: OutboundMessage[]; changed: RecordChange }> {
    await this.records.end(step.em, held, status, step.now);
    step.audit.push({
      kind: `record_${status}`,
      actor: this.actor,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { version: held.currentVersion, reason },
    });
    const ended = { ...record, status };
    const outbound = await this.deliverer.deliver(step.em, {
      record: ended,
      change: { type: status, reason },
      source,
      now: step.now,
      audit: step.audit,
    });
    return { outbound, changed: { record: ended, reason } };
  }

  /** A dispute or repair request for the owning agency, stored under its command's position. */
  async toAgency<D extends DescMessage>(
    step: Step,
    item: DecodedEvent,
    to: { sector: Sector; agencyId: string },
    schema: D,
    body: MessageShape<D> | Record<string, unknown>,
  ): Promise<OutboundMessage> {
    const value = Buffer.from(toBinary(schema, create(schema, body as MessageShape<D>)));
    const message: OutboundMessage = {
      topic: Topics.requests(to.sector),
      key: to.agencyId,
      value,
      headers: cloudEventHeaders({
        id: item.context.id,
        source: '/exchange',
        type:
          schema.typeName === DisputeFiledSchema.typeName
            ? AgencyRequestType.disputeFiled
            : AgencyRequestType.repairRequested,
        time: item.context.time,
        subject: item.context.subject,
        dataschema: schema.typeName,
      }),
    };
    await this.outbox.insertAgencyMessages(step.em, [
      {
        source_topic: item.position.topic,
        source_partition: item.position.partition,
        source_offset: item.position.offset,
        event_id: item.context.id,
        topic: message.topic,
        message_key: Buffer.from(to.agencyId),
        payload: value,
        headers: message.headers,
        created_at: item.context.time,
      },
    ]);
    return message;
  }
}
