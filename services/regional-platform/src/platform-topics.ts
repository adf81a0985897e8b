import { Topics } from '@cie/contracts';
import type { TopicSpec } from '@cie/platform';

/**
 * The topics a subscriber platform uses: its feed (with the feed's dead-letter topic) and the
 * acknowledgements it sends back; a test compares the list with the AsyncAPI document.
 */
export function platformTopics(subscriberId: string): TopicSpec[] {
  const feed = Topics.feed(subscriberId);
  return [{ topic: feed }, { topic: Topics.deadLetters(feed) }, { topic: Topics.feedAcks }];
}
