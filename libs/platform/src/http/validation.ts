import { ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldProblem, RequestErrorCode, RequestException } from './problem.js';

/** Flattens class-validator's nested errors into field paths such as `debtor.idNumber`. */
export function toFieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = Object.values(error.constraints ?? {}).map((detail) => ({
      field,
      detail: detail.replace(/^property /, ''),
    }));
    return [...own, ...toFieldProblems(error.children ?? [], field)];
  });
}

/**
 * The request-body validation every service uses: unknown fields are refused (not silently
 * dropped), values are transformed into DTO instances, and failures become one 422 problem.
 */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // One message per field is clearer than every rule a bad value breaks.
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidFields(toFieldProblems(errors)),
  });
}

/** The one 422 for a request whose fields (body members or path parameters) are wrong, each named. */
export function invalidFields(problems: FieldProblem[]): RequestException {
  return new RequestException(
    RequestErrorCode.INVALID_FIELDS,
    `The record has ${problems.length} invalid field${problems.length === 1 ? '' : 's'}: ${problems.map((p) => p.field).join(', ')}`,
    problems,
  );
}

/**
 * A path parameter stored as a UUID, checked before any query: PostgreSQL would otherwise fail the
 * query (500), and the 422 names the parameter like a body field.
 */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => invalidFields([{ field: name, detail: `${name} must be a UUID` }]),
  });
}
