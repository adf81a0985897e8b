import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { metricsRegistry } from './metrics.js';

/** `GET /metrics` in the Prometheus text format: the services' counters, gauges, histograms and process metrics. */
@Controller('metrics')
export class MetricsController {
  @Get()
  async metrics(@Res() res: Response): Promise<void> {
    const body = await metricsRegistry.metrics();
    res.status(200).type(metricsRegistry.contentType).send(body);
  }
}
