import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { TASK_OUTCOMES, type TaskOutcome } from '../tasks/task-answers.js';

/** An implementing agency's answer to a measure task (DESIGN §13). */
export class TaskAnswerDto {
  /** A lift task is answered acknowledged; an apply task may be acknowledged first, then answered once. */
  @IsIn(TASK_OUTCOMES, { message: `outcome must be ${TASK_OUTCOMES.join(', ')}` })
  outcome!: TaskOutcome;

  /** Why the measure does not apply to this subject (required with not_applicable). */
  @ValidateIf((o: TaskAnswerDto) => o.outcome === 'not_applicable' || o.reasonCode !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'reasonCode is required when the outcome is not_applicable' })
  @MaxLength(64)
  reasonCode?: string;

  /** The legal ground for not applying the measure (required with declined). */
  @ValidateIf((o: TaskAnswerDto) => o.outcome === 'declined' || o.legalGround !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'legalGround is required when the outcome is declined' })
  @MaxLength(1000)
  legalGround?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;
}
