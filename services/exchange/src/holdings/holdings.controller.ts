import { Controller, Get, Inject, Param, Query, Req, UseGuards } from '@nestjs/common';
import { Clock } from '@cie/platform';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AUDIT_LOG } from '../dead-letters/dead-letters.controller.js';
import { chinaDate } from '../delivery/domain/disclosure.js';
import { subscriberScope } from '../routing/explain.controller.js';
import { asOfParam } from '../subjects/as-of.param.js';
import { HoldingsReader } from './holdings.reader.js';

/**
 * "What did subscriber X hold on day D" (DESIGN §13, as of): an operator for any subscriber, a
 * subscriber for itself only. Audited: who asked what another held is itself worth keeping.
 */
@Controller('v1/subscribers')
@UseGuards(ClientAuthGuard)
@Roles('operator', 'subscriber')
export class HoldingsController {
  constructor(
    private readonly db: DataSource,
    private readonly holdings: HoldingsReader,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  @Get(':id/holdings')
  async held(
    @Param('id') id: string,
    @Query('asOf') asOfRaw: string | undefined,
    @Req() request: ClientRequest,
  ) {
    const client = request.client!;
    const subscriberId = subscriberScope(client, id) ?? id;
    const now = this.clock.now();
    const asOf = asOfRaw === undefined ? { instant: now, day: chinaDate(now) } : asOfParam(asOfRaw);
    return this.db.transaction(async (em) => {
      const held = await this.holdings.heldAt(em, subscriberId, asOf.instant);
      await this.audit.append(em, [
        {
          kind: 'holdings_query',
          actor: client.clientId,
          details: { subscriber: subscriberId, asOf: asOf.instant.toISOString(), records: held.length },
        },
      ]);
      return { subscriber: subscriberId, asOf: asOf.instant.toISOString(), day: asOf.day, records: held };
    });
  }
}
