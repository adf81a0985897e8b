import { RequestException } from '@cie/platform';
import { WithdrawalDto } from '../intake/withdrawal.dto.js';
import { DisputeResolutionDto, RepairDecisionDto } from './agency-answers.dto.js';
import { sectorValidationPipe, sourceRecordIdParam } from './edge-validation.js';

const fieldsRefused = async (metatype: new () => object, body: unknown): Promise<string[]> => {
  try {
    await sectorValidationPipe().transform(body, { type: 'body', metatype });
    return [];
  } catch (error) {
    if (!(error instanceof RequestException)) throw error;
    return error.fieldProblems.map((p) => p.field);
  }
};

describe('DTO bodies at the sector edge', () => {
  it('given a dispute resolution with NUL in its note, when validated, then `note` is named', async () => {
    expect(await fieldsRefused(DisputeResolutionDto, { outcome: 'upheld', note: 'a\u0000b' })).toEqual([
      'note',
    ]);
  });

  it('given a repair decision and a withdrawal with control characters, when validated, then the fields are named', async () => {
    expect(await fieldsRefused(RepairDecisionDto, { approved: true, note: '同意\u001b' })).toEqual(['note']);
    expect(
      await fieldsRefused(WithdrawalDto, { reason: 'other', note: 'x\u0085', withdrawnOn: '2025-10-01' }),
    ).toEqual(['note']);
  });

  it('given a multi-line note, when validated, then it is accepted', async () => {
    expect(
      await fieldsRefused(DisputeResolutionDto, { outcome: 'upheld', note: '第一\r\n第二\t完' }),
    ).toEqual([]);
  });

  it('given a 20,000-deep body, when validated, then a field problem comes back instead of a stack overflow', async () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    expect(await fieldsRefused(DisputeResolutionDto, { outcome: 'upheld', note: deep })).toEqual([
      `note${'[0]'.repeat(8)}`,
    ]);
  });

  it('given a record body (typed unknown), when validated, then it is left to the intake record by record', async () => {
    const body = [{ note: 'a\u0000b' }];
    await expect(sectorValidationPipe().transform(body, { type: 'body', metatype: Object })).resolves.toBe(
      body,
    );
  });
});

describe('the sourceRecordId path parameter', () => {
  const metadata = { type: 'param' as const, data: 'sourceRecordId' };

  it('given an id as records have them, when checked, then it passes', () => {
    expect(sourceRecordIdParam.transform('BJCY-2025:0417_a', metadata)).toBe('BJCY-2025:0417_a');
  });

  it('given a NUL in it, when checked, then a 422 problem names it before any query', () => {
    expect(() => sourceRecordIdParam.transform('a\u0000b', metadata)).toThrow(RequestException);
  });
});
