import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CreditEventType, DishonestDebtorEventSchema, Topics } from '@cie/contracts';
import { type Agency, BrokerUnavailableError, Clock, EventPublisher, IdGenerator } from '@cie/platform';
import type { DishonestDebtorRecordDto } from './dto/dishonest-debtor-record.dto.js';
import { toDishonestDebtorEvent } from './dishonest-debtor.mapper.js';
import { RecordsErrorCode, RecordsException } from './records.exception.js';

export interface RecordReceipt {
  status: 'accepted';
  eventId: string;
  agencyId: string;
  sourceRecordId: string;
  topic: string;
  partition: number;
  offset: string;
  acceptedAt: string;
}

@Injectable()
export class RecordsService {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Publishes the record; resolves only when the broker has acknowledged it (acks=all). */
  async submit(record: DishonestDebtorRecordDto, agency: Agency): Promise<RecordReceipt> {
    const now = this.clock.now();
    if (record.decisionDate > now.toISOString().slice(0, 10)) {
      throw new RecordsException(
        RecordsErrorCode.DECISION_DATE_IN_FUTURE,
        'decisionDate is in the future',
        'decisionDate',
      );
    }
    const event = toDishonestDebtorEvent(record, agency);
    // Key by a digest of the identity number: a subject's events stay in order on one partition
    // while no clear resident id appears in keys or headers.
    const subjectKey = createHash('sha256')
      .update(event.debtor?.idNumber ?? '')
      .digest('hex');
    const eventId = this.ids.next();
    try {
      const position = await this.publisher.publish(
        Topics.sectorEvents('courts'),
        subjectKey,
        DishonestDebtorEventSchema,
        event,
        {
          id: eventId,
          source: `/sectors/courts/agencies/${agency.agencyId}`,
          type: CreditEventType.published,
          time: now,
          subject: subjectKey,
        },
      );
      return {
        status: 'accepted',
        eventId,
        agencyId: agency.agencyId,
        sourceRecordId: record.sourceRecordId,
        ...position,
        acceptedAt: now.toISOString(),
      };
    } catch (error) {
      if (error instanceof BrokerUnavailableError) {
        throw new RecordsException(
          RecordsErrorCode.BROKER_UNAVAILABLE,
          'The record could not be stored durably; nothing was accepted. Retry later.',
        );
      }
      throw error;
    }
  }
}
