import { type DynamicModule, Module } from '@nestjs/common';
import { ExchangeOpenApiController } from './openapi.controller.js';

/** Serves GET /openapi.json beside the application module it documents. */
@Module({ controllers: [ExchangeOpenApiController] })
export class OpenApiModule {
  static documenting(app: DynamicModule): DynamicModule {
    return { module: OpenApiModule, imports: [app] };
  }
}
