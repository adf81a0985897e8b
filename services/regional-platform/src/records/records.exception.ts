import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { CodedException, PROBLEM_CONTENT_TYPE, type ProblemDetails, problemType } from '@cie/platform';
import type { Request, Response } from 'express';

export enum RecordsErrorCode {
  RECORD_NOT_FOUND = 'RECORD_NOT_FOUND',
  RECORD_REMOVED = 'RECORD_REMOVED',
}

/** HTTP statuses of this module's codes. */
export const RECORDS_ERROR_STATUS: Record<RecordsErrorCode, HttpStatus.NOT_FOUND> = {
  [RecordsErrorCode.RECORD_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [RecordsErrorCode.RECORD_REMOVED]: HttpStatus.NOT_FOUND,
};

export class RecordsException extends CodedException<RecordsErrorCode> {
  override readonly name = 'RecordsException';
  constructor(
    code: RecordsErrorCode,
    message: string,
    /** RFC 9457 extension members, e.g. the tombstone of a removed record. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(code, message);
  }
}

/**
 * The platform-wide ProblemDetailsFilter with this module's extension members: a removed record's
 * problem carries its tombstone (`removal`: version, event type, reason, time).
 */
@Catch(RecordsException)
export class RecordsProblemFilter implements ExceptionFilter {
  catch(exception: RecordsException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const status = RECORDS_ERROR_STATUS[exception.code];
    const problem: ProblemDetails & Record<string, unknown> = {
      type: problemType(exception.code),
      title: 'Not found',
      status,
      code: exception.code,
      detail: exception.message,
      instance: http.getRequest<Request>().originalUrl,
      ...exception.extensions,
    };
    http.getResponse<Response>().status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
