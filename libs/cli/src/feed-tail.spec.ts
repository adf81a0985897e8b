import { create, toBinary } from '@bufbuild/protobuf';
import { AgencyRequestType, CeHeader, MeasureTaskSchema, TaskKind } from '@cie/contracts';
import type { KafkaMessage } from 'kafkajs';
import { feedLine } from './feed-tail.js';

describe('cie feed tail lines', () => {
  it('Given a measure task on the feed, When printed, Then it is decoded as a MeasureTask under "task"', () => {
    const task = create(MeasureTaskSchema, {
      taskId: 'task-1',
      kind: TaskKind.LIFT,
      implementerId: 'beijing-platform',
    });
    const message = {
      key: Buffer.from('91320100748204660Q'),
      value: Buffer.from(toBinary(MeasureTaskSchema, task)),
      offset: '7',
      headers: {
        [CeHeader.type]: Buffer.from(AgencyRequestType.measureTask),
        [CeHeader.id]: Buffer.from('ev-1'),
      },
    } as unknown as KafkaMessage;
    expect(JSON.parse(feedLine(0, message))).toEqual({
      partition: 0,
      offset: '7',
      key: '91320100748204660Q',
      type: AgencyRequestType.measureTask,
      id: 'ev-1',
      time: null,
      task: { taskId: 'task-1', kind: 'TASK_KIND_LIFT', implementerId: 'beijing-platform' },
    });
  });
});
