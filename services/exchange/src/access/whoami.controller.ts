import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { type ClientRequest, ClientAuthGuard, type ClientRole, Roles } from './exchange-clients.js';

/** Every role: the route only says who the caller is, so any known key may ask. */
export const ALL_CLIENT_ROLES: readonly ClientRole[] = ['operator', 'subscriber', 'subject-desk', 'officer'];

/** Who a key belongs to, as the exchange sees it; `sector` is there for a shape shared with the sector services. */
export interface Whoami {
  role: ClientRole;
  id: string;
  /** Exchange clients belong to no sector; an agency asks its sector service's /v1/whoami. */
  sector: null;
  subscriberId?: string;
  agencyId?: string;
}

/**
 * The caller's own identity (role, client id, the subscriber or agency it acts for), so that a
 * front end such as the console can tell a key's role without trying routes until one answers.
 */
@Controller('v1')
@UseGuards(ClientAuthGuard)
@Roles(...ALL_CLIENT_ROLES)
export class WhoamiController {
  @Get('whoami')
  whoami(@Req() request: ClientRequest): Whoami {
    const client = request.client!;
    return {
      role: client.role,
      id: client.clientId,
      sector: null,
      ...(client.subscriberId !== undefined && { subscriberId: client.subscriberId }),
      ...(client.agencyId !== undefined && { agencyId: client.agencyId }),
    };
  }
}
