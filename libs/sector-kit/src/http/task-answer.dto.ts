import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { TASK_OUTCOMES, type TaskOutcome } from '../tasks/task-answers.js';

// Checked in this order (class-validator runs the decorators nearest the property first).
const REASON_REQUIRED = 'reasonCode is required when the outcome is not_applicable';
const GROUND_REQUIRED = 'legalGround is required when the outcome is declined';

/** An implementing agency's answer to a measure task (DESIGN §13). */
export class TaskAnswerDto {
  /** A lift task is answered acknowledged; an apply task may be acknowledged first, then answered once. */
  @IsIn(TASK_OUTCOMES, { message: `outcome must be ${TASK_OUTCOMES.join(', ')}` })
  outcome!: TaskOutcome;

  /** Why the measure does not apply to this subject (required with not_applicable). */
  @ValidateIf((o: TaskAnswerDto) => o.outcome === 'not_applicable' || o.reasonCode !== undefined)
  @MaxLength(64)
  @IsNotEmpty({ message: REASON_REQUIRED })
  @IsString({ message: REASON_REQUIRED })
  reasonCode?: string;

  /** The legal ground for not applying the measure (required with declined). */
  @ValidateIf((o: TaskAnswerDto) => o.outcome === 'declined' || o.legalGround !== undefined)
  @MaxLength(1000)
  @IsNotEmpty({ message: GROUND_REQUIRED })
  @IsString({ message: GROUND_REQUIRED })
  legalGround?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;
}
