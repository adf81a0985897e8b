import { asyncApiChannelOf } from '@cie/contracts';
import { exchangeTopics } from './exchange-topics.js';
import { CONSUMED_TOPICS } from './pipeline/sector-events.consumer.js';

describe('the topics the exchange creates', () => {
  const topics = exchangeTopics(['beijing-platform', 'shanghai-platform']).map((t) => t.topic);

  it('are each described by the AsyncAPI document, feeds included', () => {
    expect(topics.filter((topic) => asyncApiChannelOf(topic) === undefined)).toEqual([]);
    expect(asyncApiChannelOf('credit.feed.shanghai-platform.v1')).toBe('feed');
  });

  it('include every topic its pipeline consumes, with its dead-letter topic', () => {
    for (const consumed of [...CONSUMED_TOPICS, 'credit.feed-acks.v1'])
      expect(topics).toEqual(expect.arrayContaining([consumed, `${consumed}.dlq`]));
  });
});
