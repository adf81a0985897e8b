import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { Clock, isPastDue, strictValidationPipe } from '@cie/platform';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PlatformAuthGuard } from '../access/platform-clients.js';
import type { MeasureTaskRow } from '../database/entities.js';
import { TasksRepository } from './tasks.repository.js';

export class TasksQuery {
  /** Only the tasks about this subject (its canonical id in this platform's view). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  subject?: string;
}

/**
 * The measure tasks the exchange sent this platform's agency (DESIGN §13), to its own readers only.
 * Read-only: the agency answers on the exchange's API, which also knows whether it answered.
 */
@Controller('v1/tasks')
@UseGuards(PlatformAuthGuard)
export class TasksController {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query(strictValidationPipe()) query: TasksQuery) {
    const now = this.clock.now();
    const items = (await this.tasks.list(query.subject)).map((t) => taskView(t, now));
    return { items, count: items.length, pastDue: items.filter((i) => i.pastDue).length };
  }
}

function taskView(t: MeasureTaskRow, now: Date) {
  return {
    id: t.taskId,
    kind: t.kind,
    liftsTaskId: t.liftsTaskId,
    dueBy: t.dueBy,
    /** Past its due date (China Standard Time); whether it was answered is the exchange's to say. */
    pastDue: isPastDue(t.dueBy, now),
    entryId: t.entryId,
    listType: t.listType,
    listColour: t.listColour,
    memorandumId: t.memorandumId,
    documentNumber: t.documentNumber,
    measureId: t.measureId,
    measureText: t.measureText,
    legalBasis: t.legalBasis,
    mode: t.mode,
    scenarios: t.scenarios,
    targets: t.targets,
    subject: { canonicalId: t.subjectId, kind: t.subjectKind, name: t.subjectName },
    recordId: t.recordId,
    listedAt: t.listedAt?.toISOString() ?? null,
    appliesUntil: t.appliesUntil,
    endReason: t.endReason || null,
    issuedAt: t.issuedAt.toISOString(),
    receivedAt: t.receivedAt.toISOString(),
    eventId: t.eventId,
  };
}
