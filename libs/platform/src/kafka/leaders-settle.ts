import { BrokerUnavailableError } from './event-publisher.js';

/**
 * A broker that has just created the topics answers "not the leader" (or does not acknowledge) for a
 * few seconds: asking again is right, giving up stops a service at start on a fresh cluster. Retries
 * `call` on a retriable kafkajs error or a BrokerUnavailableError, backing off to 2 s, for `timeoutMs`.
 */
export async function retryWhileLeadersSettle<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await call();
    } catch (error) {
      const retriable =
        error instanceof BrokerUnavailableError || (error as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
