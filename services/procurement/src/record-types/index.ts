import { serviceVersion } from '@cie/platform';
import type { SectorDefinition } from '@cie/sector-kit';
import { supplierMisconduct } from './supplier-misconduct.js';

export * from './supplier-misconduct.js';

/** The procurement sector: record types finance departments may publish. */
export const procurementSector: SectorDefinition = {
  sector: 'procurement',
  defaultPort: 3002,
  version: serviceVersion(import.meta.url),
  recordTypes: [supplierMisconduct],
};
