import { CodedException, type FieldProblem } from '@cie/platform';
import type { Receipt } from './receipt.js';

export enum IntakeErrorCode {
  INVALID_RECORD = 'INVALID_RECORD',
  RECORD_TYPE_OF_OTHER_SECTOR = 'RECORD_TYPE_OF_OTHER_SECTOR',
  CONFLICTING_RESUBMISSION = 'CONFLICTING_RESUBMISSION',
  RECORD_NOT_FOUND = 'RECORD_NOT_FOUND',
  TOO_LARGE = 'TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE',
  /** A dispute or repair request the agency does not have. */
  REQUEST_NOT_FOUND = 'REQUEST_NOT_FOUND',
  REQUEST_ALREADY_ANSWERED = 'REQUEST_ALREADY_ANSWERED',
  /** A measure task the agency does not have. */
  TASK_NOT_FOUND = 'TASK_NOT_FOUND',
  /** The task's answer at that stage was another one, or its final answer is given. */
  TASK_ALREADY_ANSWERED = 'TASK_ALREADY_ANSWERED',
}

export const INTAKE_ERROR_STATUS: Record<IntakeErrorCode, number> = {
  [IntakeErrorCode.INVALID_RECORD]: 422,
  [IntakeErrorCode.RECORD_TYPE_OF_OTHER_SECTOR]: 403,
  [IntakeErrorCode.CONFLICTING_RESUBMISSION]: 409,
  [IntakeErrorCode.RECORD_NOT_FOUND]: 404,
  [IntakeErrorCode.TOO_LARGE]: 413,
  [IntakeErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [IntakeErrorCode.BROKER_UNAVAILABLE]: 503,
  [IntakeErrorCode.REQUEST_NOT_FOUND]: 404,
  [IntakeErrorCode.REQUEST_ALREADY_ANSWERED]: 409,
  [IntakeErrorCode.TASK_NOT_FOUND]: 404,
  [IntakeErrorCode.TASK_ALREADY_ANSWERED]: 409,
};

const CODE_BY_STATUS: Record<number, IntakeErrorCode> = {
  422: IntakeErrorCode.INVALID_RECORD,
  403: IntakeErrorCode.RECORD_TYPE_OF_OTHER_SECTOR,
  409: IntakeErrorCode.CONFLICTING_RESUBMISSION,
  404: IntakeErrorCode.RECORD_NOT_FOUND,
  413: IntakeErrorCode.TOO_LARGE,
};

export class IntakeException extends CodedException<IntakeErrorCode> {
  override readonly name = 'IntakeException';
  constructor(code: IntakeErrorCode, message: string, problems: FieldProblem[] = []) {
    super(code, message, problems);
  }

  /** The problem response for a single record the intake refused. */
  static fromReceipt(receipt: Receipt): IntakeException {
    const problems = receipt.problems ?? [];
    const code = CODE_BY_STATUS[receipt.httpStatus] ?? IntakeErrorCode.INVALID_RECORD;
    const detail =
      problems.length === 1
        ? (problems[0]?.detail ?? '')
        : `The record has ${problems.length} problems: ${problems.map((p) => p.field || '(record)').join(', ')}`;
    return new IntakeException(code, detail, problems);
  }
}
