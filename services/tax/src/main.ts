import 'reflect-metadata';
import { runSectorService } from '@cie/sector-kit';
import { taxSector } from './record-types/index.js';

// The tax sector service: its record types are its own, everything else is the sector kit's.
if (import.meta.url === `file://${process.argv[1]}`) {
  runSectorService(taxSector, process.env).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
