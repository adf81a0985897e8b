import type { DescMessage } from '@bufbuild/protobuf';
import type {
  ConsumptionRestrictionEvent,
  CreditRatingEvent,
  DishonestDebtorEvent,
  MajorViolationEvent,
  PlatformViolationEvent,
  Sector,
  SupplierMisconductEvent,
} from '@cie/contracts';
import {
  type NormalisedRecord,
  type NormaliseContext,
  type SectorMapping,
  toNormalisedRecord,
} from './common.js';
import { consumptionRestriction, dishonestDebtor } from './courts.js';
import { platformViolation } from './ecommerce.js';
import { supplierMisconduct } from './procurement.js';
import { creditRating, majorViolation } from './tax.js';

export { NormalisationError, type NormalisedRecord, type NormaliseContext } from './common.js';

/** Every sector event the exchange accepts, told apart by `$typeName` (the CloudEvents dataschema). */
export type SectorEvent =
  | MajorViolationEvent
  | CreditRatingEvent
  | SupplierMisconductEvent
  | DishonestDebtorEvent
  | ConsumptionRestrictionEvent
  | PlatformViolationEvent;

/** One mapping per sector event type; the mapped type makes a missing one a compile error. */
const MAPPINGS: { [E in SectorEvent as E['$typeName']]: SectorMapping<E> } = {
  'cie.tax.v1.MajorViolationEvent': majorViolation,
  'cie.tax.v1.CreditRatingEvent': creditRating,
  'cie.procurement.v1.SupplierMisconductEvent': supplierMisconduct,
  'cie.courts.v1.DishonestDebtorEvent': dishonestDebtor,
  'cie.courts.v1.ConsumptionRestrictionEvent': consumptionRestriction,
  'cie.ecommerce.v1.PlatformViolationEvent': platformViolation,
};

export interface SectorEventType {
  /** The protobuf schema, whose type name is the event's `ce_dataschema`. */
  schema: DescMessage;
  sector: Sector;
  kind: string;
}

/** The sector event types by dataschema, for the decoder. */
export const SECTOR_EVENT_TYPES: ReadonlyMap<string, SectorEventType> = new Map(
  Object.values(MAPPINGS).map((m: { schema: DescMessage; kind: string }) => [
    m.schema.typeName,
    { schema: m.schema, sector: m.kind.split('.')[0] as Sector, kind: m.kind },
  ]),
);

/** Maps a decoded sector event to the canonical record, classified against the catalogue in `ctx`. */
export function normalise(event: SectorEvent, ctx: NormaliseContext): NormalisedRecord {
  // The union is correlated with MAPPINGS by $typeName; TypeScript cannot follow that through an index.
  const mapping = MAPPINGS[event.$typeName] as unknown as SectorMapping<SectorEvent>;
  return toNormalisedRecord(mapping, event, ctx);
}
