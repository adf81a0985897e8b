import { invalidFields } from '@cie/platform';
import { type AsOf, parseAsOf } from '../domain/as-of.js';

/** The `asOf` query parameter, or a 422 naming it. */
export function asOfParam(raw: string): AsOf {
  const parsed = parseAsOf(raw);
  if ('problem' in parsed) throw invalidFields([{ field: 'asOf', detail: parsed.problem }]);
  return parsed;
}
