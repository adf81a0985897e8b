import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { classifyError } from '../kafka/error-classification.js';
import {
  CodedException,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  problemType,
  RequestErrorCode,
  type RequestException,
} from './problem.js';

const REQUEST_STATUS: Record<RequestErrorCode, number> = {
  [RequestErrorCode.INVALID_FIELDS]: HttpStatus.UNPROCESSABLE_ENTITY,
  [RequestErrorCode.UNAUTHENTICATED]: HttpStatus.UNAUTHORIZED,
  [RequestErrorCode.FORBIDDEN]: HttpStatus.FORBIDDEN,
  [RequestErrorCode.REPEATED_PARAMETER]: HttpStatus.BAD_REQUEST,
  [RequestErrorCode.TOO_MANY_FAILED_AUTHENTICATIONS]: HttpStatus.TOO_MANY_REQUESTS,
  [RequestErrorCode.OVERLOADED]: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * The one HTTP exception filter: maps coded exceptions (statuses supplied by each module), Nest's
 * own HTTP errors (malformed JSON, body too large) and anything unexpected to RFC 9457 responses.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');
  private readonly statusByCode: Record<string, number>;

  constructor(statusByCode: Record<string, number> = {}) {
    this.statusByCode = { ...REQUEST_STATUS, ...statusByCode };
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception);
    // A dependency away is expected and retried: one line, not a stack per request.
    if (problem.status === 503)
      this.logger.warn(`503 ${request.method} ${request.originalUrl}: ${errorMessage(exception)}`);
    else if (problem.status >= 500)
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    sendProblem(request, response, problem);
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof CodedException) {
      const code: string = (exception as CodedException).code;
      const status = this.statusByCode[code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
      return {
        type: problemType(code),
        title: titleOf(status),
        status,
        code,
        detail: exception.message,
        ...(exception.fieldProblems.length > 0 ? { errors: exception.fieldProblems } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // body-parser errors (malformed JSON, too large) arrive as HttpExceptions with a useful message.
      return { type: 'about:blank', title: titleOf(status), status, detail: exception.message };
    }
    // PostgreSQL (or Kafka) away, a lock wait past lock_timeout: the same request will do later.
    // Nothing was claimed as accepted; what was stored and published is found again by its ids.
    if (classifyError(exception) === 'transient')
      return {
        type: 'about:blank',
        title: titleOf(503),
        status: 503,
        detail:
          'A service this one depends on (its database or Kafka) is unavailable; nothing was accepted. Retry later.',
      };
    return {
      type: 'about:blank',
      title: titleOf(500),
      status: 500,
      detail: 'Internal error; it has been logged.',
    };
  }
}

/** Writes an RFC 9457 response; also used by the Express middleware that answers before Nest's filters. */
export function sendProblem(request: Request, response: Response, problem: ProblemDetails): void {
  problem.instance = request.originalUrl;
  if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
  // Nothing was accepted; the same request can simply be sent again a little later.
  if (problem.status === 503 && !response.hasHeader('Retry-After')) response.setHeader('Retry-After', '5');
  response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** A RequestException answered from Express middleware, as the filter would answer it. */
export function sendRequestException(request: Request, response: Response, error: RequestException): void {
  const status = REQUEST_STATUS[error.code];
  sendProblem(request, response, {
    type: problemType(error.code),
    title: titleOf(status),
    status,
    code: error.code,
    detail: error.message,
    ...(error.fieldProblems.length > 0 ? { errors: error.fieldProblems } : {}),
  });
}

function errorMessage(exception: unknown): string {
  return exception instanceof Error ? exception.message : String(exception);
}

export function titleOf(status: number): string {
  const name = HttpStatus[status];
  if (!name) return 'Error';
  return name.charAt(0) + name.slice(1).toLowerCase().replace(/_/g, ' ');
}
