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
import { decideListing, type ListingDecision, upgradesFrom } from './domain/listing.js';
import { decideTaskAnswer, planApplyTasks, planLifts, type TaskAnswerer } from './domain/tasks.js';
import type { Implementer, ListType } from './domain/joint-measures.js';
import type { JointMeasures } from './measures.loader.js';
import type {
  EntryEnd,
  EntryKeep,
  EntryRow,
  KnownEntry,
  MeasuresRepository,
  StoredEntry,
  StoredTask,
  TaskRow,
} from './measures.repository.js';
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

  /**
   * The list entries of several changes at once (a batch of new records), decided in order as if
   * one by one: the entries of every record, and the subject's active entries of the list types a
   * change can upgrade (most can upgrade none), are read (and locked) in one query and kept current
   * in memory while each change is decided, so a change sees what the ones before it created or
   * ended; then the tasks of the entries that end are read in one query, and every write goes in
   * one statement per kind. Returns each change's messages, in the order given.
   */
  async reconcileAll(
    step: Step,
    changes: readonly { change: RecordChange; source: Source }[],
  ): Promise<OutboundMessage[][]> {
    const today = chinaDate(step.now);
    const relevant = changes.map(({ change }) => !change.isNew || this.listedKinds.has(change.record.kind));
    const upgrades = changes.map(({ change }, i) =>
      relevant[i] ? upgradesFrom(this.measures.lists, change.record, today) : [],
    );
    const records = changes.flatMap(({ change }, i) =>
      relevant[i] && !change.isNew ? [change.record.recordId] : [],
    );
    const subjectTypes = changes.flatMap(({ change }, i) =>
      upgrades[i]!.map((listType) => ({ subjectId: change.record.subject.canonicalId, listType })),
    );
    const known = new Known(
      await this.repository.entriesOfRecordsAndSubjects(step.em, records, subjectTypes),
    );
    // 1. Decide each change in order against the entries as the changes before it left them.
    const decided: (Decided | undefined)[] = changes.map(({ change }, i) => {
      if (!relevant[i]) return undefined;
      const { record } = change;
      const entries = known.ofRecord(record.recordId);
      if (!this.listedKinds.has(record.kind) && entries.length === 0) return undefined;
      const subjectActive = known.activeOfSubject(record.subject.canonicalId, upgrades[i]!);
      const decision = decideListing({
        lists: this.measures.lists,
        record,
        ...(change.reason && { endReason: change.reason }),
        entries,
        subjectActive,
        today,
      });
      const seen = [...entries, ...subjectActive];
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
      for (const keep of decision.keep) {
        const entry = known.get(keep.entryId);
        if (entry) Object.assign(entry, { recordVersion: record.version, validUntil: keep.validUntil });
      }
      for (const end of decision.end) {
        const entry = known.get(end.entryId);
        if (entry?.state === 'active') entry.state = end.state;
      }
      for (const row of created) known.add(storedEntry(row));
      return { decision, created, seen };
    });
    // 2. The tasks of every entry that ends and was stored before this batch, in one query.
    const createdHere = new Set(decided.flatMap((d) => d?.created.map((r) => r.entry_id) ?? []));
    const tasks = new Map<string, StoredTask[]>();
    for (const task of await this.repository.tasksOfEntries(
      step.em,
      decided.flatMap(
        (d) => d?.decision.end.map((e) => e.entryId).filter((id) => !createdHere.has(id)) ?? [],
      ),
    ))
      push(tasks, task.entryId, task);
    // 3. Each change's audit entries, tasks and messages, in order; then the writes.
    const writes: Writes = { entries: [], keeps: new Map(), ends: [], cancel: [], tasks: [] };
    const clearIds = new Map<string, string>();
    const outbound: OutboundMessage[][] = [];
    for (const [i, { change, source }] of changes.entries()) {
      const d = decided[i];
      if (!d) outbound.push([]);
      else
        outbound.push(
          await this.apply(step, change, d, source, { tasks, writes, clearIds, deadlines: new Map() }),
        );
    }
    await this.repository.insertEntries(step.em, writes.entries);
    await this.repository.keepEntries(step.em, [...writes.keeps.values()]);
    await this.repository.endEntries(step.em, writes.ends);
    // Tasks before the cancellations: a task this batch sent can be cancelled by a later change.
    await this.repository.insertTasks(step.em, writes.tasks);
    await this.repository.cancel(step.em, writes.cancel, step.now);
    return outbound;
  }

  private async apply(
    step: Step,
    change: RecordChange,
    { decision, created, seen }: Decided,
    source: Source,
    batch: Batch,
  ): Promise<OutboundMessage[]> {
    const { record } = change;
    const about = { actor: this.actor, subjectId: record.subject.canonicalId, recordId: record.recordId };
    const specs: TaskSpec[] = [];
    batch.writes.entries.push(...created);
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
      batch.writes.keeps.set(keep.entryId, {
        entryId: keep.entryId,
        recordVersion: record.version,
        validUntil: keep.validUntil,
      });
    for (const end of decision.end) {
      const entry = seen.find((e) => e.entryId === end.entryId);
      if (!entry) throw new Error(`entry ${end.entryId} was decided without being read`);
      const upgradedTo = createdByUpgrade.get(end.entryId);
      batch.writes.ends.push({
        entryId: end.entryId,
        state: end.state,
        reason: end.reason,
        at: step.now,
        upgradedTo: upgradedTo ?? null,
      });
      step.audit.push({
        ...about,
        recordId: entry.recordId,
        kind: 'list_entry_ended',
        details: { entryId: end.entryId, listType: entry.listType, state: end.state, reason: end.reason },
      });
      specs.push(...this.liftTasks(step, entry, end.reason, batch));
    }
    return this.send(step, change, specs, source, batch);
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

  private liftTasks(step: Step, entry: StoredEntry, reason: string, batch: Batch): TaskSpec[] {
    const { lift, cancel } = planLifts(batch.tasks.get(entry.entryId) ?? []);
    batch.writes.cancel.push(...cancel);
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
    { record, clearIdNumber }: RecordChange,
    specs: TaskSpec[],
    source: Source,
    batch: Batch,
  ): Promise<OutboundMessage[]> {
    if (specs.length === 0) return [];
    const policy = this.policies.current;
    const traceparent = processingTraceparent(source.message);
    const rows: TaskRow[] = [];
    const outbound: OutboundMessage[] = [];
    for (const spec of specs) {
      const found = this.measures.memoranda.measures.get(spec.measureId);
      const taskId = this.ids.next();
      const within = spec.answerWithinWorkingDays;
      const dueBy = batch.deadlines.get(within) ?? this.calendar.deadline(step.now, within);
      batch.deadlines.set(within, dueBy);
      const to = spec.implementer;
      // A sector agency acts on the subject as identified; a subscriber gets its feed's view of it.
      const entitlement =
        to.kind === 'subscriber' ? policy.subscribers.find((s) => s.id === to.subscriberId) : undefined;
      const person = record.subject.kind === 'natural_person';
      const clear = to.kind === 'agency' || entitlement?.naturalPersonIdentity === 'clear';
      const clearId =
        person && clear
          ? (batch.clearIds.get(record.subject.canonicalId) ??
            clearIdNumber ??
            (await this.records.clearIdOf(step.em, record)))
          : undefined;
      if (clearId !== undefined) batch.clearIds.set(record.subject.canonicalId, clearId);
      const subjectId =
        clearId !== undefined
          ? clearId
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
    batch.writes.tasks.push(...rows);
    // A later change of the batch that ends this entry lifts these tasks.
    for (const row of rows) push(batch.tasks, row.entry_id, storedTask(row));
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

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The entries a batch read, and those it created, as the changes decided so far left them: by id,
 * by record and by subject, each list oldest first (a subject can hold hundreds of entries).
 */
class Known {
  private readonly byId = new Map<string, KnownEntry>();
  private readonly byRecord = new Map<string, KnownEntry[]>();
  private readonly bySubject = new Map<string, KnownEntry[]>();

  constructor(entries: readonly KnownEntry[]) {
    for (const e of entries) this.add(e);
  }

  add(e: KnownEntry): void {
    if (this.byId.has(e.entryId)) return;
    this.byId.set(e.entryId, e);
    push(this.byRecord, e.recordId, e);
    push(this.bySubject, e.subjectId, e);
  }

  get(entryId: string): KnownEntry | undefined {
    return this.byId.get(entryId);
  }

  /**
   * Not copies (a subject can hold hundreds): a decision reads an entry's state as it is when it is
   * decided, and what is read afterwards (ids, list type, colour, listing time) never changes.
   */
  ofRecord(recordId: string): KnownEntry[] {
    return [...(this.byRecord.get(recordId) ?? [])];
  }

  /** The subject's active entries of these list types (those read for it). */
  activeOfSubject(subjectId: string, listTypes: readonly string[]): KnownEntry[] {
    if (listTypes.length === 0) return [];
    return (this.bySubject.get(subjectId) ?? []).filter(
      (e) => e.state === 'active' && listTypes.includes(e.listType),
    );
  }
}

/** One change's decision, with the entries it was decided on and the entries it creates. */
interface Decided {
  decision: ListingDecision;
  created: EntryRow[];
  seen: StoredEntry[];
}

/** The writes of a batch, made once every change is decided (one statement per kind). */
interface Writes {
  entries: EntryRow[];
  /** The last keep of each entry wins, as when each was its own UPDATE. */
  keeps: Map<string, EntryKeep>;
  ends: EntryEnd[];
  cancel: string[];
  tasks: TaskRow[];
}

interface Batch {
  /** The tasks of each entry that may end: read before, or sent by an earlier change of the batch. */
  tasks: Map<string, StoredTask[]>;
  writes: Writes;
  /** Identity numbers read once per subject. */
  clearIds: Map<string, string>;
  /** The due date of an answer within so many working days of the batch's time, worked out once. */
  deadlines: Map<number, string>;
}

const storedEntry = (row: EntryRow): KnownEntry => ({
  entryId: row.entry_id,
  listType: row.list_type,
  recordId: row.record_id,
  subjectId: row.subject_id,
  state: row.state,
  validUntil: row.valid_until,
  colour: row.colour,
  sector: row.sector,
  listedAt: row.listed_at,
  recordVersion: row.record_version,
});

const storedTask = (row: TaskRow): StoredTask => ({
  taskId: row.task_id,
  kind: row.kind,
  entryId: row.entry_id,
  measureId: row.measure_id,
  implementerKind: row.implementer_kind,
  implementerId: row.implementer_id,
  sector: row.sector,
  status: row.status,
  reasonCode: null,
  legalGround: null,
  liftsTaskId: row.lifts_task_id,
  memorandumId: row.memorandum_id,
  appliesUntil: row.applies_until,
  dueBy: row.due_by,
});
