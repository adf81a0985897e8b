import 'reflect-metadata';
import { runSectorService } from '@cie/sector-kit';
import { ecommerceSector } from './record-types/index.js';

// The ecommerce sector service: its record types are its own, everything else is the sector kit's.
if (import.meta.url === `file://${process.argv[1]}`) {
  runSectorService(ecommerceSector, process.env).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
