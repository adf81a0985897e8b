import { describeSectorService } from '@cie/testing';
import { ecommerceSector } from './record-types/index.js';

describeSectorService({
  sector: ecommerceSector,
  agencyKey: 'demo-key-ecommerce-hz',
  otherSectorKey: 'demo-key-procurement-bj',
});
