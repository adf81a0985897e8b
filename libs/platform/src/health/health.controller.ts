import {
  type BeforeApplicationShutdown,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';

/** A named dependency check used by readiness: resolves when the dependency answers. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}

@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  /** Set once shutdown begins: no new work should be routed here while consumers drain. */
  private stopping = false;

  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    if (this.stopping) {
      res.status(503).json({ status: 'stopping', checks: {} });
      return;
    }
    const results = await Promise.all(
      this.checks.map(async (c): Promise<[string, CheckResult]> => {
        try {
          await withTimeout(c.check(), 2000);
          return [c.name, { status: 'up' }];
        } catch (error) {
          return [c.name, { status: 'down', error: error instanceof Error ? error.message : String(error) }];
        }
      }),
    );
    const ok = results.every(([, r]) => r.status === 'up');
    res
      .status(ok ? 200 : 503)
      .json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
