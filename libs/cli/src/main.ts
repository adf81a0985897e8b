import { readFileSync } from 'node:fs';
import { parseCommand, UsageError } from './args.js';
import { auditVerify } from './audit-verify.js';
import { CannotTail, feedTail } from './feed-tail.js';
import { CannotSubmit, type Io, submit } from './submit.js';
import { CannotVerify, verifyReceipt } from './verify-receipt.js';

/**
 * `cie <command>`: parses, runs, and turns every failure into a message and an exit code
 * (0 ok, 1 refused records or a problem found, 2 usage or cannot connect); never a stack trace for
 * what the user can fix.
 */
export async function run(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  let command;
  try {
    command = parseCommand(argv, (path) => readFileSync(path, 'utf8'));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`cie: ${error.message}\n\n${error.help}\n`);
    return 2;
  }
  try {
    switch (command.command) {
      case 'help':
        io.stdout.write(`${command.text}\n`);
        return 0;
      case 'submit':
        return await submit(command, io);
      case 'feed tail':
        return await feedTail(command, io, interrupted());
      case 'audit verify':
        // The verifier is configured by the environment it inherits (DATABASE_URL), like every tool here.

        return await auditVerify(command, process.env);
      case 'verify-receipt':
        return verifyReceipt(command, io);
    }
  } catch (error) {
    if (error instanceof CannotSubmit || error instanceof CannotTail || error instanceof CannotVerify) {
      io.stderr.write(`cie ${command.command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function defaultIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, now: () => Date.now() };
}

/** Resolves on Ctrl-C or SIGTERM, so `feed tail` leaves its consumer group cleanly. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
