import { randomUUID } from 'node:crypto';
import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AgencyRequestType, type MeasureTask, MeasureTaskSchema, TaskKind } from '@cie/contracts';
import { RefusalError } from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { measureTaskRow } from './measure-task.decoder.js';

const now = new Date('2026-01-05T02:00:00Z');
const context = {
  id: randomUUID(),
  source: '/exchange',
  type: AgencyRequestType.measureTask,
  time: now,
  subject: 'procurement-bj',
  dataschema: MeasureTaskSchema.typeName,
};
const task = (fields: MessageInitShape<typeof MeasureTaskSchema> = {}) =>
  create(MeasureTaskSchema, {
    taskId: randomUUID(),
    kind: TaskKind.APPLY,
    entryId: randomUUID(),
    measureId: 'procurement.no_bids',
    implementerId: 'procurement-bj',
    subjectId: '91110105MA01ABCD2X',
    scenarios: ['procurement_bid'],
    dueBy: '2026-01-12',
    issuedAt: timestampFromDate(now),
    ...fields,
  });
const message = (t: MeasureTask) => ({ value: Buffer.from(toBinary(MeasureTaskSchema, t)) }) as KafkaMessage;
const refusalOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof RefusalError) return error.refusal;
    throw error;
  }
  return undefined;
};

describe('a measure task off the requests topic', () => {
  it('Given an apply task, When it is read, Then the inbox row is for its implementer, delivered', () => {
    const t = task();
    expect(measureTaskRow(message(t), context, now)).toMatchObject({
      task_id: t.taskId,
      kind: 'apply',
      lifts_task_id: null,
      agency_id: 'procurement-bj',
      scenarios: ['procurement_bid'],
      due_by: '2026-01-12',
      applies_until: null,
      state: 'delivered',
      event_id: context.id,
    });
  });

  it.each([
    ['kind', { kind: TaskKind.UNSPECIFIED }],
    ['task_id', { taskId: 'task-1' }],
    ['lifts_task_id', { kind: TaskKind.LIFT, liftsTaskId: '' }],
    ['implementer_id', { implementerId: '' }],
    ['due_by', { dueBy: '12/01/2026' }],
    ['measure_text', { measureText: 'a\u0000b' }],
    ['scenarios', { scenarios: ['bid\u0001'] }],
  ] as const)(
    'Given a task with a bad %s, When it is read, Then it is refused naming the field',
    (field, fields) => {
      expect(refusalOf(() => measureTaskRow(message(task(fields)), context, now))).toMatchObject({
        code: 'invalid_field',
        field,
      });
    },
  );

  it('Given a message that is not a MeasureTask, When it is read, Then it is undecodable', () => {
    expect(
      refusalOf(() =>
        measureTaskRow(message(task()), { ...context, dataschema: 'cie.credit.v1.Other' }, now),
      ),
    ).toMatchObject({ code: 'undecodable' });
  });
});
