import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { invalidFields, strictValidationPipe } from '@cie/platform';
import { inspectJson } from '../intake/json-guards.js';
import { SOURCE_RECORD_ID, SOURCE_RECORD_ID_MESSAGE } from '../sector-record.dto.js';

/**
 * The sector services' global pipe: every DTO body (withdrawal, dispute resolution, repair decision)
 * first gets the same `inspectJson` check as records (depth, numbers, control characters, each
 * named by its field path), then the strict class-validator rules. Record bodies (typed `unknown`)
 * pass through: the intake checks them record by record, so one bad item of an array does not sink
 * the others.
 */
export function sectorValidationPipe(): PipeTransform {
  const strict = strictValidationPipe();
  return {
    transform: (value: unknown, metadata: ArgumentMetadata): unknown => {
      if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
        const problems = inspectJson(value);
        if (problems.length > 0) throw invalidFields(problems);
      }
      return strict.transform(value, metadata) as unknown;
    },
  };
}

/** The `sourceRecordId` path parameter, held to the rule the record itself was (no NUL reaches a query). */
export const sourceRecordIdParam: PipeTransform<string, string> = {
  transform: (value) => {
    if (!SOURCE_RECORD_ID.test(value))
      throw invalidFields([{ field: 'sourceRecordId', detail: SOURCE_RECORD_ID_MESSAGE }]);
    return value;
  },
};
