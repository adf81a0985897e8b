import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { strictValidationPipe, uuidParam } from '@cie/platform';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import { TASK_OUTCOMES } from './domain/tasks.js';
import { TasksService } from './tasks.service.js';

/** A subscriber's answer to a task on its feed. */
export class TaskAnswerDto {
  @IsIn(TASK_OUTCOMES, { message: `outcome must be one of ${TASK_OUTCOMES.join(', ')}` })
  outcome!: string;

  /** Required when the outcome is not_applicable, e.g. "no_pending_application". */
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{1,63}$/, {
    message: 'reasonCode must be a lower-case code such as no_pending_application',
  })
  reasonCode?: string;

  /** Required when the outcome is declined: the legal ground for not applying a mandatory measure. */
  @IsOptional()
  @IsNotEmpty()
  @MaxLength(1000)
  @IsString()
  legalGround?: string;

  @IsOptional()
  @MaxLength(2000)
  @IsString()
  note?: string;
}

/**
 * Measure tasks (DESIGN §13). A subscriber sees and answers its own tasks (they arrive on its feed);
 * operators see every task and the feedback statistics. Sector agencies answer in their sector service.
 */
@Controller('v1')
@UseGuards(ClientAuthGuard)
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  /** `?status=open` (default), `answered` or `all`; `?overdue=true` for the overdue ones only. */
  @Get('tasks')
  @Roles('operator', 'subscriber')
  list(
    @Req() request: ClientRequest,
    @Query('status') status = 'open',
    @Query('overdue') overdue?: string,
    @Query('implementer') implementer?: string,
  ) {
    const client = request.client!;
    return this.tasks.list({
      status,
      overdue: overdue === 'true',
      ...(client.role === 'subscriber'
        ? { implementerId: client.subscriberId ?? client.clientId }
        : implementer
          ? { implementerId: implementer }
          : {}),
    });
  }

  @Get('tasks/:id')
  @Roles('operator', 'subscriber')
  get(@Req() request: ClientRequest, @Param('id', uuidParam('id')) id: string) {
    const client = request.client!;
    return this.tasks.get(
      id,
      client.role === 'subscriber' ? (client.subscriberId ?? client.clientId) : undefined,
    );
  }

  @Post('tasks/:id/answer')
  @HttpCode(202)
  @Roles('subscriber')
  answer(
    @Req() request: ClientRequest,
    @Param('id', uuidParam('id')) id: string,
    @Body(strictValidationPipe()) body: TaskAnswerDto,
  ) {
    const client = request.client!;
    return this.tasks.answer(id, client.subscriberId ?? client.clientId, body);
  }

  /** Per memorandum, measure and agency: sent, acknowledged, applied, lifted, overdue, and median latencies. */
  @Get('measures/statistics')
  @Roles('operator')
  statistics() {
    return this.tasks.statistics();
  }
}
