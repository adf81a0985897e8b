import { Logger } from '@nestjs/common';
import type { Deliverer } from '../delivery/deliverer.js';
import type { LedgerRepository } from '../delivery/ledger.repository.js';
import { type Applied, type OutboundMessage, refuse, type Step } from '../outbound.js';
import type { DecodedEvent } from '../pipeline/sector-event.decoder.js';
import type { RecordsRepository } from '../records/records.repository.js';
import { type PolicyDocument, parsePolicy } from '../routing/subscriber-policy.loader.js';

/**
 * A new policy version was recorded (its `credit.policy.changed` command): the one fan-out rule runs
 * over every open record under the new version, so a holder no longer entitled gets `withdrawn`
 * (`entitlement_removed`) and a subscriber newly entitled gets the record `published`, exactly once.
 */
export class PolicyChangeHandler {
  private readonly logger = new Logger(PolicyChangeHandler.name);

  constructor(
    private readonly records: RecordsRepository,
    private readonly ledger: LedgerRepository,
    private readonly deliverer: Deliverer,
  ) {}

  async apply(step: Step, item: DecodedEvent<'apply_policy'>): Promise<Applied> {
    const [stored] = await step.em.query<{ document: PolicyDocument }[]>(
      `SELECT document FROM exchange.policy_versions WHERE sha256 = $1`,
      [item.policy.sha256],
    );
    if (!stored) return refuse('unknown_record', `no policy version ${item.policy.sha256}`);
    const policy = parsePolicy(stored.document);
    const holdings = await this.ledger.allHoldings(step.em);
    const outbound: OutboundMessage[] = [];
    for (const record of await this.records.openRecords(step.em)) {
      outbound.push(
        ...(await this.deliverer.deliver(step.em, {
          record,
          change: { type: 'policy_changed' },
          policy,
          holders: holdings.get(record.recordId) ?? new Set(),
          auditDecisions: 'sent',
          source: item,
          now: step.now,
          audit: step.audit,
        })),
      );
    }
    this.logger.log(
      `policy ${policy.version}: ${outbound.length} feed message(s) for the entitlements it changed`,
    );
    return { outbound, recordId: '', version: 0 };
  }
}
