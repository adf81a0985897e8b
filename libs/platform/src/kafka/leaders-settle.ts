import { BrokerUnavailableError } from './event-publisher.js';

/**
 * A broker that has just created the topics answers "not the leader" (or does not acknowledge) for a
 * few seconds, and a cluster's coordinators move while it elects leaders ("not the correct
 * coordinator"): asking again is right, giving up stops a service at start on a fresh cluster. Retries
 * `call` on a retriable kafkajs error (also once kafkajs' own retries are used up) or a
 * BrokerUnavailableError, backing off to 2 s, for `timeoutMs`.
 */
export async function retryWhileLeadersSettle<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await call();
    } catch (error) {
      if (!settling(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function settling(error: unknown, depth = 0): boolean {
  if (depth > 6 || typeof error !== 'object' || error === null) return false;
  if (error instanceof BrokerUnavailableError) return true;
  const { retriable, name, cause } = error as { retriable?: unknown; name?: unknown; cause?: unknown };
  if (retriable === true) return true;
  return name === 'KafkaJSNumberOfRetriesExceeded' && settling(cause, depth + 1);
}
