import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { type FieldProblem, toFieldProblems } from '@cie/platform';
import type { RecordTypeDefinition, SectorDefinition } from './record-type.js';
import type { SectorRecordDto } from './sector-record.dto.js';

export type RecordCheck =
  | { ok: true; definition: RecordTypeDefinition; record: SectorRecordDto }
  | { ok: false; status: 403 | 422; problems: FieldProblem[] };

const SECTOR_OF_TYPE = /^(tax|procurement|courts|ecommerce)\./;

/**
 * Validates one record as an agency wrote it: finds its type by `recordType`, then applies the
 * type's DTO rules with unknown fields refused. A record type of another sector is a 403.
 * Pure: the same function serves HTTP, NDJSON lines and Kafka submissions.
 */
export function validateRecord(sector: SectorDefinition, body: unknown): RecordCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, status: 422, problems: [{ field: '', detail: 'a record must be a JSON object' }] };
  }
  const recordType = (body as Record<string, unknown>)['recordType'];
  const definition = sector.recordTypes.find((d) => d.recordType === recordType);
  if (!definition) {
    const other = typeof recordType === 'string' ? SECTOR_OF_TYPE.exec(recordType)?.[1] : undefined;
    if (other && other !== sector.sector) {
      return {
        ok: false,
        status: 403,
        problems: [
          {
            field: 'recordType',
            detail: `recordType ${String(recordType)} belongs to sector ${other}; this is the ${sector.sector} service`,
          },
        ],
      };
    }
    const known = sector.recordTypes.map((d) => d.recordType).join(', ');
    return {
      ok: false,
      status: 422,
      problems: [{ field: 'recordType', detail: `recordType must be one of: ${known}` }],
    };
  }
  const record: SectorRecordDto = plainToInstance(definition.dto, body);
  const errors = validateSync(record, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) return { ok: false, status: 422, problems: toFieldProblems(errors) };
  return { ok: true, definition, record };
}
