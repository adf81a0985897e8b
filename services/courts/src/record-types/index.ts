import { serviceVersion } from '@cie/platform';
import type { SectorDefinition } from '@cie/sector-kit';
import { consumptionRestriction } from './consumption-restriction.js';
import { dishonestDebtor } from './dishonest-debtor.js';

export * from './consumption-restriction.js';
export * from './dishonest-debtor.js';

/** The courts sector: record types agencies (courts) may publish. */
export const courtsSector: SectorDefinition = {
  sector: 'courts',
  defaultPort: 3003,
  version: serviceVersion(import.meta.url),
  recordTypes: [dishonestDebtor, consumptionRestriction],
};
