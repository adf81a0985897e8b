import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SubmitCommand } from './args.js';
import { formatProgress, formatSummary } from './progress.js';

/** Where the CLI writes: the streams and whether stderr is a terminal (for the progress bar). */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  now: () => number;
}

/** Statuses of a line that was taken: everything else is a refusal the agency has to act on. */
const TAKEN = new Set(['accepted', 'duplicate']);

interface Problem {
  field: string;
  detail: string;
}
interface LineReceipt {
  line: number;
  status: string;
  httpStatus?: number;
  sourceRecordId?: string | null;
  problems?: Problem[];
}
type Answer =
  | LineReceipt
  | { summary: Record<string, number> }
  | { error: string; detail?: string; summary?: Record<string, number> };

/** Thrown for what makes the whole run fail before or outside the receipts: exit code 2. */
export class CannotSubmit extends Error {
  override readonly name = 'CannotSubmit';
}

/**
 * Streams the file to POST /v1/records/bulk and reads the receipts as they come back (the service
 * answers in batches of 500 lines while the upload goes on), so a file of any size is sent in
 * constant memory. Refused lines are kept by number, then copied with their field errors from a
 * second read of the file. Returns the exit code.
 */
export async function submit(cmd: SubmitCommand, io: Io): Promise<number> {
  let totalBytes: number;
  try {
    totalBytes = statSync(cmd.file).size;
  } catch (error) {
    throw new CannotSubmit(`cannot read ${cmd.file}: ${(error as Error).message}`);
  }
  const started = io.now();
  let sentBytes = 0;
  let sentLines = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sentBytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) sentLines += 1;
      done(null, chunk);
    },
  });
  const source = createReadStream(cmd.file);
  const { response, uploaded } = await upload(`${cmd.url}/v1/records/bulk`, cmd, source, counter);
  if (response.statusCode !== 200) {
    const text = await readText(response);
    source.destroy();
    let detail = text.slice(0, 500);
    try {
      const problem = JSON.parse(text) as { title?: string; detail?: string };
      detail = [problem.title, problem.detail].filter(Boolean).join(': ');
    } catch {
      // not a problem document: the text itself says what went wrong
    }
    throw new CannotSubmit(`${cmd.url}/v1/records/bulk answered ${response.statusCode}: ${detail}`);
  }

  const drawProgress = cmd.progress && io.stderr.isTTY === true;
  let lastDrawn = 0;
  let records = 0;
  const refused = new Map<number, LineReceipt>();
  let summary: Record<string, number> | undefined;
  let stopped: string | undefined;
  const draw = (force = false) => {
    const now = io.now();
    if (!drawProgress || (!force && now - lastDrawn < 100)) return;
    lastDrawn = now;
    const averageLine = sentLines > 0 ? sentBytes / sentLines : 0;
    const doneBytes = summary ? totalBytes : Math.min(sentBytes, records * averageLine);
    io.stderr.write(`\r${formatProgress({ doneBytes, totalBytes, records, elapsedMs: now - started })}`);
  };

  const lines = createInterface({ input: response, crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === '') continue;
    const answer = JSON.parse(text) as Answer;
    if ('line' in answer) {
      records += 1;
      if (!TAKEN.has(answer.status)) refused.set(answer.line, answer);
    } else if ('error' in answer) {
      stopped = `${answer.error}${answer.detail ? `: ${answer.detail}` : ''}`;
      summary = answer.summary;
    } else {
      summary = answer.summary;
    }
    draw();
  }
  draw(true);
  if (drawProgress) io.stderr.write('\n');
  // The service answered to the end; an upload that broke off shows as a missing summary below.
  await uploaded;

  await writeRejects(cmd.file, cmd.rejects, refused);
  const elapsedMs = io.now() - started;
  io.stdout.write(
    `${formatSummary({ file: cmd.file, summary: summary ?? { total: records }, elapsedMs, rejected: refused.size, rejectsFile: cmd.rejects })}\n`,
  );
  if (stopped) {
    io.stderr.write(`cie submit: the service stopped before the end of the file: ${stopped}\n`);
    return 1;
  }
  if (!summary) {
    io.stderr.write(
      'cie submit: the response ended without its summary line: the upload may be incomplete\n',
    );
    return 1;
  }
  return refused.size > 0 ? 1 : 0;
}

/**
 * POST of a stream with node:http, piped with backpressure: only the chunks in flight are in memory.
 * (fetch with a stream body kept every chunk it sent until the response ended: 53 MB for a 53 MB
 * file.) Resolves with the response as soon as its head arrives, while the upload goes on; a
 * service that answers early (401) and closes is not an error of the upload.
 */
async function upload(
  url: string,
  cmd: SubmitCommand,
  source: Readable,
  counter: Transform,
): Promise<{ response: IncomingMessage; uploaded: Promise<void> }> {
  const target = new URL(url);
  const request = (target.protocol === 'https:' ? https : http).request(target, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${cmd.key}` },
  });
  const responded = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  const uploaded = pipeline(source, counter, request).then(
    () => undefined,
    () => undefined,
  );
  try {
    return { response: await responded, uploaded };
  } catch (error) {
    source.destroy();
    const unreadable = (error as NodeJS.ErrnoException).path === cmd.file;
    if (unreadable) throw new CannotSubmit(`cannot read ${cmd.file}: ${(error as Error).message}`);
    throw new CannotSubmit(`cannot connect to ${cmd.url}: ${(error as Error).message}`);
  }
}

async function readText(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += (chunk as Buffer).toString('utf8');
  return text;
}

/** One line per refused input line, in file order, with the receipt's field errors and the line as sent. */
async function writeRejects(file: string, target: string, refused: Map<number, LineReceipt>): Promise<void> {
  const out = createWriteStream(target);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  if (refused.size > 0) {
    // Numbered as the service numbers them: every \n ends a line, blank ones included.
    let lineNumber = 0;
    for await (const input of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      lineNumber += 1;
      const receipt = refused.get(lineNumber);
      if (!receipt) continue;
      await write(
        `${JSON.stringify({
          line: receipt.line,
          status: receipt.status,
          httpStatus: receipt.httpStatus,
          sourceRecordId: receipt.sourceRecordId ?? null,
          problems: receipt.problems ?? [],
          input,
        })}\n`,
      );
    }
  }
  out.end();
  await once(out, 'finish');
}
