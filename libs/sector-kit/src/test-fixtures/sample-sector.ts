import { create } from '@bufbuild/protobuf';
import { RecordWithdrawalSchema } from '@cie/contracts';
import { Equals, IsIn } from 'class-validator';
import type { RecordTypeDefinition, SectorDefinition } from '../record-type.js';
import { SectorRecordDto } from '../sector-record.dto.js';

/** A record type of one field beside the shared ones, for unit tests of the kit (not built into dist). */
export class SampleDto extends SectorRecordDto {
  @Equals('tax.sample')
  override recordType!: 'tax.sample';

  @IsIn(['A', 'B'])
  grade!: 'A' | 'B';
}

export const sample: RecordTypeDefinition<SampleDto, typeof RecordWithdrawalSchema> = {
  recordType: 'tax.sample',
  description: 'A sample',
  dto: SampleDto,
  schema: RecordWithdrawalSchema,
  toEvent: () => create(RecordWithdrawalSchema),
  example: { recordType: 'tax.sample', grade: 'A' },
};

export const sampleSector: SectorDefinition = {
  sector: 'tax',
  defaultPort: 3001,
  version: '0.0.0',
  recordTypes: [sample],
};
