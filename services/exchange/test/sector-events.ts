import { randomUUID } from 'node:crypto';
import { create, type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import {
  CreditEventType,
  CreditRatingEventSchema,
  DecidingAuthorityKind,
  DishonestDebtorEventSchema,
  MajorViolationEventSchema,
  MajorViolationType,
  PerformanceStatus,
  PlatformAction,
  PlatformViolationEventSchema,
  PlatformViolationType,
  type Sector,
  SubjectKind,
  SupplierMisconductEventSchema,
  SupplierMisconductType,
  type TaxCreditLevel,
  Topics,
  RecordWithdrawalSchema,
  WithdrawalReason,
} from '@cie/contracts';
import { usccCheckCharacter } from '@cie/identifiers';
import { cloudEventHeaders } from '@cie/platform';
import type { Message, Producer } from 'kafkajs';

/**
 * Dates relative to today, so fixtures stay inside their disclosure periods whenever the tests run
 * (the exchange never delivers a record past its disclosureUntil).
 */
export const daysAgo = (days: number): string =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
export const RECENT_DECISION = daysAgo(60);
const addYears = (isoDate: string, years: number, minusDays = 0): string => {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return new Date(d.getTime() - minusDays * 86_400_000).toISOString().slice(0, 10);
};
/** A two-year procurement ban starting on RECENT_DECISION (its last day). */
export const RECENT_BAN_UNTIL = addYears(RECENT_DECISION, 2, 1);
/** The tax credit rating year the fixtures use: last year's, disclosed until the end of this year. */
export const RATING_YEAR = String(new Date().getUTCFullYear() - 1);

export interface DebtorFixture {
  sourceRecordId: string;
  kind: SubjectKind;
  idNumber: string;
  name: string;
  agencyId?: string;
  /** Defaults to 60 days ago. */
  decisionDate?: string;
  /** Defaults to 98000.50. */
  outstandingAmount?: string;
  /** `credit.record.published` unless a correction is meant. */
  eventType?: string;
}

/** Publishes a dishonest-debtor event exactly as the courts service does (protobuf + CloudEvents headers). */
export async function publishDebtor(
  producer: Producer,
  debtor: DebtorFixture,
  eventId: string = randomUUID(),
): Promise<string> {
  const agencyId = debtor.agencyId ?? 'court-bj-chaoyang';
  const event = create(DishonestDebtorEventSchema, {
    source: {
      sector: 'courts',
      agencyId,
      sourceRecordId: debtor.sourceRecordId,
      decisionNumber: '(2024)京0105执777号',
      decidingAuthority: '北京市朝阳区人民法院',
      decisionDate: debtor.decisionDate ?? RECENT_DECISION,
    },
    subject: { kind: debtor.kind, idNumber: debtor.idNumber, name: debtor.name },
    obligation: '支付工程款',
    performanceStatus: PerformanceStatus.NOT_PERFORMED,
    outstandingAmount: debtor.outstandingAmount ?? '98000.50',
  });
  await producer.send({
    topic: Topics.sectorEvents('courts'),
    acks: -1,
    messages: [
      {
        key: debtor.idNumber,
        value: Buffer.from(toBinary(DishonestDebtorEventSchema, event)),
        headers: cloudEventHeaders({
          id: eventId,
          source: `/sectors/courts/agencies/${agencyId}`,
          type: debtor.eventType ?? CreditEventType.published,
          time: new Date(),
          subject: debtor.idNumber,
          dataschema: DishonestDebtorEventSchema.typeName,
        }),
      },
    ],
  });
  return eventId;
}

/** Publishes any sector event as its sector service does, on its sector topic. */
export async function publishSectorEvent<S extends DescMessage>(
  producer: Producer,
  sector: Sector,
  schema: S,
  event: MessageShape<S>,
  subject: { idNumber: string; agencyId: string },
  eventId: string = randomUUID(),
  type: string = CreditEventType.published,
): Promise<string> {
  await producer.send({
    topic: Topics.sectorEvents(sector),
    acks: -1,
    messages: [sectorEventMessage(sector, schema, event, subject, eventId, type)],
  });
  return eventId;
}

/** A sector event as its sector service writes it (several go in one send to land in one batch). */
export function sectorEventMessage<S extends DescMessage>(
  sector: Sector,
  schema: S,
  event: MessageShape<S>,
  subject: { idNumber: string; agencyId: string },
  eventId: string = randomUUID(),
  type: string = CreditEventType.published,
): Message {
  return {
    key: subject.idNumber,
    value: Buffer.from(toBinary(schema, event)),
    headers: cloudEventHeaders({
      id: eventId,
      source: `/sectors/${sector}/agencies/${subject.agencyId}`,
      type,
      time: new Date(),
      subject: subject.idNumber,
      dataschema: schema.typeName,
    }),
  };
}

/** An organisation in the other sectors' fixtures. */
export interface OrganisationFixture {
  sourceRecordId: string;
  uscc: string;
  name: string;
}

const source = (
  sector: Sector,
  agencyId: string,
  sourceRecordId: string,
  decisionNumber: string,
  authority: string,
) => ({
  sector,
  agencyId,
  sourceRecordId,
  decisionNumber,
  decidingAuthority: authority,
  decisionDate: RECENT_DECISION,
});
const organisation = (o: OrganisationFixture) => ({
  kind: SubjectKind.LEGAL_ENTITY,
  idNumber: o.uscc,
  name: o.name,
});

export async function publishMajorViolation(producer: Producer, o: OrganisationFixture): Promise<string> {
  const agencyId = 'tax-bj-jicha1';
  const event = create(MajorViolationEventSchema, {
    source: source(
      'tax',
      agencyId,
      o.sourceRecordId,
      '京税稽罚〔2025〕118号',
      '国家税务总局北京市税务局第一稽查局',
    ),
    subject: organisation(o),
    violationType: MajorViolationType.TAX_EVASION,
    facts: '通过在账簿上少列收入、虚增成本的手段，少缴增值税、企业所得税等税款合计1863427.15元',
    taxAmountInvolved: '1863427.15',
    penaltyAmount: '931713.58',
    violationPeriodFrom: '2021-01-01',
    violationPeriodTo: '2023-12-31',
    legalRepresentative: '刘志强',
  });
  return publishSectorEvent(producer, 'tax', MajorViolationEventSchema, event, {
    idNumber: o.uscc,
    agencyId,
  });
}

export async function publishCreditRating(
  producer: Producer,
  o: OrganisationFixture,
  rating: TaxCreditLevel,
): Promise<string> {
  const agencyId = 'tax-sh-pudong';
  const event = create(CreditRatingEventSchema, {
    source: source(
      'tax',
      agencyId,
      o.sourceRecordId,
      '沪浦税信评〔2025〕3号',
      '国家税务总局上海市浦东新区税务局',
    ),
    subject: organisation(o),
    rating,
    // Last year's rating is disclosed until the end of this year.
    evaluationYear: RATING_YEAR,
  });
  return publishSectorEvent(producer, 'tax', CreditRatingEventSchema, event, { idNumber: o.uscc, agencyId });
}

export async function publishSupplierMisconduct(producer: Producer, o: OrganisationFixture): Promise<string> {
  const agencyId = 'finance-bj-haidian';
  const event = create(SupplierMisconductEventSchema, {
    source: source('procurement', agencyId, o.sourceRecordId, '海财采监〔2025〕12号', '北京市海淀区财政局'),
    subject: organisation(o),
    misconduct: SupplierMisconductType.FALSE_MATERIALS,
    facts: '投标中提供虚假的类似项目业绩合同，谋取中标',
    fineAmount: '18600.00',
    banFrom: RECENT_DECISION,
    banUntil: RECENT_BAN_UNTIL,
    project: { number: 'HDCG2024-0112', name: '海淀区中小学智慧教室设备采购项目' },
    purchaser: { name: '北京市海淀区教育委员会' },
  });
  return publishSectorEvent(producer, 'procurement', SupplierMisconductEventSchema, event, {
    idNumber: o.uscc,
    agencyId,
  });
}

export async function publishPlatformViolation(producer: Producer, o: OrganisationFixture): Promise<string> {
  const agencyId = 'amr-sh-xuhui';
  const event = create(PlatformViolationEventSchema, {
    source: source(
      'ecommerce',
      agencyId,
      o.sourceRecordId,
      '沪市监徐处〔2025〕87号',
      '上海市徐汇区市场监督管理局',
    ),
    subject: organisation(o),
    violation: PlatformViolationType.FAKE_REVIEWS,
    facts: '通过组织虚假交易（刷单）为其店铺商品制造好评3126条，欺骗、误导消费者',
    authorityKind: DecidingAuthorityKind.MARKET_REGULATOR,
    platform: { id: 'tmall', name: '天猫' },
    shop: { id: '68420193', name: '优品汇家居旗舰店' },
    actionsTaken: [PlatformAction.FINE, PlatformAction.LISTING_REMOVAL],
    fineAmount: '200000.00',
  });
  return publishSectorEvent(producer, 'ecommerce', PlatformViolationEventSchema, event, {
    idNumber: o.uscc,
    agencyId,
  });
}

/** Publishes a withdrawal of a courts record, as the courts service does. */
export async function publishWithdrawal(
  producer: Producer,
  debtor: DebtorFixture,
  eventId: string = randomUUID(),
): Promise<string> {
  const agencyId = debtor.agencyId ?? 'court-bj-chaoyang';
  const withdrawal = create(RecordWithdrawalSchema, {
    source: { sector: 'courts', agencyId, sourceRecordId: debtor.sourceRecordId },
    recordType: 'courts.dishonest_debtor',
    reason: WithdrawalReason.OBLIGATION_FULFILLED,
    withdrawnOn: daysAgo(0),
  });
  await producer.send({
    topic: Topics.sectorEvents('courts'),
    acks: -1,
    messages: [
      {
        key: debtor.idNumber,
        value: Buffer.from(toBinary(RecordWithdrawalSchema, withdrawal)),
        headers: cloudEventHeaders({
          id: eventId,
          source: `/sectors/courts/agencies/${agencyId}`,
          type: CreditEventType.withdrawn,
          time: new Date(),
          subject: debtor.idNumber,
          dataschema: RecordWithdrawalSchema.typeName,
        }),
      },
    ],
  });
  return eventId;
}

/**
 * A valid USCC (GB 32100) registered in `region`, distinct for each test run (`run` seeds the
 * organisation code) and each `serial` within it.
 */
export function testUscc(region: string, run: string, serial: number): string {
  const seed = String(parseInt(run.replace(/[^0-9a-f]/gi, '').slice(0, 6) || '0', 16) % 1_000_000).padStart(
    6,
    '0',
  );
  const first17 = `91${region}${seed}${String(serial).padStart(3, '0')}`;
  return first17 + usccCheckCharacter(first17);
}
