import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConsoleConfig } from '../console.config.js';
import { type MetricsPoint, pointOf } from './domain/prometheus.js';

const KEEP_MS = 60 * 60 * 1000;

/**
 * Samples the exchange's /metrics (an open route, DESIGN §15) so the overview can draw lag and
 * throughput over time: Prometheus text holds only the present. The last hour stays in memory.
 */
@Injectable()
export class MetricsHistory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('metrics-history');
  private readonly points: MetricsPoint[] = [];
  private timer?: NodeJS.Timeout;
  private lastError?: string;

  constructor(private readonly config: ConsoleConfig) {}

  onApplicationBootstrap(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.config.METRICS_SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get history(): readonly MetricsPoint[] {
    return this.points;
  }

  /** Why the last scrape failed, while it keeps failing. */
  get error(): string | undefined {
    return this.lastError;
  }

  private async sample(): Promise<void> {
    try {
      const response = await fetch(`${this.config.EXCHANGE_URL}/metrics`, {
        signal: AbortSignal.timeout(4000),
      });
      if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
      const now = Date.now();
      this.points.push(pointOf(now, await response.text()));
      while (this.points.length > 0 && this.points[0]!.at < now - KEEP_MS) this.points.shift();
      this.lastError = undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastError) this.logger.warn(`cannot read the exchange's metrics: ${message}`);
      this.lastError = message;
    }
  }
}
