import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Clock, ConfigurationError, RequestErrorCode, RequestException } from '@cie/platform';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, Roles } from '../access/exchange-clients.js';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import { route, type SubscriberPolicy } from '../domain/routing.js';
import { PolicyHolder } from './policy-holder.js';
import { PolicyService } from './policy.service.js';
import { type PolicyDocument, parsePolicy } from './subscriber-policy.loader.js';
import { chinaDate } from '../delivery/domain/disclosure.js';

const MAX_CHANGES = 1000;

export interface WhatIfChange {
  recordId: string;
  kind: string;
  subscriber: string;
  /** gains: the draft would deliver it; loses: the draft would not, and a holder would get `withdrawn`. */
  change: 'gains' | 'loses';
  holds: boolean;
  reasons: string[];
}

/** Compares two policies over records; pure. */
export function whatIf(
  records: { body: CanonicalRecord; holders: string[] }[],
  current: SubscriberPolicy,
  draft: SubscriberPolicy,
): { gains: number; losses: number; withdrawals: number; changes: WhatIfChange[] } {
  const changes: WhatIfChange[] = [];
  let gains = 0;
  let losses = 0;
  let withdrawals = 0;
  for (const { body, holders } of records) {
    const now = new Map(route(body, current).map((d) => [d.subscriberId, d]));
    const next = new Map(route(body, draft).map((d) => [d.subscriberId, d]));
    for (const subscriber of new Set([...now.keys(), ...next.keys(), ...holders])) {
      const before = now.get(subscriber)?.allowed ?? false;
      const after = next.get(subscriber)?.allowed ?? false;
      const holds = holders.includes(subscriber);
      if (before === after && !(holds && !after)) continue;
      const change = after ? 'gains' : 'loses';
      if (change === 'gains') gains += 1;
      else losses += 1;
      if (change === 'loses' && holds) withdrawals += 1;
      if (changes.length < MAX_CHANGES)
        changes.push({
          recordId: body.recordId,
          kind: body.kind,
          subscriber,
          change,
          holds,
          reasons: next.get(subscriber)?.reasons ?? [`${subscriber} is not in the draft`],
        });
    }
  }
  return { gains, losses, withdrawals, changes };
}

/** The subscriber policy for operators: what is in force, its history, a reload, and what-if on a draft. */
@Controller('v1/policy')
@UseGuards(ClientAuthGuard)
@Roles('operator')
export class PolicyController {
  constructor(
    private readonly policies: PolicyHolder,
    private readonly service: PolicyService,
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  @Get()
  async current() {
    const history = await this.db.query<
      { sha256: string; version: string; recorded_at: Date; recorded_by: string }[]
    >(
      `SELECT sha256, version, recorded_at, recorded_by FROM exchange.policy_versions ORDER BY recorded_at DESC LIMIT 100`,
    );
    return {
      ...this.service.status(),
      subscribers: this.policies.current.subscribers.map((s) => s.id),
      history: history.map((h) => ({
        version: h.version,
        sha256: h.sha256,
        recordedAt: h.recorded_at.toISOString(),
        recordedBy: h.recorded_by,
      })),
    };
  }

  /** Reads the policy files now (they are also watched); a broken file is refused and changes nothing. */
  @Post('reload')
  @HttpCode(200)
  async reload() {
    return this.service.reload('POST /v1/policy/reload');
  }

  /**
   * Runs a draft policy ({subscribers, releaseRules}, the files' contents) against every record
   * disclosed today and lists what would change: deliveries gained, and deliveries lost (a holder
   * would be sent `withdrawn`). Nothing is changed.
   */
  @Post('what-if')
  @HttpCode(200)
  async whatIf(@Body() body: unknown) {
    const draft = this.parseDraft(body);
    const today = chinaDate(this.clock.now());
    const rows = await this.db.query<{ body: CanonicalRecord; holders: string[] | null }[]>(
      `SELECT v.body, (SELECT array_agg(h.subscriber_id) FROM exchange.holdings h WHERE h.record_id = r.record_id) AS holders
         FROM exchange.records r JOIN exchange.record_versions v ON v.record_id = r.record_id AND v.version = r.current_version
        WHERE r.status IN ('active', 'corrected') AND v.body->'disclosure'->>'disclosureUntil' >= $1`,
      [today],
    );
    const result = whatIf(
      rows.map((r) => ({ body: r.body, holders: r.holders ?? [] })),
      this.policies.current,
      draft,
    );
    return {
      current: this.policies.current.version,
      draft: draft.version,
      recordsChecked: rows.length,
      ...result,
      truncated: result.changes.length < result.gains + result.losses,
    };
  }

  private parseDraft(body: unknown): SubscriberPolicy {
    const document = (body ?? {}) as Partial<PolicyDocument>;
    try {
      return parsePolicy({ subscribers: document.subscribers, releaseRules: document.releaseRules });
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      const problems = error.problems.map((p) => {
        const [field, ...detail] = p.split(': ');
        const rest = detail.join(': ');
        const space = rest.indexOf(' ');
        return { field: `${field}.${rest.slice(0, space)}`, detail: rest.slice(space + 1) };
      });
      throw new RequestException(
        RequestErrorCode.INVALID_FIELDS,
        `The draft policy has ${problems.length} problem(s): ${error.problems.join('; ')}`,
        problems,
      );
    }
  }
}
