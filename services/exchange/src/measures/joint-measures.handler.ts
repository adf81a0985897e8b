import { create, toBinary } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AgencyRequestType, MeasureTaskSchema, type Sector, TaskKind, Topics } from '@cie/contracts';
import { cloudEventHeaders, type IdGenerator, processingTraceparent } from '@cie/platform';
import type { AuditEntryInput } from '../audit/audit-log.js';
import { chinaDate } from '../delivery/domain/disclosure.js';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import type { WorkingCalendar } from '../lifecycle/working-days.js';
import {
  type Applied,
  type OutboundMessage,
  type RecordChange,
  refuse,
  type Source,
  type Step,
} from '../outbound.js';
import type { DecodedEvent } from '../pipeline/sector-event.decoder.js';
import type { RecordsRepository } from '../records/records.repository.js';
import type { PolicyHolder } from '../routing/policy-holder.js';
import { decideListing, type ListingDecision } from './domain/listing.js';
import { decideTaskAnswer, planApplyTasks, planLifts, type TaskAnswerer } from './domain/tasks.js';
import type { Implementer, ListType } from './domain/joint-measures.js';
import type { JointMeasures } from './measures.loader.js';
import type { EntryRow, MeasuresRepository, StoredEntry, TaskRow } from './measures.repository.js';
import type { SubjectIds } from '../delivery/deliverer.js';
import { PSEUDONYM_SCHEME_HEADER } from '../delivery/feed-message.js';
import { FEED_PSEUDONYM_SCHEME } from '../identity/subject-identity.service.js';

interface TaskSpec {
  kind: 'apply' | 'lift';
  entry: Pick<StoredEntry, 'entryId' | 'listType' | 'colour' | 'listedAt'>;
  memorandumId: string;
  measureId: string;
  implementer: Implementer;
  appliesUntil: string;
  answerWithinWorkingDays: number;
  liftsTaskId?: string;
  endReason?: string;
}

/**
 * Joint rewards and punishments in the pipeline (DESIGN §13): after every change to a record its
 * list entries are reconciled (listed, kept, upgraded or removed, by the pure rule in
 * domain/listing.ts); an entry that becomes active sends one task per (measure, implementing agency),
 * one that ends sends lift tasks; and the agencies' answers are applied. Every task is stored with
 * its message under the source position, so it is published exactly once with the source offsets.
 */
export class JointMeasuresHandler {
  /** Record kinds some list type enters directly: a new record of another kind costs no query. */
  private readonly listedKinds: Set<string>;

  constructor(
    private readonly measures: JointMeasures,
    private readonly repository: MeasuresRepository,
    private readonly records: RecordsRepository,
    private readonly policies: PolicyHolder,
    private readonly ids: IdGenerator,
    private readonly calendar: WorkingCalendar,
    private readonly actor: string,
    /** A subscriber's feed names a person by the pseudonym derived for it, tasks included. */
    private readonly subjectIds: SubjectIds,
  ) {
    this.listedKinds = new Set([...measures.lists.types.values()].flatMap((t) => t.entry.kinds));
  }

  async reconcile(step: Step, change: RecordChange, source: Source): Promise<OutboundMessage[]> {
    const { record, isNew = false } = change;
    if (isNew && !this.listedKinds.has(record.kind)) return [];
    const entries = isNew ? [] : await this.repository.entriesOfRecord(step.em, record.recordId);
    if (!this.listedKinds.has(record.kind) && entries.length === 0) return [];
    const today = chinaDate(step.now);
    const upgradable = [...this.measures.lists.types.values()].some(
      (t) => t.upgrade && t.entry.kinds.includes(record.kind),
    );
    const subjectActive = upgradable
      ? await this.repository.activeOfSubject(step.em, record.subject.canonicalId)
      : [];
    const decision = decideListing({
      lists: this.measures.lists,
      record,
      ...(change.reason && { endReason: change.reason }),
      entries,
      subjectActive,
      today,
    });
    return this.apply(step, record, decision, [...entries, ...subjectActive], source);
  }

