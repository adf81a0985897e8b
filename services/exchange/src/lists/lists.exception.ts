import { CodedException } from '@cie/platform';

export enum ListErrorCode {
  LIST_TYPE_NOT_FOUND = 'LIST_TYPE_NOT_FOUND',
}
export const LIST_ERROR_STATUS: Record<ListErrorCode, number> = {
  [ListErrorCode.LIST_TYPE_NOT_FOUND]: 404,
};
export class ListException extends CodedException<ListErrorCode> {
  override readonly name = 'ListException';
  constructor(code: ListErrorCode, message: string, field: string) {
    super(code, message, [{ field, detail: message }]);
  }
}
