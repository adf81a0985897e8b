import { CodedException } from '@cie/platform';

export enum CheckErrorCode {
  /** More subjects than one check takes: refused as a whole before any is looked at. */
  TOO_MANY_SUBJECTS = 'TOO_MANY_SUBJECTS',
  INVALID_SUBJECT_ID = 'INVALID_SUBJECT_ID',
}
export const CHECK_ERROR_STATUS: Record<CheckErrorCode, number> = {
  [CheckErrorCode.TOO_MANY_SUBJECTS]: 400,
  [CheckErrorCode.INVALID_SUBJECT_ID]: 422,
};
export class CheckException extends CodedException<CheckErrorCode> {
  override readonly name = 'CheckException';
  constructor(code: CheckErrorCode, message: string, problems: { field: string; detail: string }[]) {
    super(code, message, problems);
  }
}
