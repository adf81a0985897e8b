import 'reflect-metadata';
import { Equals, IsIn } from 'class-validator';
import { create } from '@bufbuild/protobuf';
import { RecordWithdrawalSchema } from '@cie/contracts';
import type { RecordTypeDefinition, SectorDefinition } from '../record-type.js';
import { SectorRecordDto } from '../sector-record.dto.js';
import { buildOpenApi } from './openapi.js';

class SampleDto extends SectorRecordDto {
  @Equals('tax.sample')
  override recordType!: 'tax.sample';

  @IsIn(['A', 'B'])
  grade!: 'A' | 'B';
}

const sample: RecordTypeDefinition<SampleDto, typeof RecordWithdrawalSchema> = {
  recordType: 'tax.sample',
  description: 'A sample',
  dto: SampleDto,
  schema: RecordWithdrawalSchema,
  toEvent: () => create(RecordWithdrawalSchema),
  example: { recordType: 'tax.sample', grade: 'A' },
};
const sector: SectorDefinition = {
  sector: 'tax',
  defaultPort: 3001,
  version: '0.0.0',
  recordTypes: [sample],
};

describe('the OpenAPI document of a sector service', () => {
  const doc = buildOpenApi(sector) as {
    components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
    paths: Record<
      string,
      Record<
        string,
        { requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } }
      >
    >;
  };

  it('documents each record type from the rules that validate it, including the shared fields and the subject', () => {
    const schema = doc.components.schemas['SampleDto'];
    expect(schema?.properties['grade']?.enum).toEqual(['A', 'B']);
    expect(Object.keys(schema?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'sourceRecordId',
        'decisionNumber',
        'decidingAuthority',
        'decisionDate',
        'subject',
      ]),
    );
    expect(doc.components.schemas['SubjectDto']?.properties['idNumber']).toMatchObject({ type: 'string' });
    expect(doc.components.schemas['WithdrawalDto']).toBeDefined();
  });

  it('carries one realistic example per record type on POST /v1/records', () => {
    const examples = doc.paths['/v1/records']?.['post']?.requestBody?.content['application/json']?.examples;
    expect(examples?.['tax.sample']?.value).toEqual(sample.example);
  });
});

describe('the OpenAPI document of the agency inbox', () => {
  const doc = buildOpenApi(sector) as {
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    paths: Record<string, Record<string, unknown>>;
  };

  it('documents the dispute and repair routes, their answers from the rules that validate them', () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/disputes',
        '/v1/disputes/{id}',
        '/v1/disputes/{id}/resolution',
        '/v1/repairs',
        '/v1/repairs/{id}',
        '/v1/repairs/{id}/decision',
      ]),
    );
    expect(Object.keys(doc.components.schemas['DisputeResolutionDto']?.properties ?? {})).toEqual([
      'outcome',
      'note',
    ]);
    expect(Object.keys(doc.components.schemas['RepairDecisionDto']?.properties ?? {})).toEqual([
      'approved',
      'note',
    ]);
  });
});
