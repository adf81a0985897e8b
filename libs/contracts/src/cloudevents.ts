/**
 * CloudEvents 1.0 over Kafka, binary content mode: the value is the bare protobuf message and the
 * context travels in headers (see proto/cie/common/v1/common.proto for the convention).
 */
export const CE_SPEC_VERSION = '1.0';
export const PROTOBUF_CONTENT_TYPE = 'application/protobuf';

export const CeHeader = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  subject: 'ce_subject',
  dataschema: 'ce_dataschema',
  contentType: 'content-type',
  traceparent: 'traceparent',
} as const;

/**
 * A feed message sent again by a resync (POST /v1/subscribers/{id}/resync): the header holds the
 * resync's id. Same ce_id, ce_type and payload as the delivery it repeats, so a reader that has it
 * already drops it as a duplicate.
 */
export const FEED_RESYNC_HEADER = 'ce_resync';

export const CreditEventType = {
  published: 'credit.record.published',
  corrected: 'credit.record.corrected',
  withdrawn: 'credit.record.withdrawn',
  disputed: 'credit.record.disputed',
  disputeResolved: 'credit.record.dispute_resolved',
  expired: 'credit.record.expired',
  repaired: 'credit.record.repaired',
} as const;
export type CreditEventType = (typeof CreditEventType)[keyof typeof CreditEventType];

const CREDIT_EVENT_TYPES: readonly string[] = Object.values(CreditEventType);
/**
 * Whether a feed message carries a record event (a FeedEvent). A feed also carries the measure tasks
 * of its subscriber (`credit.measure.task`, a MeasureTask): readers dispatch on ce_type.
 */
export const isCreditEventType = (type: string | undefined): type is CreditEventType =>
  type !== undefined && CREDIT_EVENT_TYPES.includes(type);

/** Feed events a subscriber acknowledges on credit.feed-acks.v1 once it has deleted the record. */
export const DELETION_EVENT_TYPES: readonly CreditEventType[] = [
  CreditEventType.withdrawn,
  CreditEventType.expired,
  CreditEventType.repaired,
];

/** ce_type of what the exchange asks an owning agency, and of the agency's answers on its events topic. */
export const AgencyRequestType = {
  disputeFiled: 'credit.dispute.filed',
  repairRequested: 'credit.repair.requested',
  disputeResolved: 'credit.dispute.resolved',
  repairDecided: 'credit.repair.decided',
  /** An exchange command: a record's disclosure period ended. */
  expiryDue: 'credit.record.expiry_due',
  /** An exchange command: a new version of the subscriber policy was recorded. */
  policyChanged: 'credit.policy.changed',
  /** A task for an implementing agency (DESIGN §13): apply or lift a measure. */
  measureTask: 'credit.measure.task',
  /** An implementing agency's answer to a task: on its sector's events topic, or an exchange command. */
  taskAnswered: 'credit.measure.task_answered',
} as const;
/** ce_type of the acknowledgements subscribers send on credit.feed-acks.v1. */
export const FEED_ACK_TYPE = 'credit.feed.ack';

/** The context of one event, as carried in the headers. */
export interface CloudEventContext {
  id: string;
  source: string;
  type: string;
  time: Date;
  subject: string;
  /** Fully qualified protobuf message name of the value. */
  dataschema: string;
  traceparent?: string;
}
