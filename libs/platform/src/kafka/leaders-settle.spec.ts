import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { BrokerUnavailableError } from './event-publisher.js';
import { retryWhileLeadersSettle } from './leaders-settle.js';

const notCoordinator = () =>
  new KafkaJSProtocolError({
    message: 'This is not the correct coordinator for this group',
    type: 'NOT_COORDINATOR_FOR_GROUP',
    code: 16,
    retriable: true,
  } as unknown as Error);

/** A call that fails with each of `errors` in turn, then answers 'ok'. */
function failing(...errors: Error[]) {
  let calls = 0;
  const call = () => {
    calls += 1;
    const error = errors.shift();
    return error ? Promise.reject(error) : Promise.resolve('ok');
  };
  return { call, calls: () => calls };
}

describe('retryWhileLeadersSettle', () => {
  it('Given a fresh cluster moving its coordinators, When kafkajs has used up its own retries, Then it asks again', async () => {
    const f = failing(
      new KafkaJSNumberOfRetriesExceeded(notCoordinator(), { retryCount: 5, retryTime: 100 }),
      new BrokerUnavailableError('no acknowledgement'),
      notCoordinator(),
    );
    await expect(retryWhileLeadersSettle(f.call)).resolves.toBe('ok');
    expect(f.calls()).toBe(4);
  });

  it('Given an error that is not the cluster settling, When called, Then it is thrown at once', async () => {
    const f = failing(new TypeError('x is undefined'));
    await expect(retryWhileLeadersSettle(f.call)).rejects.toThrow('x is undefined');
    expect(f.calls()).toBe(1);
  });
});
