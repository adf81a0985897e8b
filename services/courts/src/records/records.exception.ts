import { CodedException } from '@cie/platform';

export enum RecordsErrorCode {
  DECISION_DATE_IN_FUTURE = 'DECISION_DATE_IN_FUTURE',
  BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE',
}

export const RECORDS_ERROR_STATUS: Record<RecordsErrorCode, number> = {
  [RecordsErrorCode.DECISION_DATE_IN_FUTURE]: 422,
  [RecordsErrorCode.BROKER_UNAVAILABLE]: 503,
};

export class RecordsException extends CodedException<RecordsErrorCode> {
  override readonly name = 'RecordsException';
  constructor(code: RecordsErrorCode, message: string, field?: string) {
    super(code, message, field ? [{ field, detail: message }] : []);
  }
}
