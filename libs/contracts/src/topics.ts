/** Kafka topic names: the single place they are spelled out. */
export const SECTORS = ['tax', 'procurement', 'courts', 'ecommerce'] as const;
export type Sector = (typeof SECTORS)[number];

export const Topics = {
  /** JSON records an agency submits over Kafka instead of HTTP, agency → sector service. */
  agencySubmissions: (sector: Sector) => `agency.${sector}.submissions.v1`,
  /** A SubmissionReceipt for each submission, sector service → agency. */
  agencyReceipts: (sector: Sector) => `agency.${sector}.receipts.v1`,
  sectorEvents: (sector: Sector) => `credit.${sector}.events.v1`,
  feed: (subscriberId: string) => `credit.feed.${subscriberId}.v1`,
  /** The exchange's outcome for each sector event, back to the sector service. */
  outcomes: (sector: Sector) => `credit.${sector}.outcomes.v1`,
  /** Disputes and repair requests for the owning agency, exchange → sector service. */
  requests: (sector: Sector) => `credit.${sector}.requests.v1`,
  /** The exchange's own lifecycle commands (disputes, repair requests, expiry), exchange → exchange. */
  exchangeCommands: 'credit.exchange.commands.v1',
  deadLetters: (topic: string) => `${topic}.dlq`,
  feedAcks: 'credit.feed-acks.v1',
} as const;

export function isSector(value: string): value is Sector {
  return (SECTORS as readonly string[]).includes(value);
}
