import type { AnswerTaskCommand, TasksCommand } from './args.js';
import type { Io } from './submit.js';

/** The service could not be asked, or refused the caller as a whole (unknown key, Kafka down): exit code 2. */
export class CannotCall extends Error {
  override readonly name = 'CannotCall';
}

interface Task {
  id: string;
  kind: string;
  state: string;
  dueBy: string | null;
  overdue: boolean;
  measureId: string;
  subject: { id: string; name: string };
}
interface Problem {
  detail?: string;
  errors?: { field: string; detail: string }[];
}

async function call(url: string, key: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new CannotCall(`cannot connect to ${url}: ${cause}`);
  }
}

/** `cie tasks`: the agency's measure tasks, one line each, then the counts. */
export async function listTasks(cmd: TasksCommand, io: Io): Promise<number> {
  const response = await call(`${cmd.url}/v1/tasks?status=${cmd.status}`, cmd.key);
  if (!response.ok)
    throw new CannotCall(`GET /v1/tasks answered ${response.status}: ${await detailOf(response)}`);
  const inbox = (await response.json()) as { items: Task[]; count: number; overdue: number };
  for (const t of inbox.items)
    io.stdout.write(
      `${t.id}  ${t.kind.padEnd(5)}  ${t.state.padEnd(14)}  due ${t.dueBy ?? '-'}${t.overdue ? ' OVERDUE' : ''}  ${t.measureId}  ${t.subject.id} ${t.subject.name}\n`,
    );
  io.stdout.write(`${inbox.count} ${cmd.status} task(s), ${inbox.overdue} overdue\n`);
  return 0;
}

/** `cie answer-task`: one answer; a refusal (fields, conflict, no such task) is exit code 1. */
export async function answerTask(cmd: AnswerTaskCommand, io: Io): Promise<number> {
  const response = await call(`${cmd.url}/v1/tasks/${encodeURIComponent(cmd.taskId)}/answer`, cmd.key, {
    method: 'POST',
    body: JSON.stringify(cmd.answer),
  });
  if (response.status === 202) {
    const answered = (await response.json()) as {
      id: string;
      status: string;
      state: string;
      eventId: string;
    };
    io.stdout.write(
      `task ${answered.id}: ${answered.state} (${answered.status}), event ${answered.eventId}\n`,
    );
    return 0;
  }
  if ([400, 404, 409, 422].includes(response.status)) {
    io.stderr.write(`cie answer-task: ${response.status}: ${await detailOf(response)}\n`);
    return 1;
  }
  throw new CannotCall(
    `POST /v1/tasks/${cmd.taskId}/answer answered ${response.status}: ${await detailOf(response)}`,
  );
}

async function detailOf(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as Problem;
    const fields = problem.errors?.map((e) => `${e.field}: ${e.detail}`) ?? [];
    return fields.length > 0 ? fields.join('; ') : (problem.detail ?? text);
  } catch {
    return text;
  }
}
