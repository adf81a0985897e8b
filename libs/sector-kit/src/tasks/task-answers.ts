/**
 * How an implementing agency answers a task (DESIGN §13), as plain rules: an apply task may be
 * acknowledged first, then gets one final answer (applied, not_applicable with a reason code,
 * declined with a legal ground); a lift task is acknowledged, and that is its final answer. The same
 * answer given again is the same answer (same event id); anything else once a stage is answered is a
 * conflict, since the first answer may already be on its way to the exchange.
 */

export const TASK_OUTCOMES = ['acknowledged', 'applied', 'not_applicable', 'declined'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];
export type TaskKindName = 'apply' | 'lift';
/**
 * Where a task stands on the agency's side: delivered until answered, then its latest answer; an
 * apply task whose lift came before its final answer is cancelled (the exchange cancels it too).
 */
export type TaskState = 'delivered' | TaskOutcome | 'cancelled';
/** An apply task's acknowledgement comes before its final answer; a lift task has only a final one. */
export type AnswerStage = 'acknowledgement' | 'final';

export interface GivenAnswer {
  outcome: TaskOutcome;
  /** Required with not_applicable, empty otherwise. */
  reasonCode: string;
  /** Required with declined, empty otherwise. */
  legalGround: string;
  note: string;
}

export interface StoredAnswer extends GivenAnswer {
  stage: AnswerStage;
  eventId: string;
  answeredAt: Date;
  /** Set once Kafka acknowledged the answer event. */
  publishedAt: Date | null;
}

export type AnswerDecision =
  /** The answer itself is wrong (422), naming the field. */
  | { type: 'refuse'; field: keyof GivenAnswer; detail: string }
  /** The stage was answered otherwise, or the task already has its final answer (409). */
  | { type: 'conflict'; detail: string }
  /** The same answer again: answered as the first time, under the same event id. */
  | { type: 'repeat'; answer: StoredAnswer }
  | { type: 'store'; stage: AnswerStage };

export const stageOf = (kind: TaskKindName, outcome: TaskOutcome): AnswerStage =>
  kind === 'apply' && outcome === 'acknowledged' ? 'acknowledgement' : 'final';

export function decideAnswer(
  task: { kind: TaskKindName; state: TaskState },
  answers: readonly StoredAnswer[],
  given: GivenAnswer,
): AnswerDecision {
  const kind = task.kind;
  if (kind === 'lift' && given.outcome !== 'acknowledged')
    return refuse('outcome', 'a lift task is answered acknowledged');
  if (given.outcome === 'not_applicable' && !given.reasonCode)
    return refuse('reasonCode', 'reasonCode is required when the outcome is not_applicable');
  if (given.outcome !== 'not_applicable' && given.reasonCode)
    return refuse('reasonCode', 'reasonCode goes only with the outcome not_applicable');
  if (given.outcome === 'declined' && !given.legalGround)
    return refuse('legalGround', 'legalGround is required when the outcome is declined');
  if (given.outcome !== 'declined' && given.legalGround)
    return refuse('legalGround', 'legalGround goes only with the outcome declined');

  if (task.state === 'cancelled')
    return {
      type: 'conflict',
      detail: 'the task was cancelled: its list entry ended before it was answered',
    };
  const stage = stageOf(kind, given.outcome);
  const earlier = answers.find((a) => a.stage === stage);
  if (earlier)
    return sameAnswer(earlier, given)
      ? { type: 'repeat', answer: earlier }
      : {
          type: 'conflict',
          detail: `the task was already answered ${earlier.outcome}${earlier.publishedAt ? '' : ' and that answer is being published: send the same answer again'}`,
        };
  const final = answers.find((a) => a.stage === 'final');
  if (final)
    return {
      type: 'conflict',
      detail: `the task was already answered ${final.outcome}; an acknowledgement comes before the final answer`,
    };
  return { type: 'store', stage };
}

/** The state a published answer leaves the task in (a late acknowledgement never overrides a final answer). */
export function stateAfter(current: TaskState, answer: Pick<StoredAnswer, 'stage' | 'outcome'>): TaskState {
  if (answer.stage === 'final') return answer.outcome;
  return current === 'delivered' ? 'acknowledged' : current;
}

const sameAnswer = (a: GivenAnswer, b: GivenAnswer) =>
  a.outcome === b.outcome &&
  a.reasonCode === b.reasonCode &&
  a.legalGround === b.legalGround &&
  a.note === b.note;

const refuse = (field: keyof GivenAnswer, detail: string): AnswerDecision => ({
  type: 'refuse',
  field,
  detail,
});
