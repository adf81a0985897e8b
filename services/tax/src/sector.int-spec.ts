import { describeSectorService } from '@cie/testing';
import { taxSector } from './record-types/index.js';

describeSectorService({
  sector: taxSector,
  agencyKey: 'demo-key-tax-bj',
  otherSectorKey: 'demo-key-court-bj-chaoyang',
});
