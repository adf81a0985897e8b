import { asyncApiChannelOf } from '@cie/contracts';
import { platformTopics } from './platform-topics.js';

describe('the topics the reference platform creates', () => {
  it('are each described by the AsyncAPI document: its feed, the feed dead letters, the acks', () => {
    const topics = platformTopics('beijing-platform').map((t) => t.topic);
    expect(topics.map((topic) => asyncApiChannelOf(topic))).toEqual(['feed', 'feed.dlq', 'feed-acks']);
  });
});
