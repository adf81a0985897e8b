import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Req, UseGuards } from '@nestjs/common';
import { CodedException, RequestErrorCode, RequestException, type SqlRunner } from '@cie/platform';
import { DataSource } from 'typeorm';
import {
  ClientAuthGuard,
  type ClientRequest,
  type ExchangeClient,
  Roles,
} from '../access/exchange-clients.js';
import type { AuditEntryInput, AuditLog } from '../audit/audit-log.js';
import { AUDIT_LOG } from '../dead-letters/dead-letters.controller.js';
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

/**
 * Which subscriber a client may ask about: an operator any, a subscriber only itself. Undefined
 * means every subscriber (an operator who named none).
 */
export function subscriberScope(client: ExchangeClient, asked: string | undefined): string | undefined {
  if (client.role === 'operator') return asked;
  if (
    client.role === 'subscriber' &&
    client.subscriberId &&
    (asked ?? client.subscriberId) === client.subscriberId
  )
    return client.subscriberId;
  throw new RequestException(
    RequestErrorCode.FORBIDDEN,
    `client ${client.clientId} may only ask about subscriber ${client.subscriberId ?? '(none)'}`,
  );
}

/**
 * Why a record went (or did not go) to a subscriber, and where each version of it went. Every call is
 * audited, refusals of scope included: what a subscriber learnt about routing is itself a disclosure.
 */
@Controller('v1')
@UseGuards(ClientAuthGuard)
export class ExplainController {
  constructor(
    private readonly db: DataSource,
    private readonly policies: PolicyHolder,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  private get policy(): SubscriberPolicy {
    return this.policies.current;
  }

  /** The rules in force applied to the record's current version, next to what the ledger says was sent. */
  @Get('routing/explain')
  @Roles('operator', 'subscriber')
  async explain(
    @Query('recordId', ParseUUIDPipe) recordId: string,
    @Query('subscriber') subscriber: string | undefined,
    @Req() request: ClientRequest,
  ) {
    const client = request.client!;
    // A subscriber that names none asks about itself.
    const target = (await this.inScope(client, 'routing_explain', recordId, subscriber)) ?? subscriber;
    return this.db.transaction(async (em) => {
      const record = await this.currentVersion(em, recordId);
      const decision = route(record, this.policy).find((d) => d.subscriberId === target);
      if (!decision)
        throw new ExplainException(
          ExplainErrorCode.SUBSCRIBER_NOT_FOUND,
          `no subscriber ${target ?? '(none named)'} in policy ${this.policy.version}`,
        );
      const deliveries = await em.query<DeliveryRow[]>(
        `SELECT * FROM exchange.deliveries WHERE record_id = $1 AND subscriber_id = $2 ORDER BY created_at`,
        [recordId, target],
      );
      await this.audit.append(em, [
        {
          kind: 'routing_explain',
          actor: client.clientId,
          recordId,
          details: {
            subscriber: target,
            policyVersion: this.policy.version,
            allowed: decision.allowed,
            rule: decision.rule,
          },
        },
      ]);
      return {
        recordId,
        version: record.version,
        kind: record.kind,
        subscriber: target,
        policyVersion: this.policy.version,
        decision: { allowed: decision.allowed, rule: decision.rule, reasons: decision.reasons },
        deliveries: deliveries.map(toDelivery),
      };
    });
  }

  /**
   * Every delivery of the record, to every subscriber: operators only (a subscriber asks
   * /v1/routing/explain about itself, which shows its own deliveries).
   */
  @Get('records/:recordId/deliveries')
  @Roles('operator')
  async deliveries(@Param('recordId', ParseUUIDPipe) recordId: string, @Req() request: ClientRequest) {
    const client = request.client!;
    return this.db.transaction(async (em) => {
      await this.currentVersion(em, recordId);
      const rows = await em.query<DeliveryRow[]>(
        `SELECT * FROM exchange.deliveries WHERE record_id = $1 ORDER BY created_at, subscriber_id`,
        [recordId],
      );
      await this.audit.append(em, [
        { kind: 'deliveries_view', actor: client.clientId, recordId, details: { returned: rows.length } },
      ]);
      return { recordId, deliveries: rows.map(toDelivery) };
    });
  }

  /** The subscriber scope of the call; a call out of scope is audited as refused, then answered 403. */
  private async inScope(
    client: ExchangeClient,
    kind: string,
    recordId: string,
    asked: string | undefined,
  ): Promise<string | undefined> {
    try {
      return subscriberScope(client, asked);
    } catch (error) {
      const entry: AuditEntryInput = {
        kind,
        actor: client.clientId,
        recordId,
        details: { subscriber: asked ?? null, refused: 'forbidden' },
      };
      await this.db.transaction((em) => this.audit.append(em, [entry]));
      throw error;
    }
  }

  private async currentVersion(em: SqlRunner, recordId: string): Promise<CanonicalRecord> {
    const [row] = await em.query<{ body: CanonicalRecord }[]>(
      `SELECT body FROM exchange.record_versions WHERE record_id = $1 ORDER BY version DESC LIMIT 1`,
      [recordId],
    );
    if (!row) throw new ExplainException(ExplainErrorCode.RECORD_NOT_FOUND, `no record ${recordId}`);
    return row.body;
  }
}
