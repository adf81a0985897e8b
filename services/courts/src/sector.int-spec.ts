import { describeSectorService } from '@cie/testing';
import { courtsSector } from './record-types/index.js';

describeSectorService({
  sector: courtsSector,
  agencyKey: 'demo-key-court-bj-chaoyang',
  otherSectorKey: 'demo-key-tax-bj',
});
