import { describeSectorService } from '@cie/testing';
import { procurementSector } from './record-types/index.js';

describeSectorService({
  sector: procurementSector,
  agencyKey: 'demo-key-procurement-bj',
  otherSectorKey: 'demo-key-ecommerce-hz',
});
