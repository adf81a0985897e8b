import { CodedException } from '@cie/platform';

export enum ReceiptErrorCode {
  RECEIPT_NOT_FOUND = 'RECEIPT_NOT_FOUND',
}
export const RECEIPT_ERROR_STATUS: Record<ReceiptErrorCode, number> = {
  [ReceiptErrorCode.RECEIPT_NOT_FOUND]: 404,
};
export class ReceiptException extends CodedException<ReceiptErrorCode> {
  override readonly name = 'ReceiptException';
  constructor(code: ReceiptErrorCode, message: string, field?: string) {
    super(code, message, field ? [{ field, detail: message }] : []);
  }
}
