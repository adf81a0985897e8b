import { chinaDate } from '../delivery/domain/disclosure.js';
import { type Applied, refuse, type Step } from '../outbound.js';
import type { DecodedEvent } from '../pipeline/sector-event.decoder.js';
import type { RecordsRepository } from '../records/records.repository.js';
import type { DisputesRepository } from './disputes.repository.js';
import { decideExpiry } from './domain/deciders.js';
import type { RecordSteps } from './record-steps.js';

/** Expiry at the end of the disclosure period, when the scheduler's command comes (once per record). */
export class ExpiryHandler {
  constructor(
    private readonly records: RecordsRepository,
    private readonly requests: DisputesRepository,
    private readonly steps: RecordSteps,
  ) {}

  async expire(step: Step, item: DecodedEvent<'expire'>): Promise<Applied> {
    const held = await this.records.lock(step.em, item.expiry.recordId);
    if (!held) return refuse('unknown_record', `no record ${item.expiry.recordId} to expire`);
    const done = { outbound: [], recordId: held.recordId, version: held.currentVersion };
    const record = await this.records.current(step.em, held);
    switch (decideExpiry(record, held.status, chinaDate(step.now))) {
      case 'already_ended':
        return done;
      case 'not_due':
        // Corrected to a later end since the scheduler asked: let it ask again when that one passes.
        await this.requests.forgetExpiryRequest(step.em, held.recordId);
        return done;
      case 'expire':
        return {
          ...done,
          ...(await this.steps.end(step, held, record, 'expired', 'disclosure_period_ended', item)),
        };
    }
  }
}
