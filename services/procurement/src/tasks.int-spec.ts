import { describeSectorTasks } from '@cie/testing';
import { procurementSector } from './record-types/index.js';

describeSectorTasks({
  sector: procurementSector,
  agencyKey: 'demo-key-procurement-bj',
  agencyId: 'procurement-bj',
  otherSectorKey: 'demo-key-ecommerce-hz',
});
