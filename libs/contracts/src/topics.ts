/** Kafka topic names: the single place they are spelled out. */
export const SECTORS = ['tax', 'procurement', 'courts', 'ecommerce'] as const;
export type Sector = (typeof SECTORS)[number];

/**
 * The per-sector and per-subscriber topic names with their parameter left as a placeholder: what
 * consumers declare with `@EventPattern` (the consumer transport fills `{sector}` / `{subscriber}` in),
 * and the one spelling `Topics` builds the concrete names from.
 */
export const TopicPatterns = {
  agencySubmissions: 'agency.{sector}.submissions.v1',
  agencyReceipts: 'agency.{sector}.receipts.v1',
  sectorEvents: 'credit.{sector}.events.v1',
  feed: 'credit.feed.{subscriber}.v1',
  outcomes: 'credit.{sector}.outcomes.v1',
  requests: 'credit.{sector}.requests.v1',
} as const;

const ofSector = (pattern: string) => (sector: Sector) => pattern.replace('{sector}', sector);

export const Topics = {
  /** JSON records an agency submits over Kafka instead of HTTP, agency → sector service. */
  agencySubmissions: ofSector(TopicPatterns.agencySubmissions),
  /** A SubmissionReceipt for each submission, sector service → agency. */
  agencyReceipts: ofSector(TopicPatterns.agencyReceipts),
  sectorEvents: ofSector(TopicPatterns.sectorEvents),
  feed: (subscriberId: string) => TopicPatterns.feed.replace('{subscriber}', subscriberId),
  /** The exchange's outcome for each sector event, back to the sector service. */
  outcomes: ofSector(TopicPatterns.outcomes),
  /** Disputes and repair requests for the owning agency, exchange → sector service. */
  requests: ofSector(TopicPatterns.requests),
  /** The exchange's own lifecycle commands (disputes, repair requests, expiry), exchange → exchange. */
  exchangeCommands: 'credit.exchange.commands.v1',
  deadLetters: (topic: string) => `${topic}.dlq`,
  feedAcks: 'credit.feed-acks.v1',
} as const;

export function isSector(value: string): value is Sector {
  return (SECTORS as readonly string[]).includes(value);
}
