import { create, toBinary } from '@bufbuild/protobuf';
import {
  CreditEventType,
  DishonestDebtorEventSchema,
  MAX_RECORD_BYTES,
  PerformanceStatus,
  SubjectKind,
  Topics,
} from '@cie/contracts';
import { cloudEventHeaders } from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { decodeSectorEvent, unstorableField } from './sector-event.decoder.js';

const position = { topic: Topics.sectorEvents('courts'), partition: 0, offset: '7' };

/** A court's record event whose obligation is `obligation`, as the courts service publishes it. */
function courtEvent(obligation: string): KafkaMessage {
  const value = Buffer.from(
    toBinary(
      DishonestDebtorEventSchema,
      create(DishonestDebtorEventSchema, {
        source: {
          sector: 'courts',
          agencyId: 'court-bj-chaoyang',
          sourceRecordId: 'bj-1',
          decisionNumber: '(2026)京0105执1号',
          decidingAuthority: '北京市朝阳区人民法院',
          decisionDate: '2026-11-02',
        },
        subject: {
          kind: SubjectKind.LEGAL_ENTITY,
          idNumber: '91320100748204660Q',
          name: '南京某某科技有限公司',
        },
        obligation,
        performanceStatus: PerformanceStatus.NOT_PERFORMED,
        outstandingAmount: '125000.00',
      }),
    ),
  );
  return {
    key: Buffer.from('91320100748204660Q'),
    value,
    headers: cloudEventHeaders({
      id: '0195f0c2-0000-7000-8000-000000000001',
      source: '/sectors/courts/agencies/court-bj-chaoyang',
      type: CreditEventType.published,
      time: new Date('2026-12-02T08:00:00Z'),
      subject: '91320100748204660Q',
      dataschema: DishonestDebtorEventSchema.typeName,
    }),
    timestamp: '0',
    attributes: 0,
    offset: '7',
    size: value.length,
  };
}

describe('decodeSectorEvent', () => {
  it('Given a record event within MAX_RECORD_BYTES, Then it is decoded as a publication', () => {
    const decoded = decodeSectorEvent(position, courtEvent('欠'.repeat(20_000)));

    expect(decoded).toMatchObject({ ok: true, action: 'publish' });
  });

  it('Given a record event of 900 kB (a 300,000-character obligation), Then it is refused too_large, naming the limit', () => {
    const decoded = decodeSectorEvent(position, courtEvent('欠'.repeat(300_000)));

    expect(decoded).toMatchObject({
      ok: false,
      code: 'too_large',
      eventId: '0195f0c2-0000-7000-8000-000000000001',
    });
    expect(!decoded.ok && decoded.reason).toMatch(
      new RegExp(`^payload is 9\\d{5} bytes; a record event may be at most ${MAX_RECORD_BYTES}$`),
    );
  });

  it('Given an event whose ce_id is no UUID, Then it is refused invalid_envelope naming ce_id as the field', () => {
    const message = courtEvent('欠');
    message.headers = { ...message.headers, ce_id: 'not-a-uuid' };

    expect(decodeSectorEvent(position, message)).toMatchObject({
      ok: false,
      code: 'invalid_envelope',
      field: 'ce_id',
    });
  });

  it('Given an event with no ce_time header, Then the field is ce_time', () => {
    const message = courtEvent('欠');
    const { ce_time: _dropped, ...headers } = message.headers!;
    message.headers = headers;

    expect(decodeSectorEvent(position, message)).toMatchObject({
      ok: false,
      code: 'invalid_envelope',
      field: 'ce_time',
      reason: 'invalid envelope: header ce_time is missing',
    });
  });

  it('Given a court event on the tax topic, Then the field is ce_dataschema', () => {
    const decoded = decodeSectorEvent({ ...position, topic: Topics.sectorEvents('tax') }, courtEvent('欠'));

    expect(decoded).toMatchObject({ ok: false, code: 'undecodable', field: 'ce_dataschema' });
  });
});

describe('unstorableField', () => {
  it('Given a NUL deep in a message, Then it names the path of the field', () => {
    expect(unstorableField({ reason: { text: 'a\u0000b' } }, 'dispute')).toEqual({
      field: 'dispute.reason.text',
      reason: 'dispute.reason.text contains a control character',
    });
  });

  it('Given a recordId that is no UUID, Then it names recordId', () => {
    expect(unstorableField({ recordId: 'x' }, 'answer')).toEqual({
      field: 'answer.recordId',
      reason: 'answer.recordId must be a UUID',
    });
  });
});
