import type { CanonicalRecord } from '../../domain/canonical-record.js';
import { addMonths } from '../../domain/catalogue.js';
import { route, type SubscriberPolicy } from '../../domain/routing.js';
import { implementerId, type Measure, type Memorandum, type MemorandumCatalogue } from './joint-measures.js';

export const TASK_OUTCOMES = ['acknowledged', 'applied', 'not_applicable', 'declined'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];
export type TaskStatus = 'delivered' | 'cancelled' | 'lifted' | TaskOutcome;
/** The answers after which an apply task is settled. */
const FINAL: readonly TaskStatus[] = ['applied', 'not_applicable', 'declined'];

/** A task as the deciders need it. */
export interface TaskView {
  taskId: string;
  kind: 'apply' | 'lift';
  entryId: string;
  measureId: string;
  implementerKind: 'agency' | 'subscriber';
  implementerId: string;
  sector: string | null;
  status: TaskStatus;
  reasonCode: string | null;
  legalGround: string | null;
}

export interface PlannedTask {
  memorandum: Memorandum;
  measure: Measure;
  appliesUntil: string;
}

/** Why a measure of a triggered memorandum sends no task to its implementer (audited). */
export interface SkippedTask {
  memorandumId: string;
  measureId: string;
  implementerId: string;
  reason: string;
}

/**
 * The tasks an entry that became active sends (DESIGN §13): one per (measure, implementing agency)
 * of every memorandum in force today that the entry's list type triggers. A subscriber implementer
 * gets its task only where the access rules let it receive the record itself (the same rules as its
 * feed: sector, kind, level, region, polarity); a sector agency named by the memorandum always does.
 * Pure: no I/O, no clock.
 */
export function planApplyTasks(args: {
  listType: string;
  listedOn: string;
  entryValidUntil: string;
  record: CanonicalRecord;
  memoranda: MemorandumCatalogue;
  policy: SubscriberPolicy;
}): { tasks: PlannedTask[]; skipped: SkippedTask[] } {
  const { record, policy, listedOn } = args;
  const decisions = new Map(route(record, policy).map((d) => [d.subscriberId, d]));
  const tasks: PlannedTask[] = [];
  const skipped: SkippedTask[] = [];
  for (const memorandum of args.memoranda.memoranda) {
    if (!memorandum.triggers.includes(args.listType)) continue;
    if (memorandum.validFrom > listedOn || (memorandum.validUntil && memorandum.validUntil < listedOn))
      continue;
    for (const measure of memorandum.measures) {
      const who = measure.implementer;
      if (who.kind === 'subscriber') {
        const decision = decisions.get(who.subscriberId);
        if (!decision?.allowed) {
          skipped.push({
            memorandumId: memorandum.id,
            measureId: measure.id,
            implementerId: who.subscriberId,
            reason: decision
              ? `access rules: ${decision.reasons.filter((r) => r.endsWith('not entitled') || r.includes('no rule')).join('; ')}`
              : 'not a subscriber of the policy in force',
          });
          continue;
        }
      }
      const fixed = 'months' in measure.duration ? addMonths(listedOn, measure.duration.months) : undefined;
      tasks.push({ memorandum, measure, appliesUntil: fixed ?? args.entryValidUntil });
    }
  }
  return { tasks, skipped };
}

/**
 * When an entry ends: every apply task not refused (applied, or still open) gets a lift task, which
 * its agency must acknowledge; an open one is cancelled (the lift tells its inbox the task is moot).
 */
export function planLifts<T extends TaskView>(tasks: readonly T[]): { lift: T[]; cancel: string[] } {
  const open = (t: TaskView) =>
    t.kind === 'apply' && (t.status === 'delivered' || t.status === 'acknowledged');
  const applies = tasks.filter((t) => t.kind === 'apply' && (t.status === 'applied' || open(t)));
  const lifted = new Set(
    tasks.filter((t) => t.kind === 'lift').map((t) => t.measureId + ' ' + t.implementerId),
  );
  return {
    lift: applies.filter((t) => !lifted.has(t.measureId + ' ' + t.implementerId)),
    cancel: applies.filter(open).map((t) => t.taskId),
  };
}

export interface TaskAnswerInput {
  outcome: string;
  reasonCode: string;
  legalGround: string;
}

/** Who sent an answer: a sector agency on its sector's topic, or a subscriber through the exchange's API. */
export type TaskAnswerer =
  { kind: 'agency'; sector: string | undefined; id: string } | { kind: 'subscriber'; id: string };

export type AnswerDecision =
  | { refused: { code: 'unknown_record' | 'not_owner' | 'invalid_field' | 'invalid_state'; detail: string } }
  /** The same answer again: nothing changes. */
  | { repeated: true }
  | { status: TaskStatus; acknowledged: boolean; final: boolean; liftsApplyTask?: string };

const refused = (
  code: 'unknown_record' | 'not_owner' | 'invalid_field' | 'invalid_state',
  detail: string,
) => ({
  refused: { code, detail },
});

/**
 * An implementing agency's answer to a task:
 * - only the task's implementer may answer it (a sector agency on its own sector's topic);
 * - an apply task is `acknowledged`, then `applied`, `not_applicable` (with a reason code) or
 *   `declined` (with a legal ground), or answered finally at once; a lift task is `acknowledged`;
 * - the same answer again changes nothing; a different one after a final answer is refused.
 * Pure: no I/O, no clock.
 */
export function decideTaskAnswer(
  task: (TaskView & { liftsTaskId: string | null }) | undefined,
  taskId: string,
  answerer: TaskAnswerer,
  answer: TaskAnswerInput,
): AnswerDecision {
  if (!task) return refused('unknown_record', `no task ${taskId}`);
  if (
    task.implementerKind !== answerer.kind ||
    task.implementerId !== answerer.id ||
    (answerer.kind === 'agency' && answerer.sector !== task.sector)
  )
    return refused('not_owner', `task ${taskId} is for ${task.implementerId}, not ${answerer.id}`);
  if (!(TASK_OUTCOMES as readonly string[]).includes(answer.outcome))
    return refused('invalid_field', `outcome must be one of ${TASK_OUTCOMES.join(', ')}`);
  const outcome = answer.outcome as TaskOutcome;
  if (outcome === 'not_applicable' && !answer.reasonCode)
    return refused('invalid_field', 'reasonCode is required when the outcome is not_applicable');
  if (outcome === 'declined' && !answer.legalGround)
    return refused('invalid_field', 'legalGround is required when the outcome is declined');
  if (task.kind === 'lift') {
    if (outcome !== 'acknowledged') return refused('invalid_field', 'a lift task is answered acknowledged');
    if (task.status === 'acknowledged') return { repeated: true };
    return {
      status: 'acknowledged',
      acknowledged: true,
      final: true,
      liftsApplyTask: task.liftsTaskId ?? undefined,
    };
  }
  if (task.status === 'cancelled' || task.status === 'lifted')
    return refused('invalid_state', `task ${taskId} is ${task.status}: its list entry ended`);
  if (FINAL.includes(task.status)) {
    const same =
      task.status === outcome &&
      (task.reasonCode ?? '') === answer.reasonCode &&
      (task.legalGround ?? '') === answer.legalGround;
    return same || outcome === 'acknowledged'
      ? { repeated: true }
      : refused('invalid_state', `task ${taskId} was already answered ${task.status}`);
  }
  if (outcome === 'acknowledged')
    return task.status === 'acknowledged'
      ? { repeated: true }
      : { status: 'acknowledged', acknowledged: true, final: false };
  return { status: outcome, acknowledged: task.status === 'delivered', final: true };
}

export { implementerId };
