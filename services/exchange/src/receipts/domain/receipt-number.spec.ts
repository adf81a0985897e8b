import { receiptKindOf, receiptNumber } from './receipt-number.js';

describe('receipt numbers', () => {
  it('Given a sequence value and the China date, When numbered, Then CHK-YYYYMMDD-nnnnnn', () => {
    expect(receiptNumber('check', '2026-12-02', 42n)).toBe('CHK-20261202-000042');
    expect(receiptNumber('report', '2026-12-02', '1234567')).toBe('RPT-20261202-1234567');
  });

  it('Given a number, When read, Then its kind, or nothing for what is not a number', () => {
    expect(receiptKindOf('CHK-20261202-000042')).toBe('check');
    expect(receiptKindOf('RPT-20261202-000001')).toBe('report');
    expect(receiptKindOf('CHK-2026-1')).toBeUndefined();
  });
});
