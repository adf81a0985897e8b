import { cieMetrics } from '../observability/metrics.js';
import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Sector } from '@cie/contracts';
import { RequestErrorCode, RequestException } from '../http/problem.js';
import { type Agency, AgencyDirectory } from './agency-keys.js';

export const SERVICE_SECTOR = Symbol('SERVICE_SECTOR');
type AuthenticatedRequest = Request & { agency?: Agency };

/**
 * `Authorization: Bearer <agency key>`: 401 when the key is missing or unknown, 403 when the key
 * belongs to an agency of another sector than the service's.
 */
@Injectable()
export class AgencyAuthGuard implements CanActivate {
  constructor(
    private readonly directory: AgencyDirectory,
    @Inject(SERVICE_SECTOR) private readonly sector: Sector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    try {
      return this.authenticate(context);
    } catch (error) {
      const reason = error instanceof RequestException && error.code === RequestErrorCode.FORBIDDEN;
      cieMetrics.recordsRefused.inc({
        sector: this.sector,
        reason: reason ? 'forbidden' : 'unauthenticated',
      });
      throw error;
    }
  }

  private authenticate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1])
      throw new RequestException(
        RequestErrorCode.UNAUTHENTICATED,
        'An agency key is required: Authorization: Bearer <key>',
      );
    const agency = this.directory.authenticate(match[1]);
    if (!agency)
      throw new RequestException(RequestErrorCode.UNAUTHENTICATED, 'The agency key is not recognised');
    if (agency.sector !== this.sector) {
      throw new RequestException(
        RequestErrorCode.FORBIDDEN,
        `Agency ${agency.agencyId} belongs to sector ${agency.sector} and cannot submit ${this.sector} records`,
      );
    }
    request.agency = agency;
    return true;
  }
}

/** The agency authenticated by AgencyAuthGuard. */
export const CurrentAgency = createParamDecorator((_: unknown, context: ExecutionContext): Agency => {
  const agency = context.switchToHttp().getRequest<AuthenticatedRequest>().agency;
  if (!agency) throw new Error('CurrentAgency used on a route without AgencyAuthGuard');
  return agency;
});
