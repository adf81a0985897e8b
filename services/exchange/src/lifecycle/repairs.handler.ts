import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { isSector, RepairRequestedSchema, SourceRefSchema } from '@cie/contracts';
import { isEnded } from '../delivery/domain/disclosure.js';
import { type Applied, refuse, type Step } from '../outbound.js';
import type { DecodedEvent } from '../pipeline/sector-event.decoder.js';
import type { RecordsRepository } from '../records/records.repository.js';
import { answererOf } from './answerer.js';
import type { DisputesRepository } from './disputes.repository.js';
import { decideRepair } from './domain/deciders.js';
import type { RecordSteps } from './record-steps.js';

/** Credit repair (信用修复, DESIGN §8): requested through the exchange, decided by the owning agency. */
export class RepairsHandler {
  constructor(
    private readonly records: RecordsRepository,
    private readonly requests: DisputesRepository,
    private readonly steps: RecordSteps,
    private readonly actor: string,
  ) {}

  async request(step: Step, item: DecodedEvent<'request_repair'>): Promise<Applied> {
    const q = item.repair;
    const held = await this.records.lock(step.em, q.recordId);
    if (!held) return refuse('unknown_record', `no record ${q.recordId} to repair`);
    if (!isSector(held.sector)) throw new Error(`record ${held.recordId} has sector ${held.sector}`);
    const filedAt = q.filedAt ? timestampDate(q.filedAt) : step.now;
    await this.requests.requestRepair(step.em, {
      ...q,
      recordId: held.recordId,
      sector: held.sector,
      agencyId: held.agencyId,
      filedAt,
    });
    const record = await this.records.current(step.em, held);
    step.audit.push({
      kind: 'repair_requested',
      actor: this.actor,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { requestId: q.requestId },
    });
    const request = await this.steps.toAgency(
      step,
      item,
      { sector: held.sector, agencyId: held.agencyId },
      RepairRequestedSchema,
      { ...q, source: create(SourceRefSchema, record.source), recordType: record.kind },
    );
    return { outbound: [request], recordId: held.recordId, version: held.currentVersion };
  }

  async decide(step: Step, item: DecodedEvent<'decide_repair'>): Promise<Applied> {
    const r = item.decision;
    const request = await this.requests.lockRepair(step.em, r.requestId);
    const decided = decideRepair(request, answererOf(item, r.source?.agencyId), r);
    if ('refused' in decided) return decided;
    if (!request) throw new Error('unreachable: decideRepair checked it');
    const decidedAt = r.decidedAt ? timestampDate(r.decidedAt) : step.now;
    await this.requests.decideRepair(step.em, r.requestId, decided.status, r.note, decidedAt);
    const held = await this.records.lock(step.em, request.recordId);
    if (!held) throw new Error(`repair request ${r.requestId} is about a missing record`);
    const record = await this.records.current(step.em, held);
    step.audit.push({
      kind: 'repair_decided',
      actor: `agency:${held.agencyId}`,
      subjectId: record.subject.canonicalId,
      recordId: record.recordId,
      details: { requestId: r.requestId, approved: r.approved },
    });
    const done = { outbound: [], recordId: held.recordId, version: held.currentVersion };
    if (decided.status !== 'approved' || isEnded(held.status)) return done;
    return { ...done, ...(await this.steps.end(step, held, record, 'repaired', 'repair_approved', item)) };
  }
}
