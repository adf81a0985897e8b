import 'reflect-metadata';
import { Equals } from 'class-validator';
import { create } from '@bufbuild/protobuf';
import { RecordWithdrawalSchema } from '@cie/contracts';
import type { RecordTypeDefinition, SectorDefinition } from './record-type.js';
import { SectorRecordDto } from './sector-record.dto.js';
import { validateRecord } from './validate-record.js';

class SampleDto extends SectorRecordDto {
  @Equals('courts.sample')
  override recordType!: 'courts.sample';
}

const sample: RecordTypeDefinition<SampleDto, typeof RecordWithdrawalSchema> = {
  recordType: 'courts.sample',
  description: 'A sample',
  dto: SampleDto,
  schema: RecordWithdrawalSchema,
  toEvent: () => create(RecordWithdrawalSchema),
  example: {},
};
const sector: SectorDefinition = {
  sector: 'courts',
  defaultPort: 3003,
  version: '0.0.0',
  recordTypes: [sample],
};

describe('validateRecord', () => {
  it('refuses a record without its subject by field name, rather than letting the intake fail on it', () => {
    const record = {
      recordType: 'courts.sample',
      sourceRecordId: 'r-1',
      decisionNumber: '(2025)京0105执1号',
      decidingAuthority: '北京市朝阳区人民法院',
      decisionDate: '2025-01-02',
    };
    for (const subject of [undefined, null, 'someone']) {
      const checked = validateRecord(sector, subject === undefined ? record : { ...record, subject });
      expect(checked).toMatchObject({ ok: false, status: 422 });
      expect(checked.ok ? [] : checked.problems.map((p) => p.field)).toEqual(['subject']);
    }
  });
});