  private async apply(
    step: Step,
    record: CanonicalRecord,
    decision: ListingDecision,
    known: StoredEntry[],
    source: Source,
  ): Promise<OutboundMessage[]> {
    const about = { actor: this.actor, subjectId: record.subject.canonicalId, recordId: record.recordId };
    const specs: TaskSpec[] = [];
    const created: EntryRow[] = decision.create.map(({ listType, validUntil }) => ({
      entry_id: this.ids.next(),
      list_type: listType.id,
      colour: listType.colour,
      sector: listType.sector,
      subject_id: record.subject.canonicalId,
      record_id: record.recordId,
      record_version: record.version,
      state: 'active',
      listed_at: step.now,
      valid_until: validUntil,
      ended_at: null,
      end_reason: null,
      upgraded_to: null,
      lists_version: this.measures.lists.version,
    }));
    await this.repository.insertEntries(step.em, created);
    const createdByUpgrade = new Map<string, string>();
    for (const [i, { listType, upgrades }] of decision.create.entries()) {
      const row = created[i]!;
      for (const upgraded of upgrades) createdByUpgrade.set(upgraded, row.entry_id);
      step.audit.push({
        ...about,
        kind: 'list_entry_created',
        details: { entryId: row.entry_id, listType: listType.id, validUntil: row.valid_until, upgrades },
      });
      specs.push(...this.applyTasks(step, record, listType, row, about));
    }
    for (const keep of decision.keep)
      await this.repository.keepEntry(step.em, keep.entryId, record.version, keep.validUntil);
    for (const end of decision.end) {
      const entry = known.find((e) => e.entryId === end.entryId);
      if (!entry) throw new Error(`entry ${end.entryId} was decided without being read`);
      const upgradedTo = createdByUpgrade.get(end.entryId);
      await this.repository.endEntry(step.em, end.entryId, {
        state: end.state,
        reason: end.reason,
        at: step.now,
        ...(upgradedTo && { upgradedTo }),
      });
      step.audit.push({
        ...about,
        recordId: entry.recordId,
        kind: 'list_entry_ended',
        details: { entryId: end.entryId, listType: entry.listType, state: end.state, reason: end.reason },
      });
      specs.push(...(await this.liftTasks(step, entry, end.reason)));
    }
    return this.send(step, record, specs, source);
  }

  private applyTasks(
    step: Step,
    record: CanonicalRecord,
    listType: ListType,
    row: EntryRow,
    about: Omit<AuditEntryInput, 'kind' | 'details'>,
  ): TaskSpec[] {
    const { tasks, skipped } = planApplyTasks({
      listType: listType.id,
      listedOn: chinaDate(step.now),
      entryValidUntil: row.valid_until,
      record,
      memoranda: this.measures.memoranda,
      policy: this.policies.current,
    });
    for (const s of skipped)
      step.audit.push({ ...about, kind: 'measure_task_not_sent', details: { ...s, entryId: row.entry_id } });
    const entry = {
      entryId: row.entry_id,
      listType: listType.id,
      colour: listType.colour,
      listedAt: row.listed_at,
    };
    return tasks.map(({ memorandum, measure, appliesUntil }) => ({
      kind: 'apply',
      entry,
      memorandumId: memorandum.id,
      measureId: measure.id,
      implementer: measure.implementer,
      appliesUntil,
      answerWithinWorkingDays: measure.answerWithinWorkingDays,
    }));
  }

  private async liftTasks(step: Step, entry: StoredEntry, reason: string): Promise<TaskSpec[]> {
    const tasks = await this.repository.tasksOfEntry(step.em, entry.entryId);
    const { lift, cancel } = planLifts(tasks);
    await this.repository.cancel(step.em, cancel, step.now);
    return lift.map((t) => {
      const found = this.measures.memoranda.measures.get(t.measureId);
      return {
        kind: 'lift',
        entry,
        memorandumId: found?.memorandum.id ?? t.memorandumId,
        measureId: t.measureId,
        implementer:
          t.implementerKind === 'agency'
            ? { kind: 'agency', sector: t.sector as Sector, agencyId: t.implementerId }
            : { kind: 'subscriber', subscriberId: t.implementerId },
        appliesUntil: chinaDate(step.now),
        answerWithinWorkingDays: found?.measure.answerWithinWorkingDays ?? 5,
        liftsTaskId: t.taskId,
        endReason: reason,
      } satisfies TaskSpec;
    });
  }

