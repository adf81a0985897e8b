import { Controller, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { FEED_RESYNC_HEADER } from '@cie/contracts';
import { BrokerUnavailableError, Clock, CodedException, IdGenerator } from '@cie/platform';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AUDIT_LOG } from '../dead-letters/dead-letters.controller.js';
import { OperatorPublisher } from '../operator/operator-publisher.js';
import { PolicyHolder } from '../routing/policy-holder.js';
import { type HeldDelivery, HoldingsReader } from './holdings.reader.js';

export enum ResyncErrorCode {
  SUBSCRIBER_UNKNOWN = 'SUBSCRIBER_UNKNOWN',
  BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE',
}
export const RESYNC_ERROR_STATUS: Record<ResyncErrorCode, number> = {
  [ResyncErrorCode.SUBSCRIBER_UNKNOWN]: 404,
  [ResyncErrorCode.BROKER_UNAVAILABLE]: 503,
};
class ResyncException extends CodedException<ResyncErrorCode> {
  override readonly name = 'ResyncException';
  constructor(code: ResyncErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * A subscriber offline past its feed's retention missed events. A resync sends it again, from the
 * delivery ledger, the latest delivery of every record it holds now, as it went then (same ce_id,
 * ce_type and payload) with `ce_resync` set to the resync's id. Records it no longer holds are not
 * sent: their withdrawal is on the feed while in retention (current holdings only). One audit entry
 * says who asked, for which subscriber, and how many went.
 */
@Controller('v1/subscribers')
@UseGuards(ClientAuthGuard)
@Roles('operator')
export class ResyncController {
  constructor(
    private readonly db: DataSource,
    private readonly holdings: HoldingsReader,
    private readonly publisher: OperatorPublisher,
    private readonly policies: PolicyHolder,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  @Post(':id/resync')
  @HttpCode(202)
  async resync(@Param('id') subscriberId: string, @Req() request: ClientRequest) {
    const policy = this.policies.current;
    if (!policy.subscribers.some((s) => s.id === subscriberId))
      throw new ResyncException(
        ResyncErrorCode.SUBSCRIBER_UNKNOWN,
        `no subscriber ${subscriberId} in policy ${policy.version}`,
      );
    const resyncId = this.ids.next();
    const asOf = this.clock.now();
    // Read, sent, then audited: the send stays outside any PostgreSQL transaction (a large resync or
    // a slow broker would outlast idle_in_transaction_session_timeout). A send that fails leaves no
    // audit entry and can be asked for again; a reader drops what it already has by ce_id.
    const held = await this.holdings.heldDeliveriesAt(this.db, subscriberId, asOf);
    const byTopic = new Map<string, HeldDelivery[]>();
    for (const h of held) {
      const list = byTopic.get(h.topic) ?? [];
      if (list.length === 0) byTopic.set(h.topic, list);
      list.push(h);
    }
    try {
      for (const [topic, deliveries] of byTopic)
        await this.publisher.send(
          topic,
          deliveries.map((d) => ({
            key: d.key,
            value: d.payload,
            headers: { ...d.headers, [FEED_RESYNC_HEADER]: resyncId },
          })),
        );
    } catch (error) {
      if (error instanceof BrokerUnavailableError)
        throw new ResyncException(
          ResyncErrorCode.BROKER_UNAVAILABLE,
          'Kafka did not take the messages; nothing was audited, ask again',
        );
      throw error;
    }
    await this.db.transaction((em) =>
      this.audit.append(em, [
        {
          kind: 'subscriber_resync',
          actor: request.client?.clientId ?? 'operator',
          details: { resyncId, subscriber: subscriberId, asOf: asOf.toISOString(), records: held.length },
        },
      ]),
    );
    return { resyncId, subscriber: subscriberId, asOf: asOf.toISOString(), records: held.length };
  }
}
