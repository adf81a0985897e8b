/** RFC 9457 problem details, with the failing fields of a request as an extension member. */
export interface FieldProblem {
  /** Path of the field in the request body, e.g. `debtor.idNumber` or `[2].caseNumber`. */
  field: string;
  detail: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  errors?: FieldProblem[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://credit-exchange.example/problems/';

export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`;
}

/**
 * Base of every service's own exception types: a stable code the transport filters map to an HTTP
 * status (or to a retry / dead-letter decision), a human message, and optionally field problems.
 */
export abstract class CodedException<C extends string = string> extends Error {
  protected constructor(
    readonly code: C,
    message: string,
    readonly fieldProblems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export enum RequestErrorCode {
  INVALID_FIELDS = 'INVALID_FIELDS',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  /** A query parameter given twice (`?purpose=a&purpose=b`): which one was meant is not guessed. */
  REPEATED_PARAMETER = 'REPEATED_PARAMETER',
  /** Too many failed authentications from one address: wait Retry-After seconds. */
  TOO_MANY_FAILED_AUTHENTICATIONS = 'TOO_MANY_FAILED_AUTHENTICATIONS',
  /** As many requests in progress as the service takes at once (MAX_IN_FLIGHT_REQUESTS): retry later. */
  OVERLOADED = 'OVERLOADED',
}

/** Raised at the HTTP edge: bad body fields, missing credentials. */
export class RequestException extends CodedException<RequestErrorCode> {
  override readonly name = 'RequestException';
  constructor(code: RequestErrorCode, message: string, fieldProblems: FieldProblem[] = []) {
    super(code, message, fieldProblems);
  }
}
