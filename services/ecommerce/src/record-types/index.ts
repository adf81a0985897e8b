import { serviceVersion } from '@cie/platform';
import type { SectorDefinition } from '@cie/sector-kit';
import { platformViolation } from './platform-violation.js';

export * from './platform-violation.js';

/** The ecommerce sector: record types market regulators and platforms may publish. */
export const ecommerceSector: SectorDefinition = {
  sector: 'ecommerce',
  defaultPort: 3004,
  version: serviceVersion(import.meta.url),
  recordTypes: [platformViolation],
};
