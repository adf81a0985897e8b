import { type Refusal, RefusalError } from '../refusals.js';

/**
 * The one error classification of every consumer (DESIGN §14). Transient: the same message may
 * succeed later (a database or broker away, a deadlock, a lock timeout), so it is retried in place.
 * Poison: anything else (a data exception, a constraint, a refusal, a bug); retrying would fail the
 * same way for ever and stall the partition, so the failing message is isolated instead.
 * Abandon: Kafka says this consumer or producer is not in a state to commit (the group is
 * rebalancing, the member or the transaction was fenced): nothing is wrong with the message, so it
 * must never be dead-lettered; the batch is given back to kafkajs, which rejoins and reads it again.
 */
export type ErrorClass = 'transient' | 'poison' | 'abandon';

/** SQLSTATE classes: 08 connection, 40 rollback (serialization, deadlock), 53 resources, 57 operator intervention. */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57']);
/** lock_not_available: `lock_timeout` or NOWAIT; another transaction will let go. */
const TRANSIENT_SQLSTATES = new Set(['55P03']);
const SQLSTATE = /^[0-9A-Z]{5}$/;
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
/**
 * node-postgres losing or not getting a connection; kafkajs' plain `Error('Broker not connected')`
 * (not one of its own classes) when its broker shuts down during a request (kafka-disk-full).
 */
const CONNECTION_ERROR_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|^Broker not connected$/i;
/** kafkajs errors that only say "gave up" or "stopped": what decides is their cause. */
const KAFKAJS_WRAPPERS = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError']);
const MAX_DEPTH = 6;
/** Kafka refusals caused by what a message holds (its outputs too large to publish): poison. */
const KAFKA_POISON_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/**
 * An attempt that failed for a reason the handler knows is over by the next attempt, retried in
 * place like a database away. E.g. a partition's transactional producer fenced by an earlier claim of
 * the same partition: the retry claims the partition again, and its heartbeat first tells a member
 * that has left the group (a zombie) to rejoin instead.
 */
export class RetryInPlaceError extends Error {
  override readonly name = 'RetryInPlaceError';
}

/** Kafka's answers to a transactional producer whose id was initialised again elsewhere. */
const KAFKA_FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/** Whether `error` (or what it wraps) says this transactional producer was fenced. */
export function isProducerFenced(error: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || typeof error !== 'object' || error === null) return false;
  const { type, cause, originalError } = error as {
    type?: unknown;
    cause?: unknown;
    originalError?: unknown;
  };
  if (typeof type === 'string' && KAFKA_FENCED_TYPES.has(type)) return true;
  return isProducerFenced(cause, depth + 1) || isProducerFenced(originalError, depth + 1);
}

export function classifyError(error: unknown): ErrorClass {
  return classify(error, 0) ?? 'poison';
}

/** `undefined` when this error says nothing either way (look at what it wraps). */
function classify(error: unknown, depth: number): ErrorClass | undefined {
  if (depth > MAX_DEPTH || typeof error !== 'object' || error === null) return undefined;
  const e = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    retriable?: unknown;
    driverError?: unknown;
    cause?: unknown;
    originalError?: unknown;
  };
  if (e.name === 'RefusalError') return 'poison';
  if (e.name === 'RetryInPlaceError') return 'transient';
  // Before SQLSTATE: EPIPE has the shape of one.
  if (typeof e.code === 'string' && CONNECTION_ERROR_CODES.has(e.code)) return 'transient';
  if (typeof e.code === 'string' && SQLSTATE.test(e.code)) {
    return TRANSIENT_SQLSTATES.has(e.code) || TRANSIENT_SQLSTATE_CLASSES.has(e.code.slice(0, 2))
      ? 'transient'
      : 'poison';
  }
  if (typeof e.message === 'string' && CONNECTION_ERROR_MESSAGES.test(e.message)) return 'transient';
  const wrapped =
    classify(e.driverError, depth + 1) ??
    classify(e.cause, depth + 1) ??
    classify(e.originalError, depth + 1);
  if (wrapped) return wrapped;
  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS') && !KAFKAJS_WRAPPERS.has(e.name)) {
    if (e.retriable === true) return 'transient';
    const type = (error as { type?: unknown }).type;
    return typeof type === 'string' && KAFKA_POISON_TYPES.has(type) ? 'poison' : 'abandon';
  }
  return undefined;
}

/**
 * The refusal a poison error becomes when its message is isolated: its own when it is a
 * `RefusalError`, `unstorable` for a PostgreSQL data exception (SQLSTATE class 22), else
 * `processing_failed` with the error's message.
 */
export function refusalForError(error: unknown): Refusal {
  if (error instanceof RefusalError) return error.refusal;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return sqlStateOf(error)?.startsWith('22')
    ? { code: 'unstorable', detail }
    : { code: 'processing_failed', detail };
}

function sqlStateOf(error: unknown, depth = 0): string | undefined {
  if (depth > MAX_DEPTH || typeof error !== 'object' || error === null) return undefined;
  const { code, driverError, cause } = error as { code?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && SQLSTATE.test(code) && !CONNECTION_ERROR_CODES.has(code)) return code;
  return sqlStateOf(driverError, depth + 1) ?? sqlStateOf(cause, depth + 1);
}
