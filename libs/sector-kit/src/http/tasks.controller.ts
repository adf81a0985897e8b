import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AgencyRequestType, TaskAnswerSchema } from '@cie/contracts';
import {
  type Agency,
  AgencyAuthGuard,
  Clock,
  CurrentAgency,
  EventPublisher,
  IdGenerator,
  isPastDue,
  type SqlRunner,
  uuidParam,
} from '@cie/platform';
import { DataSource } from 'typeorm';
import { IntakeErrorCode, IntakeException } from '../intake/intake.exception.js';
import { subjectKey } from '../intake/intake.service.js';
import type { SectorDefinition } from '../record-type.js';
import {
  type MeasureTask,
  MeasureTasksRepository,
  TASK_FILTERS,
  type TaskFilter,
} from '../tasks/measure-tasks.repository.js';
import { decideAnswer, type GivenAnswer, type StoredAnswer } from '../tasks/task-answers.js';
import { publishAgencyAnswer, requireStatus } from './agency-inbox.js';
import { SECTOR_DEFINITION } from './openapi.controller.js';
import { TaskAnswerDto } from './task-answer.dto.js';

/**
 * An implementing agency's measure tasks (DESIGN §13: apply a joint measure to a listed subject, or
 * lift it) and its answers. Like dispute answers, an answer is stored with its event id, then
 * published on the sector's events topic (the exchange applies it once, by event id), and only then
 * does the task take its state; a 503 keeps the answer for the same answer to be sent again. Answers
 * still unpublished go out first, so the exchange sees an acknowledgement before the final answer.
 */
@Controller('v1/tasks')
@UseGuards(AgencyAuthGuard)
export class TasksController {
  constructor(
    private readonly db: DataSource,
    private readonly tasks: MeasureTasksRepository,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(SECTOR_DEFINITION) private readonly sector: SectorDefinition,
  ) {}

  /** `?status=open` (default: no final answer yet), `answered` or `all`; overdue ones counted. */
  @Get()
  async list(@CurrentAgency() agency: Agency, @Query('status') status = 'open') {
    const filter: TaskFilter = requireStatus(
      status,
      TASK_FILTERS.filter((f) => f !== 'all'),
    );
    const now = this.clock.now();
    const items = (await this.tasks.list(agency.agencyId, filter)).map((t) => taskView(t, now));
    return { items, count: items.length, overdue: items.filter((i) => i.overdue).length };
  }

  @Get(':id')
  async one(@CurrentAgency() agency: Agency, @Param('id', uuidParam('id')) id: string) {
    return taskView(await this.find(agency, id), this.clock.now());
  }

  @Post(':id/answer')
  @HttpCode(202)
  async answer(
    @CurrentAgency() agency: Agency,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: TaskAnswerDto,
  ) {
    const given: GivenAnswer = {
      outcome: body.outcome,
      reasonCode: body.reasonCode ?? '',
      legalGround: body.legalGround ?? '',
      note: body.note ?? '',
    };
    const eventId = await this.db.transaction(async (em) => {
      const task = await this.find(agency, id, em);
      const decision = decideAnswer(task.row, task.answers, given);
      switch (decision.type) {
        case 'refuse':
          throw new IntakeException(IntakeErrorCode.INVALID_RECORD, decision.detail, [
            { field: decision.field, detail: decision.detail },
          ]);
        case 'conflict':
          throw new IntakeException(IntakeErrorCode.TASK_ALREADY_ANSWERED, `task ${id}: ${decision.detail}`);
        case 'repeat':
          return decision.answer.eventId;
        case 'store': {
          const answer = {
            ...given,
            stage: decision.stage,
            eventId: this.ids.next(),
            answeredAt: this.clock.now(),
          };
          await this.tasks.storeAnswer(em, id, answer);
          return answer.eventId;
        }
      }
    });
    const stored = await this.find(agency, id);
    for (const unpublished of stored.answers.filter((a) => !a.publishedAt))
      await this.publish(agency, stored, unpublished);
    const task = await this.find(agency, id);
    return { ...taskView(task, this.clock.now()), answer: given.outcome, eventId };
  }

  /** Keyed like the subject's records on this topic (a digest of its id), so it stays in the subject's order. */
  private async publish(agency: Agency, task: MeasureTask, answer: StoredAnswer): Promise<void> {
    const key = subjectKey(task.row.subject_id);
    await publishAgencyAnswer(
      this.publisher,
      this.sector,
      agency,
      { key, eventId: answer.eventId, at: answer.answeredAt, type: AgencyRequestType.taskAnswered },
      TaskAnswerSchema,
      {
        taskId: task.row.task_id,
        implementerId: agency.agencyId,
        outcome: answer.outcome,
        reasonCode: answer.reasonCode,
        legalGround: answer.legalGround,
        note: answer.note,
        answeredAt: timestampFromDate(answer.answeredAt),
      },
    );
    await this.tasks.markPublished(agency.agencyId, task.row.task_id, answer, this.clock.now());
  }

  private async find(agency: Agency, id: string, em?: SqlRunner) {
    const task = await this.tasks.find(agency.agencyId, id, em, em ? 'FOR UPDATE' : '');
    if (!task)
      throw new IntakeException(
        IntakeErrorCode.TASK_NOT_FOUND,
        `no task ${id} for agency ${agency.agencyId}`,
      );
    return task;
  }
}

/** A task as the API shows it: built from the row, never the row itself. */
function taskView({ row, answers }: MeasureTask, now: Date) {
  const open = row.answered_at === null;
  return {
    id: row.task_id,
    kind: row.kind,
    liftsTaskId: row.lifts_task_id,
    status: open ? 'open' : row.state === 'cancelled' ? 'cancelled' : 'answered',
    state: row.state,
    dueBy: row.due_by,
    overdue: open && isPastDue(row.due_by, now),
    entryId: row.entry_id,
    listType: row.list_type,
    listColour: row.list_colour,
    memorandumId: row.memorandum_id,
    documentNumber: row.document_number,
    measureId: row.measure_id,
    measureText: row.measure_text,
    legalBasis: row.legal_basis,
    mode: row.mode,
    scenarios: row.scenarios,
    targets: row.targets,
    subject: { kind: row.subject_kind, id: row.subject_id, name: row.subject_name },
    recordId: row.record_id,
    listedAt: row.listed_at?.toISOString() ?? null,
    appliesUntil: row.applies_until,
    endReason: row.end_reason || null,
    issuedAt: row.issued_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    answers: answers
      .filter((a) => a.publishedAt)
      .map((a) => ({
        outcome: a.outcome,
        reasonCode: a.reasonCode || null,
        legalGround: a.legalGround || null,
        note: a.note || null,
        answeredAt: a.answeredAt.toISOString(),
        eventId: a.eventId,
      })),
  };
}
