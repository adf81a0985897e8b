import { Controller, Get, Param, ParseUUIDPipe, Query, Req, UseGuards } from '@nestjs/common';
import { CodedException, RequestErrorCode, RequestException } from '@cie/platform';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import { route, type SubscriberPolicy } from '../domain/routing.js';
import { PolicyHolder } from './policy-holder.js';

export enum ExplainErrorCode {
  RECORD_NOT_FOUND = 'RECORD_NOT_FOUND',
  SUBSCRIBER_NOT_FOUND = 'SUBSCRIBER_NOT_FOUND',
}
export const EXPLAIN_ERROR_STATUS: Record<ExplainErrorCode, number> = {
  [ExplainErrorCode.RECORD_NOT_FOUND]: 404,
  [ExplainErrorCode.SUBSCRIBER_NOT_FOUND]: 404,
};
class ExplainException extends CodedException<ExplainErrorCode> {
  override readonly name = 'ExplainException';
  constructor(code: ExplainErrorCode, message: string) {
    super(code, message);
  }
}

interface DeliveryRow {
  delivery_id: string;
  version: number;
  subscriber_id: string;
  event_type: string;
  rule: string;
  topic: string;
  created_at: Date;
}

const toDelivery = (d: DeliveryRow) => ({
  deliveryId: d.delivery_id,
  subscriber: d.subscriber_id,
  version: d.version,
  eventType: d.event_type,
  rule: d.rule,
  topic: d.topic,
  deliveredAt: d.created_at.toISOString(),
});

/** Why a record went (or did not go) to a subscriber, and where each version of it went. */
@Controller('v1')
@UseGuards(ClientAuthGuard)
export class ExplainController {
  constructor(
    private readonly db: DataSource,
    private readonly policies: PolicyHolder,
  ) {}

  private get policy(): SubscriberPolicy {
    return this.policies.current;
  }

  /** The rules in force applied to the record's current version, next to what the ledger says was sent. */
  @Get('routing/explain')
  @Roles('operator', 'subscriber')
  async explain(
    @Query('recordId', ParseUUIDPipe) recordId: string,
    @Query('subscriber') subscriber: string,
    @Req() request: ClientRequest,
  ) {
    const client = request.client;
    if (client?.role === 'subscriber' && client.subscriberId !== subscriber) {
      throw new RequestException(
        RequestErrorCode.FORBIDDEN,
        `client ${client.clientId} may only ask about subscriber ${client.subscriberId ?? '(none)'}`,
      );
    }
    const record = await this.currentVersion(recordId);
    const decision = route(record, this.policy).find((d) => d.subscriberId === subscriber);
    if (!decision)
      throw new ExplainException(
        ExplainErrorCode.SUBSCRIBER_NOT_FOUND,
        `no subscriber ${subscriber} in policy ${this.policy.version}`,
      );
    const deliveries = await this.db.query<DeliveryRow[]>(
      `SELECT * FROM exchange.deliveries WHERE record_id = $1 AND subscriber_id = $2 ORDER BY created_at`,
      [recordId, subscriber],
    );
    return {
      recordId,
      version: record.version,
      kind: record.kind,
      subscriber,
      policyVersion: this.policy.version,
      decision: { allowed: decision.allowed, rule: decision.rule, reasons: decision.reasons },
      deliveries: deliveries.map(toDelivery),
    };
  }

  @Get('records/:recordId/deliveries')
  @Roles('operator')
  async deliveries(@Param('recordId', ParseUUIDPipe) recordId: string) {
    await this.currentVersion(recordId);
    const rows = await this.db.query<DeliveryRow[]>(
      `SELECT * FROM exchange.deliveries WHERE record_id = $1 ORDER BY created_at, subscriber_id`,
      [recordId],
    );
    return { recordId, deliveries: rows.map(toDelivery) };
  }

  private async currentVersion(recordId: string): Promise<CanonicalRecord> {
    const [row] = await this.db.query<{ body: CanonicalRecord }[]>(
      `SELECT body FROM exchange.record_versions WHERE record_id = $1 ORDER BY version DESC LIMIT 1`,
      [recordId],
    );
    if (!row) throw new ExplainException(ExplainErrorCode.RECORD_NOT_FOUND, `no record ${recordId}`);
    return row.body;
  }
}
