import { cieMetrics } from '../observability/metrics.js';
import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Sector } from '@cie/contracts';
import { RequestErrorCode, RequestException } from '../http/problem.js';
import { sendRequestException } from '../http/problem.filter.js';
import { type Agency, AgencyDirectory } from './agency-keys.js';

export const SERVICE_SECTOR = Symbol('SERVICE_SECTOR');
type AuthenticatedRequest = Request & { agency?: Agency };

/**
 * The agency of `Authorization: Bearer <agency key>`: UNAUTHENTICATED when the key is missing or
 * unknown, FORBIDDEN when it belongs to an agency of another sector than the service's.
 */
export async function identifyAgency(
  directory: AgencyDirectory,
  sector: Sector,
  authorization: string | undefined,
): Promise<Agency> {
  try {
    if (!/^Bearer\s+\S+$/i.test(authorization ?? ''))
      throw new RequestException(
        RequestErrorCode.UNAUTHENTICATED,
        'An agency key is required: Authorization: Bearer <key>',
      );
    const agency = await directory.fromHeader(authorization);
    if (!agency)
      throw new RequestException(RequestErrorCode.UNAUTHENTICATED, 'The agency key is not recognised');
    if (agency.sector !== sector) {
      throw new RequestException(
        RequestErrorCode.FORBIDDEN,
        `Agency ${agency.agencyId} belongs to sector ${agency.sector} and cannot submit ${sector} records`,
      );
    }
    return agency;
  } catch (error) {
    const forbidden = error instanceof RequestException && error.code === RequestErrorCode.FORBIDDEN;
    cieMetrics.recordsRefused.inc({ sector, reason: forbidden ? 'forbidden' : 'unauthenticated' });
    throw error;
  }
}

/**
 * The same check as AgencyAuthGuard as Express middleware, placed before the body parser: a caller
 * without a key of this sector is answered before a byte of its body is read or parsed. `open`
 * paths (health, metrics, the OpenAPI document) pass through.
 */
export function agencyAuthentication(
  directory: AgencyDirectory,
  sector: Sector,
  open: (path: string) => boolean,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (open(req.path)) return next();
    identifyAgency(directory, sector, req.headers.authorization).then(
      (agency) => {
        (req as AuthenticatedRequest).agency = agency;
        next();
      },
      (error: unknown) => {
        if (error instanceof RequestException) sendRequestException(req, res, error);
        else next(error);
      },
    );
  };
}

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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Already identified by agencyAuthentication (before the body parser): counted there once.
    request.agency ??= await identifyAgency(this.directory, this.sector, request.headers.authorization);
    return true;
  }
}

/** The agency authenticated by AgencyAuthGuard. */
export const CurrentAgency = createParamDecorator((_: unknown, context: ExecutionContext): Agency => {
  const agency = context.switchToHttp().getRequest<AuthenticatedRequest>().agency;
  if (!agency) throw new Error('CurrentAgency used on a route without AgencyAuthGuard');
  return agency;
});
