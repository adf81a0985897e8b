import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { RefusalError } from '../refusals.js';
import {
  classifyError,
  isProducerFenced,
  refusalForError,
  RetryInPlaceError,
} from './error-classification.js';

/** A PostgreSQL error as node-postgres raises it, wrapped as TypeORM's QueryFailedError wraps it. */
function queryFailed(code: string, message = 'query failed'): Error {
  const driverError = Object.assign(new Error(message), { code });
  return Object.assign(new Error(message), { name: 'QueryFailedError', driverError, code });
}
const nodeError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('classifyError: transient errors are retried, anything else is poison', () => {
  it.each([
    ['08006 connection_failure', '08006'],
    ['40001 serialization_failure', '40001'],
    ['40P01 deadlock_detected', '40P01'],
    ['53300 too_many_connections', '53300'],
    ['57P01 admin_shutdown', '57P01'],
    ['55P03 lock_not_available', '55P03'],
  ])('Given PostgreSQL %s, When classified, Then it is transient', (_name, code) => {
    expect(classifyError(queryFailed(code))).toBe('transient');
  });

  it.each([
    ['22021 invalid byte sequence (a NUL in text)', '22021'],
    ['22P02 invalid_text_representation (not a UUID)', '22P02'],
    ['23505 unique_violation', '23505'],
    ['42P01 undefined_table', '42P01'],
    ['55000 object_not_in_prerequisite_state (only 55P03 is transient)', '55000'],
  ])('Given PostgreSQL %s, When classified, Then it is poison', (_name, code) => {
    expect(classifyError(queryFailed(code))).toBe('poison');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])(
    'Given a socket error %s, When classified, Then it is transient',
    (code) => {
      expect(classifyError(nodeError(code))).toBe('transient');
    },
  );

  it('Given node-postgres losing its connection, When classified, Then it is transient', () => {
    expect(classifyError(new Error('Connection terminated unexpectedly'))).toBe('transient');
  });

  it('Given kafkajs errors, When classified, Then their retriable flag decides', () => {
    expect(classifyError(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe('transient');
    const notLeader = new KafkaJSProtocolError({
      message: 'This server is not the leader for that topic-partition',
      type: 'NOT_LEADER_FOR_PARTITION',
      code: 6,
      retriable: true,
    } as unknown as Error);
    expect(classifyError(notLeader)).toBe('transient');
    const tooLarge = new KafkaJSProtocolError({
      message: 'The request included a message larger than the max message size the server will accept',
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
    } as unknown as Error);
    expect(classifyError(tooLarge)).toBe('poison');
  });

  it('Given Kafka refusing the commit because the group is rebalancing, When classified, Then the batch is given back, never dead-lettered', () => {
    const rebalancing = new KafkaJSProtocolError({
      message: 'The group is rebalancing, so a rejoin is needed',
      type: 'REBALANCE_IN_PROGRESS',
      code: 27,
      retriable: false,
    } as unknown as Error);
    expect(classifyError(rebalancing)).toBe('abandon');
    const fenced = new KafkaJSProtocolError({
      message: 'Producer attempted an operation with an old epoch',
      type: 'INVALID_PRODUCER_EPOCH',
      code: 47,
      retriable: false,
    } as unknown as Error);
    expect(classifyError(fenced)).toBe('abandon');
  });

  it('Given a handler that knows its next attempt is fine (a fenced partition it claims again), When classified, Then it is retried in place', () => {
    const epoch = new KafkaJSProtocolError({
      message: 'Producer attempted an operation with an old epoch',
      type: 'INVALID_PRODUCER_EPOCH',
      code: 47,
      retriable: false,
    } as unknown as Error);
    // As kafkajs' retrier gives it up.
    const fenced = new KafkaJSNonRetriableError(epoch, { cause: epoch });
    expect(isProducerFenced(fenced)).toBe(true);
    expect(isProducerFenced(new KafkaJSConnectionError('Connection timeout'))).toBe(false);
    expect(classifyError(new RetryInPlaceError('claimed again'))).toBe('transient');
  });

  it('Given kafkajs giving up after retries, When classified, Then the cause decides', () => {
    const retried = (cause: Error) =>
      new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1000 });
    expect(classifyError(retried(new KafkaJSConnectionError('Connection timeout')))).toBe('transient');
    expect(classifyError(retried(new TypeError('x is undefined')))).toBe('poison');
  });

  it("Given kafkajs' plain Error('Broker not connected') (its broker shut down during a metadata request: kafka-disk-full), When classified, Then it is transient", () => {
    // kafkajs/src/broker/index.js throws it as a plain Error, not one of its own classes; it reached
    // an agency as a 500 and would have dead-lettered a message at the exchange.
    expect(classifyError(new Error('Broker not connected'))).toBe('transient');
  });

  it('Given a full disk at PostgreSQL or at the broker (npm run chaos pg-disk-full, kafka-disk-full), When classified, Then it is transient: nothing is dead-lettered, the batch waits for space', () => {
    expect(
      classifyError(
        queryFailed('53100', 'could not extend file "base/16384/16644": No space left on device'),
      ),
    ).toBe('transient');
    for (const [type, code] of [
      ['KAFKA_STORAGE_ERROR', 56],
      ['NOT_ENOUGH_REPLICAS', 19],
      ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', 20],
    ] as const) {
      const error = new KafkaJSProtocolError({
        message: type,
        type,
        code,
        retriable: true,
      } as unknown as Error);
      expect(classifyError(error)).toBe('transient');
      expect(
        classifyError(new KafkaJSNumberOfRetriesExceeded(error, { retryCount: 5, retryTime: 1000 })),
      ).toBe('transient');
    }
  });

  it('Given a bug, a refusal or something that is not an Error, When classified, Then it is poison', () => {
    expect(classifyError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe('poison');
    expect(classifyError(new RefusalError('invalid_field', 'subscriber contains a NUL', 'subscriber'))).toBe(
      'poison',
    );
    expect(classifyError('boom')).toBe('poison');
    expect(classifyError(undefined)).toBe('poison');
  });
});

describe('refusalForError: the code an isolated message is dead-lettered with', () => {
  it('Given a RefusalError, Then its own refusal', () => {
    expect(refusalForError(new RefusalError('not_owner', 'for subscriber b', 'subscriber'))).toEqual({
      code: 'not_owner',
      field: 'subscriber',
      detail: 'for subscriber b',
    });
  });

  it('Given a PostgreSQL data exception, Then unstorable', () => {
    const error = queryFailed('22021', 'invalid byte sequence for encoding "UTF8": 0x00');
    expect(refusalForError(error)).toEqual({
      code: 'unstorable',
      detail: 'QueryFailedError: invalid byte sequence for encoding "UTF8": 0x00',
    });
  });

  it('Given any other poison error, Then processing_failed with its message', () => {
    expect(refusalForError(new TypeError('x is not a function'))).toEqual({
      code: 'processing_failed',
      detail: 'TypeError: x is not a function',
    });
  });
});
