import { asyncApiChannelOf, SECTORS } from '@cie/contracts';
import { sectorTopics } from './sector-topics.js';

describe('the topics a sector service creates', () => {
  it.each(SECTORS)('are each described by the AsyncAPI document (%s)', (sector) => {
    const undescribed = sectorTopics(sector)
      .map((t) => t.topic)
      .filter((topic) => asyncApiChannelOf(topic) === undefined);
    expect(undescribed).toEqual([]);
  });

  it('include the topics its consumers read, each with its dead-letter topic', () => {
    const topics = sectorTopics('courts').map((t) => t.topic);
    for (const consumed of [
      'agency.courts.submissions.v1',
      'credit.courts.outcomes.v1',
      'credit.courts.requests.v1',
    ])
      expect(topics).toEqual(expect.arrayContaining([consumed, `${consumed}.dlq`]));
  });
});
