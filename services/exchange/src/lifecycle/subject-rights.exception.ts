import { CodedException } from '@cie/platform';

export enum SubjectRightsErrorCode {
  RECORD_NOT_FOUND = 'RECORD_NOT_FOUND',
  DISPUTE_NOT_FOUND = 'DISPUTE_NOT_FOUND',
  REPAIR_NOT_FOUND = 'REPAIR_NOT_FOUND',
  RECORD_NOT_DISCLOSED = 'RECORD_NOT_DISCLOSED',
  DISPUTE_ALREADY_OPEN = 'DISPUTE_ALREADY_OPEN',
  REPAIR_ALREADY_PENDING = 'REPAIR_ALREADY_PENDING',
  NOT_REPAIRABLE_YET = 'NOT_REPAIRABLE_YET',
  BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE',
}
export const SUBJECT_RIGHTS_ERROR_STATUS: Record<SubjectRightsErrorCode, number> = {
  [SubjectRightsErrorCode.RECORD_NOT_FOUND]: 404,
  [SubjectRightsErrorCode.DISPUTE_NOT_FOUND]: 404,
  [SubjectRightsErrorCode.REPAIR_NOT_FOUND]: 404,
  [SubjectRightsErrorCode.RECORD_NOT_DISCLOSED]: 409,
  [SubjectRightsErrorCode.DISPUTE_ALREADY_OPEN]: 409,
  [SubjectRightsErrorCode.REPAIR_ALREADY_PENDING]: 409,
  [SubjectRightsErrorCode.NOT_REPAIRABLE_YET]: 422,
  [SubjectRightsErrorCode.BROKER_UNAVAILABLE]: 503,
};
export class SubjectRightsException extends CodedException<SubjectRightsErrorCode> {
  override readonly name = 'SubjectRightsException';
  constructor(code: SubjectRightsErrorCode, message: string, field?: string) {
    super(code, message, field ? [{ field, detail: message }] : []);
  }
}
