import { type Sector, Topics } from '@cie/contracts';
import type { TopicSpec } from '@cie/platform';

const SECTOR_TOPIC_PARTITIONS = 3;

/**
 * Every topic a sector service produces to or consumes from, with the dead-letter topics of the
 * ones it consumes: created at start, and compared with the AsyncAPI document by a test.
 */
export function sectorTopics(sector: Sector): TopicSpec[] {
  return [
    { topic: Topics.sectorEvents(sector), numPartitions: SECTOR_TOPIC_PARTITIONS },
    { topic: Topics.agencySubmissions(sector) },
    { topic: Topics.deadLetters(Topics.agencySubmissions(sector)) },
    { topic: Topics.agencyReceipts(sector) },
    { topic: Topics.outcomes(sector) },
    { topic: Topics.deadLetters(Topics.outcomes(sector)) },
    { topic: Topics.requests(sector) },
    { topic: Topics.deadLetters(Topics.requests(sector)) },
  ];
}
