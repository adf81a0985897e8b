import type { DataSource } from 'typeorm';
import { MeasureTaskRow } from '../database/entities.js';
import type { MeasureTaskIn } from '../domain/measure-task.js';
import type { FeedPosition } from '../holdings/holdings.repository.js';

/** The measure tasks this platform received, in its own schema. */
export class TasksRepository {
  constructor(private readonly db: DataSource) {}

  /** Idempotent by task id: a redelivered task (same id) changes nothing and reports `duplicate`. */
  async store(task: MeasureTaskIn, position: FeedPosition, now: Date): Promise<'stored' | 'duplicate'> {
    const result = await this.db
      .createQueryBuilder()
      .insert()
      .into(MeasureTaskRow)
      .values(toRow(task, position, now))
      .orIgnore()
      .returning('task_id')
      .execute();
    return (result.raw as unknown[]).length > 0 ? 'stored' : 'duplicate';
  }

  /** Oldest first, at most 1000; of one subject when given. */
  async list(subjectId?: string): Promise<MeasureTaskRow[]> {
    return this.db.getRepository(MeasureTaskRow).find({
      where: subjectId ? { subjectId } : {},
      order: { issuedAt: 'ASC', taskId: 'ASC' },
      take: 1000,
    });
  }
}

function toRow(task: MeasureTaskIn, position: FeedPosition, now: Date): MeasureTaskRow {
  return {
    taskId: task.taskId,
    eventId: task.eventId,
    kind: task.kind,
    liftsTaskId: task.liftsTaskId,
    entryId: task.entryId,
    listType: task.listType,
    listColour: task.listColour,
    memorandumId: task.memorandumId,
    documentNumber: task.documentNumber,
    measureId: task.measureId,
    measureText: task.measureText,
    legalBasis: task.legalBasis,
    mode: task.mode,
    scenarios: task.scenarios,
    targets: task.targets,
    subjectId: task.subject.canonicalId,
    subjectKind: task.subject.kind,
    subjectName: task.subject.name,
    recordId: task.recordId,
    listedAt: task.listedAt,
    appliesUntil: task.appliesUntil,
    dueBy: task.dueBy,
    issuedAt: task.issuedAt,
    endReason: task.endReason,
    topic: position.topic,
    partition: position.partition,
    offset: position.offset,
    receivedAt: now,
  };
}
