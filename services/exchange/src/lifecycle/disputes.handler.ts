import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { DisputeFiledSchema, isSector, SourceRefSchema } from '@cie/contracts';
import type { Deliverer } from '../delivery/deliverer.js';
import { type Applied, refuse, type Step } from '../outbound.js';
import type { DecodedEvent } from '../pipeline/sector-event.decoder.js';
import type { RecordsRepository } from '../records/records.repository.js';
import { answererOf } from './answerer.js';
import type { DisputesRepository } from './disputes.repository.js';
import { decideFiling, decideResolution } from './domain/deciders.js';
import type { RecordSteps } from './record-steps.js';

/**
 * Disputes (DESIGN §8): filed through the exchange's API (a command), flagged to every holder within
 * seconds and sent to the owning agency; resolved by that agency on its sector topic.
 */
export class DisputesHandler {
  constructor(
    private readonly records: RecordsRepository,
    private readonly disputes: DisputesRepository,
    private readonly deliverer: Deliverer,
    private readonly steps: RecordSteps,
    private readonly actor: string,
  ) {}

  async file(step: Step, item: DecodedEvent<'file_dispute'>): Promise<Applied> {
    const d = item.dispute;
    const held = await this.records.lock(step.em, d.recordId);
    if (held && !isSector(held.sector)) throw new Error(`record ${held.recordId} has sector ${held.sector}`);
    const filedAt = d.filedAt ? timestampDate(d.filedAt) : step.now;
    if (held)
      await this.disputes.fileDispute(step.em, {
        ...d,
        recordId: held.recordId,
        sector: held.sector,
        agencyId: held.agencyId,
        filedAt,
      });
    const dispute = held && (await this.disputes.lockDispute(step.em, d.disputeId));
    const decided = decideFiling(held, dispute, d);
    if ('refused' in decided) return decided;
    if (!held || !dispute || !isSector(held.sector))
      throw new Error('unreachable: decideFiling checked both');
    if ('close' in decided) {
      await this.disputes.closeDispute(step.em, dispute.disputeId, 'upheld', decided.close, step.now);
      return refuse(
        'invalid_state',
        `record ${held.recordId} is ${held.status}; there is nothing to dispute`,
      );
    }
    await this.records.setOpenDispute(step.em, held.recordId, dispute.disputeId);
    await this.disputes.markFlagged(step.em, dispute.disputeId, step.now);
    const record = await this.records.current(step.em, held);
    const outbound = await this.deliverer.deliver(step.em, {
      record: { ...record, status: 'disputed' },
      change: { type: 'disputed' },
      dispute: { disputeId: dispute.disputeId, status: 'open', filedAt },
      source: item,
      now: step.now,
      audit: step.audit,
    });
    step.audit.push({
      kind: 'dispute_filed',
      actor: this.actor,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { disputeId: dispute.disputeId, dueBy: d.dueBy, receivers: outbound.length },
    });
    // The owning agency gets the whole dispute (grounds and who filed it) through its sector service.
    const request = await this.steps.toAgency(
      step,
      item,
      { sector: held.sector, agencyId: held.agencyId },
      DisputeFiledSchema,
      {
        ...d,
        source: create(SourceRefSchema, record.source),
        recordType: record.kind,
      },
    );
    return { outbound: [...outbound, request], recordId: held.recordId, version: held.currentVersion };
  }

  async resolve(step: Step, item: DecodedEvent<'resolve_dispute'>): Promise<Applied> {
    const r = item.resolution;
    const dispute = await this.disputes.lockDispute(step.em, r.disputeId);
    const held = dispute && (await this.records.lock(step.em, dispute.recordId));
    if (dispute && !held) throw new Error(`dispute ${dispute.disputeId} is about a missing record`);
    const decided = decideResolution(
      dispute,
      answererOf(item, r.source?.agencyId),
      r,
      () => held?.currentVersion ?? 0,
    );
    if ('refused' in decided) return decided;
    if (!dispute || !held) throw new Error('unreachable: decideResolution checked both');
    const resolvedAt = r.resolvedAt ? timestampDate(r.resolvedAt) : step.now;
    await this.disputes.closeDispute(step.em, dispute.disputeId, decided.outcome, r.note, resolvedAt);
    await this.records.setOpenDispute(step.em, held.recordId, null, dispute.disputeId);
    const record = await this.records.current(step.em, held);
    step.audit.push({
      kind: 'dispute_resolved',
      actor: `agency:${held.agencyId}`,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { disputeId: dispute.disputeId, outcome: decided.outcome },
    });
    const done = { recordId: held.recordId, version: held.currentVersion };
    if (['withdrawn', 'expired', 'repaired'].includes(held.status)) return { outbound: [], ...done };
    const outbound = await this.deliverer.deliver(step.em, {
      record,
      change: { type: 'dispute_resolved' },
      dispute: {
        disputeId: dispute.disputeId,
        status: 'resolved',
        filedAt: dispute.filedAt,
        outcome: decided.outcome,
        resolvedAt,
      },
      source: item,
      now: step.now,
      audit: step.audit,
    });
    if (decided.outcome !== 'withdrawn') return { outbound, ...done };
    const ended = await this.steps.end(step, held, record, 'withdrawn', 'dispute_upheld', item);
    return { ...done, outbound: [...outbound, ...ended.outbound], changed: ended.changed };
  }
}
