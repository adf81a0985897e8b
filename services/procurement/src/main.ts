import 'reflect-metadata';
import { runSectorService } from '@cie/sector-kit';
import { procurementSector } from './record-types/index.js';

// The procurement sector service: its record types are its own, everything else is the sector kit's.
if (import.meta.url === `file://${process.argv[1]}`) {
  runSectorService(procurementSector, process.env).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
