import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  CE_SPEC_VERSION,
  CeHeader,
  type CreditEventType,
  DisclosureLevel,
  FeedEventSchema,
  MeasureTaskSchema,
  Polarity,
  PROTOBUF_CONTENT_TYPE,
  RecordStatus,
  Severity,
  SubjectKind,
  TaskKind,
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

export interface TaskSpec {
  subscriber: string;
  subjectId: string;
  taskId?: string;
  kind?: TaskKind;
  dueBy?: string;
}

/** A measure task as the exchange sends it on a subscriber's feed: MeasureTask, CloudEvents, keyed by subject. */
export function taskMessage(spec: TaskSpec): FeedMessage & { taskId: string } {
  const taskId = spec.taskId ?? randomUUID();
  const eventId = randomUUID();
  const now = new Date();
  const task = create(MeasureTaskSchema, {
    taskId,
    kind: spec.kind ?? TaskKind.APPLY,
    entryId: randomUUID(),
    listType: 'courts.dishonest_debtors',
    listColour: 'black',
    memorandumId: 'dishonest-debtors-2016',
    documentNumber: '发改财金〔2016〕141号',
    measureId: 'dishonest-debtors-2016.subsidy',
    measureText: '限制申请政府补贴性资金和社会保障资金支持',
    legalBasis: '《最高人民法院关于公布失信被执行人名单信息的若干规定》',
    mode: 'mandatory',
    scenarios: ['subsidy'],
    targets: ['entity'],
    subjectKind: 'legal_entity',
    subjectId: spec.subjectId,
    subjectName: '南京某某科技有限公司',
    recordId: randomUUID(),
    implementerId: spec.subscriber,
    listedAt: timestampFromDate(now),
    appliesUntil: '2027-06-01',
    dueBy: spec.dueBy ?? '2099-12-31',
    issuedAt: timestampFromDate(now),
  });
  return {
    taskId,
    key: spec.subjectId,
    value: Buffer.from(toBinary(MeasureTaskSchema, task)),
    headers: {
      [CeHeader.specversion]: CE_SPEC_VERSION,
      [CeHeader.id]: eventId,
      [CeHeader.source]: '/exchange',
      [CeHeader.type]: AgencyRequestType.measureTask,
      [CeHeader.time]: now.toISOString(),
      [CeHeader.subject]: spec.subjectId,
      [CeHeader.dataschema]: MeasureTaskSchema.typeName,
      [CeHeader.contentType]: PROTOBUF_CONTENT_TYPE,
    },
  };
}
