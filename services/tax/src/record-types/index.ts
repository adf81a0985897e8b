import { serviceVersion } from '@cie/platform';
import type { SectorDefinition } from '@cie/sector-kit';
import { creditRating } from './credit-rating.js';
import { majorViolation } from './major-violation.js';

export * from './credit-rating.js';
export * from './major-violation.js';

/** The tax sector: record types tax authorities may publish. */
export const taxSector: SectorDefinition = {
  sector: 'tax',
  defaultPort: 3001,
  version: serviceVersion(import.meta.url),
  recordTypes: [majorViolation, creditRating],
};
