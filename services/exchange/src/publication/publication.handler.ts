import { WithdrawalReason } from '@cie/contracts';
import type { IdGenerator } from '@cie/platform';
import type { Deliverer } from '../delivery/deliverer.js';
import type { Catalogue } from '../domain/catalogue.js';
import { NormalisationError, type NormalisedRecord, normalise } from '../domain/normalise/index.js';
import type { SubjectIdentityService } from '../identity/subject-identity.service.js';
import { type Applied, type OutboundMessage, refuse, type Step } from '../outbound.js';
import type { DecodedEvent } from '../pipeline/sector-event.decoder.js';
import type { RecordsRepository } from '../records/records.repository.js';
import { decideCorrection, decideWithdrawal } from './domain/agency-change.js';

export type Publication = DecodedEvent<'publish'>;
type Correction = DecodedEvent<'publish' | 'correct'>;

/**
 * An agency's own records: publication of new ones (a batch at a time, stored and routed together),
 * corrections and withdrawals. Who hears of each is the one fan-out rule's business (delivery/).
 */
export class PublicationHandler {
  constructor(
    private readonly records: RecordsRepository,
    private readonly deliverer: Deliverer,
    private readonly ids: IdGenerator,
    private readonly identity: SubjectIdentityService,
    private readonly catalogue: Catalogue,
  ) {}

  /** New records: normalised, stored (once per agency record), and sent to every entitled subscriber. */
  async publishAll(step: Step, items: Publication[]): Promise<Map<Publication, Applied>> {
    const results = new Map<Publication, Applied>();
    const accepted: { item: Publication; normalised: NormalisedRecord }[] = [];
    for (const item of items) {
      const normalised = this.normalise(item, this.ids.next(), step.now);
      if ('refused' in normalised) results.set(item, normalised);
      else accepted.push({ item, normalised });
    }
    const stored = await this.records.insertNew(
      step.em,
      accepted.map(({ item, normalised }) => ({ normalised, sourceEventId: item.context.id })),
      step.now,
    );
    const fresh: typeof accepted = [];
    const clearIds = new Map<string, string>();
    for (const entry of accepted) {
      const { record, clearIdNumber } = entry.normalised;
      if (!stored.has(record.recordId)) {
        results.set(
          entry.item,
          refuse(
            'duplicate_record',
            `agency ${record.source.agencyId} already published record ${record.source.sourceRecordId}; send a correction instead`,
          ),
        );
        continue;
      }
      fresh.push(entry);
      if (record.subject.kind === 'natural_person') clearIds.set(record.subject.canonicalId, clearIdNumber);
    }
    // One ledger insert for the batch, and the numbers just normalised instead of unsealed again.
    const outbound = await this.deliverer.deliverAll(
      step.em,
      fresh.map(({ item, normalised: { record } }) => ({
        record,
        change: { type: 'published' },
        holders: new Set<string>(),
        source: item,
        now: step.now,
        audit: step.audit,
      })),
      clearIds,
    );
    for (const [i, { item, normalised }] of fresh.entries())
      results.set(item, {
        outbound: outbound[i] ?? [],
        recordId: normalised.record.recordId,
        version: normalised.record.version,
        changed: {
          record: normalised.record,
          isNew: true,
          ...(normalised.record.subject.kind === 'natural_person' && {
            clearIdNumber: normalised.clearIdNumber,
          }),
        },
      });
    return results;
  }

  /** A new version of a held record; holders hear of it, or of its removal where it left their reach. */
  async correct(step: Step, item: Correction): Promise<Applied> {
    const source = item.event.source;
    if (!source) return refuse('invalid_field', 'source is required');
    const held = await this.records.lockBySource(step.em, source.agencyId, source.sourceRecordId);
    const current = held && (await this.records.current(step.em, held));
    const normalised = this.normalise(item, held?.recordId ?? this.ids.next(), step.now);
    if ('refused' in normalised) return normalised;
    const decided = decideCorrection(
      held && current && { status: held.status, current },
      normalised.record,
      source.sourceRecordId,
      source.agencyId,
    );
    if ('refused' in decided || !held || !current) return decided as Applied;
    await this.records.addVersion(
      step.em,
      held,
      { ...normalised, record: decided.record },
      item.context.id,
      step.now,
    );
    const outbound = await this.deliverer.deliver(step.em, {
      record: decided.record,
      change: { type: 'corrected', previous: current },
      source: item,
      now: step.now,
      audit: step.audit,
    });
    return {
      outbound,
      recordId: held.recordId,
      version: decided.record.version,
      changed: { record: decided.record },
    };
  }

  async withdraw(step: Step, item: DecodedEvent<'withdraw'>): Promise<Applied> {
    const source = item.withdrawal.source;
    if (!source) return refuse('invalid_field', 'source is required');
    const held = await this.records.lockBySource(step.em, source.agencyId, source.sourceRecordId);
    const current = held && (await this.records.current(step.em, held));
    const decided = decideWithdrawal(
      held && current && { status: held.status, current },
      source.sourceRecordId,
      source.agencyId,
    );
    if ('refused' in decided || !held) return decided as Applied;
    await this.records.end(step.em, held, 'withdrawn', step.now);
    const reason = withdrawalReason(item);
    const outbound: OutboundMessage[] = await this.deliverer.deliver(step.em, {
      record: decided.record,
      change: { type: 'withdrawn', reason },
      source: item,
      now: step.now,
      audit: step.audit,
    });
    return {
      outbound,
      recordId: held.recordId,
      version: held.currentVersion,
      changed: { record: decided.record, reason },
    };
  }

  private normalise(
    item: Correction,
    recordId: string,
    now: Date,
  ): NormalisedRecord | { refused: { code: 'invalid_field'; detail: string } } {
    try {
      return normalise(item.event, {
        recordId,
        recordedAt: now,
        pseudonymise: this.identity.pseudonymise,
        catalogue: this.catalogue,
      });
    } catch (error) {
      if (error instanceof NormalisationError)
        return refuse('invalid_field', error.message) as {
          refused: { code: 'invalid_field'; detail: string };
        };
      throw error;
    }
  }
}

/** The agency's reason as the feed carries it: `decision_revoked`, `obligation_fulfilled`, … */
function withdrawalReason(item: DecodedEvent<'withdraw'>): string {
  const name = WithdrawalReason[item.withdrawal.reason] as string | undefined;
  return name && item.withdrawal.reason !== WithdrawalReason.UNSPECIFIED
    ? name.toLowerCase()
    : 'withdrawn_by_agency';
}