  /** Builds, stores and returns each task's message (a sector agency's inbox, or a subscriber's feed). */
  private async send(
    step: Step,
    record: CanonicalRecord,
    specs: TaskSpec[],
    source: Source,
  ): Promise<OutboundMessage[]> {
    if (specs.length === 0) return [];
    const policy = this.policies.current;
    const traceparent = processingTraceparent(source.message);
    const rows: TaskRow[] = [];
    const outbound: OutboundMessage[] = [];
    let clearId: string | undefined;
    for (const spec of specs) {
      const found = this.measures.memoranda.measures.get(spec.measureId);
      const taskId = this.ids.next();
      const dueBy = this.calendar.deadline(step.now, spec.answerWithinWorkingDays);
      const to = spec.implementer;
      // A sector agency acts on the subject as identified; a subscriber gets its feed's view of it.
      const entitlement =
        to.kind === 'subscriber' ? policy.subscribers.find((s) => s.id === to.subscriberId) : undefined;
      const person = record.subject.kind === 'natural_person';
      const clear = to.kind === 'agency' || entitlement?.naturalPersonIdentity === 'clear';
      if (person && clear) clearId ??= await this.records.clearIdOf(step.em, record);
      const subjectId =
        person && clear
          ? clearId!
          : to.kind === 'subscriber'
            ? this.subjectIds.subjectIdFor(to.subscriberId, record.subject)
            : record.subject.canonicalId;
      const name = entitlement?.redact?.includes('subject.name') ? '' : record.subject.name;
      const implementer = to.kind === 'agency' ? to.agencyId : to.subscriberId;
      const task = create(MeasureTaskSchema, {
        taskId,
        kind: spec.kind === 'apply' ? TaskKind.APPLY : TaskKind.LIFT,
        liftsTaskId: spec.liftsTaskId ?? '',
        entryId: spec.entry.entryId,
        listType: spec.entry.listType,
        listColour: spec.entry.colour,
        memorandumId: spec.memorandumId,
        documentNumber: found?.memorandum.documentNumber ?? '',
        measureId: spec.measureId,
        measureText: found?.measure.text ?? '',
        legalBasis: found?.measure.legalBasis ?? '',
        mode: found?.measure.mode ?? '',
        scenarios: found?.measure.scenarios ?? [],
        targets: found?.measure.targets ?? [],
        subjectKind: record.subject.kind,
        subjectId,
        subjectName: name,
        recordId: record.recordId,
        implementerId: implementer,
        listedAt: timestampFromDate(spec.entry.listedAt),
        appliesUntil: spec.appliesUntil,
        dueBy,
        issuedAt: timestampFromDate(step.now),
        endReason: spec.endReason ?? '',
      });
      const topic = to.kind === 'agency' ? Topics.requests(to.sector) : Topics.feed(to.subscriberId);
      const key = to.kind === 'agency' ? to.agencyId : subjectId;
      const value = Buffer.from(toBinary(MeasureTaskSchema, task));
      const headers = {
        ...cloudEventHeaders({
          id: taskId,
          source: '/exchange',
          type: AgencyRequestType.measureTask,
          time: step.now,
          subject: subjectId,
          dataschema: MeasureTaskSchema.typeName,
          ...(traceparent && { traceparent }),
        }),
        ...(to.kind === 'subscriber' && { [PSEUDONYM_SCHEME_HEADER]: FEED_PSEUDONYM_SCHEME }),
      };
      outbound.push({ topic, key, value, headers });
      rows.push({
        task_id: taskId,
        kind: spec.kind,
        entry_id: spec.entry.entryId,
        lifts_task_id: spec.liftsTaskId ?? null,
        memorandum_id: spec.memorandumId,
        measure_id: spec.measureId,
        implementer_kind: to.kind,
        implementer_id: implementer,
        sector: to.kind === 'agency' ? to.sector : null,
        status: 'delivered',
        due_by: dueBy,
        applies_until: spec.appliesUntil,
        created_at: step.now,
        source_topic: source.position.topic,
        source_partition: source.position.partition,
        source_offset: source.position.offset,
        topic,
        message_key: Buffer.from(key),
        payload: value,
        headers,
      });
      step.audit.push({
        actor: this.actor,
        subjectId: record.subject.canonicalId,
        recordId: record.recordId,
        kind: 'measure_task_sent',
        details: {
          taskId,
          kind: spec.kind,
          entryId: spec.entry.entryId,
          memorandumId: spec.memorandumId,
          measureId: spec.measureId,
          implementer,
          topic,
          dueBy,
        },
      });
    }
    await this.repository.insertTasks(step.em, rows);
    return outbound;
  }

  /** An implementing agency's answer: on its sector topic, or a subscriber's through the exchange API. */
  async answer(step: Step, item: DecodedEvent<'answer_task'>): Promise<Applied> {
    const a = item.answer;
    const task = await this.repository.lockTask(step.em, a.taskId);
    const sector = /^credit\.([a-z]+)\.events\.v1$/.exec(item.position.topic)?.[1];
    const answerer: TaskAnswerer =
      item.position.topic === Topics.exchangeCommands
        ? { kind: 'subscriber', id: a.implementerId }
        : { kind: 'agency', sector, id: a.implementerId };
    const decided = decideTaskAnswer(task, a.taskId, answerer, a);
    if ('refused' in decided) return refuse(decided.refused.code, decided.refused.detail);
    if (!task) throw new Error('unreachable: decideTaskAnswer checked it');
    const entry = await this.repository.entry(step.em, task.entryId);
    if (!entry) throw new Error(`task ${task.taskId} has no entry`);
    const done = { outbound: [], recordId: entry.recordId, version: entry.recordVersion };
    if ('repeated' in decided) return done;
    const at = a.answeredAt ? timestampDate(a.answeredAt) : step.now;
    await this.repository.answerTask(step.em, task.taskId, {
      ...decided,
      reasonCode: a.reasonCode,
      legalGround: a.legalGround,
      note: a.note,
      eventId: item.context.id,
      at,
    });
    if (decided.liftsApplyTask) await this.repository.markLifted(step.em, decided.liftsApplyTask, at);
    step.audit.push({
      actor: `${answerer.kind}:${answerer.id}`,
      subjectId: null,
      recordId: entry.recordId,
      kind: 'measure_task_answered',
      details: {
        taskId: task.taskId,
        kind: task.kind,
        outcome: a.outcome,
        ...(a.reasonCode && { reasonCode: a.reasonCode }),
        ...(a.legalGround && { legalGround: a.legalGround }),
      },
    });
    return done;
  }
}
