import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { Sector, SourceRef, SubjectIdentity } from '@cie/contracts';
import type { SectorRecordDto } from './sector-record.dto.js';

/**
 * One record type a sector service accepts: how agencies write it (a class-validator DTO), the
 * protobuf sector event it becomes, and a realistic example. Everything else (auth, limits,
 * idempotency, HTTP, NDJSON, Kafka submissions, receipts) is the kit's.
 */
export interface RecordTypeDefinition<
  D extends SectorRecordDto = SectorRecordDto,
  S extends DescMessage = DescMessage,
> {
  /** The JSON `recordType` value, which is also the catalogue kind, e.g. `courts.dishonest_debtor`. */
  recordType: string;
  /** One line for the OpenAPI document. */
  description: string;
  dto: new () => D;
  /** The sector event message; by convention field 1 is `source` and field 2 is `subject`. */
  schema: S;
  /** Builds the sector event from a validated record; `source` and `subject` are already normalised. */
  toEvent(record: D, common: { source: SourceRef; subject: SubjectIdentity }): MessageShape<S>;
  /** A realistic, valid example record (OpenAPI, demo and tests use it). */
  example: Record<string, unknown>;
}

export interface SectorDefinition {
  sector: Sector;
  /** Default HTTP port (DESIGN §9: tax 3001, procurement 3002, courts 3003, ecommerce 3004). */
  defaultPort: number;
  /** The service's own version for logs and traces: `serviceVersion(import.meta.url)`. */
  version: string;
  // Each definition has its own DTO and schema; `toEvent` is a method, so they fit the shared shape.
  recordTypes: RecordTypeDefinition[];
}
