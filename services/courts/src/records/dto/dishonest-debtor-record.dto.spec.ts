import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { toFieldProblems } from '@cie/platform';
import { CASE_NUMBER, DishonestDebtorRecordDto } from './dishonest-debtor-record.dto.js';

const valid = {
  sourceRecordId: 'BJCY-2025-0001',
  caseNumber: '(2023)京0105执12345号',
  court: '北京市朝阳区人民法院',
  debtor: { kind: 'natural_person', idNumber: '11010519491231002x', name: '张三' },
  obligation: '支付货款',
  performanceStatus: 'partially_performed',
  outstandingAmount: '0.50',
  decisionDate: '2023-06-01',
};
const problems = (body: object) =>
  toFieldProblems(validateSync(plainToInstance(DishonestDebtorRecordDto, body), { stopAtFirstError: true }));

describe('a dishonest debtor record as a court submits it', () => {
  it('accepts a complete record, checking the resident id after normalisation', () => {
    expect(problems(valid)).toEqual([]);
  });

  it.each(['(2023)京0105执12345号', '（2024）沪0115执恢88号', '(2022)粤03执保1号'])(
    'accepts the case number %s',
    (caseNumber) => {
      expect(CASE_NUMBER.test(caseNumber)).toBe(true);
    },
  );

  it.each(['2023京0105执12345号', '(23)京0105执1号', '(2023)京0105执号', '(2023)京0105执12345'])(
    'refuses the case number %s',
    (caseNumber) => {
      expect(CASE_NUMBER.test(caseNumber)).toBe(false);
    },
  );

  it('refuses amounts as numbers or with more than two decimals, and impossible dates', () => {
    const fields = problems({ ...valid, outstandingAmount: '12.345', decisionDate: '2023-02-30' }).map(
      (p) => p.field,
    );
    expect(fields.sort()).toEqual(['decisionDate', 'outstandingAmount']);
    expect(problems({ ...valid, outstandingAmount: 12 }).map((p) => p.field)).toEqual(['outstandingAmount']);
  });

  it('checks the identity number against the subject kind', () => {
    const asCompany = problems({ ...valid, debtor: { ...valid.debtor, kind: 'legal_entity' } });
    expect(asCompany).toEqual([
      {
        field: 'debtor.idNumber',
        detail: 'idNumber check character is X, expected B (GB 32100) (unified social credit code)',
      },
    ]);
  });
});
