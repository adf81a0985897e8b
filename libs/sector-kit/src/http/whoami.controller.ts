import { Controller, Get, UseGuards } from '@nestjs/common';
import { type Agency, AgencyAuthGuard, CurrentAgency } from '@cie/platform';

/** Who an agency key belongs to; the same shape as the exchange's GET /v1/whoami. */
export interface AgencyWhoami {
  role: 'agency';
  id: string;
  sector: Agency['sector'];
  name: string;
}

/** The calling agency's own identity, so that a front end tells a key's sector without trying routes. */
@Controller('v1')
@UseGuards(AgencyAuthGuard)
export class WhoamiController {
  @Get('whoami')
  whoami(@CurrentAgency() agency: Agency): AgencyWhoami {
    return { role: 'agency', id: agency.agencyId, sector: agency.sector, name: agency.name };
  }
}
