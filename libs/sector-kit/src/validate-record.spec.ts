import 'reflect-metadata';
import { sampleSector } from './test-fixtures/sample-sector.js';
import { validateRecord } from './validate-record.js';

describe('validateRecord', () => {
  it('refuses a record without its subject by field name, rather than letting the intake fail on it', () => {
    const record = {
      recordType: 'tax.sample',
      grade: 'A',
      sourceRecordId: 'r-1',
      decisionNumber: '京税稽罚〔2025〕1号',
      decidingAuthority: '国家税务总局北京市税务局',
      decisionDate: '2025-01-02',
    };
    for (const subject of [undefined, null, 'someone']) {
      const checked = validateRecord(sampleSector, subject === undefined ? record : { ...record, subject });
      expect(checked).toMatchObject({ ok: false, status: 422 });
      expect(checked.ok ? [] : checked.problems.map((p) => p.field)).toEqual(['subject']);
    }
  });
});
