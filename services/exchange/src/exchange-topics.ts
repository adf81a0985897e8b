import { SECTORS, Topics } from '@cie/contracts';
import type { TopicSpec } from '@cie/platform';
import { CONSUMED_TOPICS } from './pipeline/sector-events.consumer.js';

/**
 * Every topic the exchange consumes (with its dead-letter topic) or produces to, created before the
 * consumers subscribe; a test compares the list with the AsyncAPI document.
 */
export function exchangeTopics(subscriberIds: readonly string[]): TopicSpec[] {
  return [
    ...CONSUMED_TOPICS.flatMap((topic) => [{ topic }, { topic: Topics.deadLetters(topic) }]),
    ...subscriberIds.map((id) => ({ topic: Topics.feed(id) })),
    ...SECTORS.flatMap((sector) => [{ topic: Topics.outcomes(sector) }, { topic: Topics.requests(sector) }]),
    { topic: Topics.feedAcks },
    { topic: Topics.deadLetters(Topics.feedAcks) },
  ];
}
