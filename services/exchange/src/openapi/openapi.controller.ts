import { Controller, Get } from '@nestjs/common';
import { buildExchangeOpenApi } from './openapi.js';

/** GET /openapi.json: the exchange's HTTP API, like each sector service's (no key needed). */
@Controller()
export class ExchangeOpenApiController {
  private readonly document = buildExchangeOpenApi();

  @Get('openapi.json')
  get(): Record<string, unknown> {
    return this.document;
  }
}
