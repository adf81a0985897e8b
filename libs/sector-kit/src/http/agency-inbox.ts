import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { Topics } from '@cie/contracts';
import { type Agency, BrokerUnavailableError, type EventPublisher } from '@cie/platform';
import { IntakeErrorCode, IntakeException } from '../intake/intake.exception.js';
import type { SectorDefinition } from '../record-type.js';

/** The `?status=` of an inbox listing, one of `statuses` or `all`, else 422 naming it. */
export function requireStatus<S extends string>(status: string, statuses: readonly S[]): S | 'all' {
  if (status === 'all' || (statuses as readonly string[]).includes(status)) return status as S | 'all';
  const allowed = [...statuses, 'all'].join(', ');
  throw new IntakeException(IntakeErrorCode.INVALID_RECORD, `status must be ${allowed}`, [
    { field: 'status', detail: `must be one of ${allowed}` },
  ]);
}

/**
 * Publishes an agency's answer (to a dispute, a repair request, a task) on the sector's events
 * topic under the event id it was stored with. A broker that does not acknowledge is a 503: the
 * answer is kept, and the same answer sent again is published again under the same id.
 */
export async function publishAgencyAnswer<D extends DescMessage>(
  publisher: EventPublisher,
  sector: SectorDefinition,
  agency: Agency,
  answer: { key: string; eventId: string; at: Date; type: string },
  schema: D,
  message: Partial<MessageShape<D>>,
): Promise<void> {
  try {
    await publisher.publish(
      Topics.sectorEvents(sector.sector),
      answer.key,
      schema,
      create(schema, message as MessageShape<D>),
      {
        id: answer.eventId,
        source: `/sectors/${sector.sector}/agencies/${agency.agencyId}`,
        type: answer.type,
        time: answer.at,
        subject: answer.key,
      },
    );
  } catch (error) {
    if (error instanceof BrokerUnavailableError)
      throw new IntakeException(
        IntakeErrorCode.BROKER_UNAVAILABLE,
        'the exchange cannot take answers right now; the answer is kept: send the same answer again',
      );
    throw error;
  }
}
