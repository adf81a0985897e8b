import 'reflect-metadata';
import { sample, sampleSector as sector } from '../test-fixtures/sample-sector.js';
import { buildOpenApi } from './openapi.js';

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
