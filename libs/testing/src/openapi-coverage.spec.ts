import { Controller, Get, Post } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { NOT_API_PATHS, openApiRoutes, undocumentedRoutes } from './openapi-coverage.js';

@Controller('v1/things')
class ThingsController {
  @Get(':id')
  one(): string {
    return 'one';
  }

  @Post(':id/decision')
  decide(): string {
    return 'decided';
  }
}

@Controller('health')
class ProbeController {
  @Get('live')
  live(): string {
    return 'ok';
  }
}

describe('the routes an app serves compared with its OpenAPI document', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    const module = await Test.createTestingModule({
      controllers: [ThingsController, ProbeController],
    }).compile();
    app = module.createNestApplication<NestExpressApplication>({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
  });

  it('reads the routes from the Express router, path parameters written the OpenAPI way', () => {
    expect(openApiRoutes(app)).toEqual(
      expect.arrayContaining([
        { method: 'get', path: '/v1/things/{id}' },
        { method: 'post', path: '/v1/things/{id}/decision' },
        { method: 'get', path: '/health/live' },
      ]),
    );
  });

  it('names each route the document leaves out, and none once all are in it', () => {
    const partial = { paths: { '/v1/things/{id}': { get: {}, parameters: [] } } };
    expect(undocumentedRoutes(app, partial, NOT_API_PATHS)).toEqual(['POST /v1/things/{id}/decision']);
    const complete = { paths: { ...partial.paths, '/v1/things/{id}/decision': { post: {} } } };
    expect(undocumentedRoutes(app, complete, NOT_API_PATHS)).toEqual([]);
    expect(undocumentedRoutes(app, complete, [])).toEqual(['GET /health/live']);
  });
});
