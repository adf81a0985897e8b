import { Controller, Get, Inject } from '@nestjs/common';
import type { SectorDefinition } from '../record-type.js';
import { buildOpenApi } from './openapi.js';

export const SECTOR_DEFINITION = Symbol('SECTOR_DEFINITION');

/** GET /openapi.json: the API and every record type's fields, rules and example (no key needed). */
@Controller()
export class OpenApiController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(SECTOR_DEFINITION) sector: SectorDefinition) {
    this.document = buildOpenApi(sector);
  }

  @Get('openapi.json')
  get(): Record<string, unknown> {
    return this.document;
  }
}
