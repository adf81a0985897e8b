import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  CreditEventType,
  DishonestDebtorEventSchema,
  PerformanceStatus,
  type SubjectKind,
  Topics,
} from '@cie/contracts';
import { cloudEventHeaders } from '@cie/platform';
import type { Producer } from 'kafkajs';

export interface DebtorFixture {
  sourceRecordId: string;
  kind: SubjectKind;
  idNumber: string;
  name: string;
  agencyId?: string;
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
      decisionDate: '2024-03-15',
    },
    subject: { kind: debtor.kind, idNumber: debtor.idNumber, name: debtor.name },
    obligation: '支付工程款',
    performanceStatus: PerformanceStatus.NOT_PERFORMED,
    outstandingAmount: '98000.50',
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
          type: CreditEventType.published,
          time: new Date(),
          subject: debtor.idNumber,
          dataschema: DishonestDebtorEventSchema.typeName,
        }),
      },
    ],
  });
  return eventId;
}
