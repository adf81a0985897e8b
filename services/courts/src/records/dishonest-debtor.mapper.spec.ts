import { PerformanceStatus, SubjectKind } from '@cie/contracts';
import { plainToInstance } from 'class-transformer';
import { toDishonestDebtorEvent } from './dishonest-debtor.mapper.js';
import { DishonestDebtorRecordDto } from './dto/dishonest-debtor-record.dto.js';

describe('mapping a court record to the sector event', () => {
  it('normalises the identity number and full-width brackets, and carries the agency as source', () => {
    const dto = plainToInstance(DishonestDebtorRecordDto, {
      sourceRecordId: 'R-1',
      caseNumber: '（2024）沪0115执恢88号',
      court: '上海市浦东新区人民法院',
      debtor: { kind: 'natural_person', idNumber: ' 3101 1519 8001 0100 16 ', name: ' 李四 ' },
      obligation: '支付欠款',
      performanceStatus: 'not_performed',
      decisionDate: '2024-05-06',
    });
    const event = toDishonestDebtorEvent(dto, {
      agencyId: 'court-sh-pudong',
      sector: 'courts',
      name: '上海市浦东新区人民法院',
    });
    expect(event.caseNumber).toBe('(2024)沪0115执恢88号');
    expect(event.debtor).toMatchObject({
      kind: SubjectKind.NATURAL_PERSON,
      idNumber: '310115198001010016',
      name: '李四',
    });
    expect(event.source).toMatchObject({
      sector: 'courts',
      agencyId: 'court-sh-pudong',
      sourceRecordId: 'R-1',
      decisionNumber: '(2024)沪0115执恢88号',
      decisionDate: '2024-05-06',
    });
    expect(event.performanceStatus).toBe(PerformanceStatus.NOT_PERFORMED);
    expect(event.outstandingAmount).toBe('');
  });
});
