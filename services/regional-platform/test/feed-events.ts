import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CE_SPEC_VERSION,
  CeHeader,
  type CreditEventType,
  DisclosureLevel,
  FeedEventSchema,
  Polarity,
  PROTOBUF_CONTENT_TYPE,
  RecordStatus,
  Severity,
  SubjectKind,
} from '@cie/contracts';

export interface FeedMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface FeedEventSpec {
  subscriber: string;
  type: CreditEventType;
  recordId: string;
  version: number;
  subjectId: string;
  eventId?: string;
  reason?: string;
  dispute?: { disputeId: string; status: 'open' | 'resolved'; outcome?: string };
  attributes?: Record<string, string>;
}

/** A feed message as the exchange publishes it: protobuf FeedEvent, CloudEvents headers, keyed by subject. */
export function feedMessage(spec: FeedEventSpec): FeedMessage {
  const eventId = spec.eventId ?? randomUUID();
  const now = new Date();
  const event = create(FeedEventSchema, {
    eventId,
    type: spec.type,
    subscriber: spec.subscriber,
    occurredAt: timestampFromDate(now),
    reason: spec.reason ?? '',
    ...(spec.dispute
      ? {
          dispute: {
            disputeId: spec.dispute.disputeId,
            status: spec.dispute.status,
            outcome: spec.dispute.outcome ?? '',
            filedAt: timestampFromDate(now),
          },
        }
      : {}),
    record: {
      recordId: spec.recordId,
      version: spec.version,
      kind: 'courts.dishonest_debtor',
      category: 'judicial_enforcement',
      polarity: Polarity.NEGATIVE,
      severity: Severity.SERIOUS,
      status: RecordStatus.ACTIVE,
      source: {
        sector: 'courts',
        agencyId: 'court-bj-chaoyang',
        sourceRecordId: `BJCY-${spec.recordId.slice(0, 8)}`,
        decisionNumber: '(2025)京0105执4401号',
        decidingAuthority: '北京市朝阳区人民法院',
        decisionDate: '2025-06-01',
      },
      subject: {
        kind: SubjectKind.LEGAL_ENTITY,
        canonicalId: spec.subjectId,
        name: '南京某某科技有限公司',
        regionCode: '320100',
      },
      disclosure: {
        level: DisclosureLevel.PUBLIC,
        effectiveFrom: '2025-06-01',
        disclosureUntil: '2027-06-01',
        legalBasis: '最高人民法院关于公布失信被执行人名单信息的若干规定',
      },
      attributes: spec.attributes ?? { outstandingAmount: '125000.00' },
      recordedAt: timestampFromDate(now),
    },
  });
  return {
    key: spec.subjectId,
    value: Buffer.from(toBinary(FeedEventSchema, event)),
    headers: {
      [CeHeader.specversion]: CE_SPEC_VERSION,
      [CeHeader.id]: eventId,
      [CeHeader.source]: '/exchange',
      [CeHeader.type]: spec.type,
      [CeHeader.time]: now.toISOString(),
      [CeHeader.subject]: spec.subjectId,
      [CeHeader.dataschema]: FeedEventSchema.typeName,
      [CeHeader.contentType]: PROTOBUF_CONTENT_TYPE,
    },
  };
}

/** A distinct subject id per test (USCC-shaped; the platform does not check it). */
export function newSubjectId(): string {
  return `9111${randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase()}`;
}
