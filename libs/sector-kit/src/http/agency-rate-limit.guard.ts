import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { cieMetrics, type Agency } from '@cie/platform';
import { SectorConfig } from '../sector.config.js';

/**
 * Requests per agency per minute (after AgencyAuthGuard has named the agency); past it a 429 with
 * Retry-After. Counted per instance, which is what protects the instance.
 */
@Injectable()
export class AgencyRateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiterMemory;

  constructor(@Inject(SectorConfig) config: SectorConfig) {
    this.limiter = new RateLimiterMemory({ points: config.RATE_LIMIT_PER_MINUTE, duration: 60 });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const agency = http.getRequest<Request & { agency?: Agency }>().agency;
    if (!agency) return true;
    try {
      await this.limiter.consume(agency.agencyId);
      return true;
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      cieMetrics.recordsRefused.inc({ sector: agency.sector, reason: 'rate_limited' });
      const seconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
      http.getResponse<Response>().setHeader('Retry-After', String(seconds));
      throw new HttpException(
        `Agency ${agency.agencyId} sent too many requests; retry in ${seconds} s`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}
