import { CreditEventType } from '@cie/contracts';
import type { CanonicalRecord } from '../../domain/canonical-record.js';
import {
  type RedactableField,
  route,
  type RoutingDecision,
  type SubscriberEntitlement,
  type SubscriberPolicy,
} from '../../domain/routing.js';
import { isDisclosed } from './disclosure.js';

/** What happened to a record, as the fan-out needs to know it. */
export type Change =
  /** A record the exchange did not hold before. */
  | { type: 'published' }
  /** A new version of a held record (`previous` is the version its holders hold). */
  | { type: 'corrected'; previous: CanonicalRecord }
  /** A flag on the current version: a dispute filed or resolved. */
  | { type: 'disputed' | 'dispute_resolved' }
  /** The record ends for everyone (its status is already the ended one). */
  | { type: 'withdrawn' | 'expired' | 'repaired'; reason: string }
  /** Nothing about the record changed, only the policy (`FanOutInput.policy` is the new one). */
  | { type: 'policy_changed' };

/** One message to one subscriber, decided by `fanOut`; the handler builds it and stores it in the ledger. */
export interface Send {
  subscriberId: string;
  type: CreditEventType;
  /** The version the message carries: the record as given, or for `previous` the version the subscriber holds. */
  carries: 'record' | 'previous';
  /**
   * Whose field policy shapes the message: the subscriber's own (it is entitled to the version it
   * carries), or the most restricted view (pseudonym, no name, no attributes) for a holder that
   * must hear of a removal of something it is no longer entitled to.
   */
  view: 'own' | 'restricted';
  /** The rule that decided, stored with the delivery and shown by explain. */
  rule: string;
  /** Why the record left the subscriber's feed, for removals. */
  reason?: string;
}

export interface FanOutInput {
  /** The version the change is about, with its status after the change. */
  record: CanonicalRecord;
  change: Change;
  /** Subscribers that hold the record today (the delivery ledger's last event is not a removal). */
  holders: ReadonlySet<string>;
  policy: SubscriberPolicy;
  /** `chinaDate(now)`. */
  today: string;
}

export interface FanOut {
  sends: Send[];
  /** The routing decision for every subscriber in the policy on the record as given: the audit's. */
  decisions: RoutingDecision[];
}

const TYPE: Record<Exclude<Change['type'], 'policy_changed'>, CreditEventType> = {
  published: CreditEventType.published,
  corrected: CreditEventType.corrected,
  disputed: CreditEventType.disputed,
  dispute_resolved: CreditEventType.disputeResolved,
  withdrawn: CreditEventType.withdrawn,
  expired: CreditEventType.expired,
  repaired: CreditEventType.repaired,
};

/**
 * The one fan-out rule (DESIGN §7-8), for every event type. Every message passes both sides of the
 * access rules against the version it carries:
 * - a holder still entitled hears of the change; a holder no longer entitled gets `withdrawn`
 *   (`entitlement_ended`, or `entitlement_removed` for a policy change), carrying what it holds;
 * - a subscriber newly entitled gets the record `published`; one never entitled gets nothing;
 * - when the record ends (withdrawn, expired, repaired) only its holders hear of it, each in its own
 *   view if still entitled to it, otherwise in the restricted view.
 * Pure: no I/O, no clock.
 */
export function fanOut({ record, change, holders, policy, today }: FanOutInput): FanOut {
  const decisions = route(record, policy);
  const decided = new Map(decisions.map((d) => [d.subscriberId, d]));
  const entitled = (id: string) => decided.get(id)?.allowed === true;
  const disclosed = isDisclosed(record, today);
  const subscribers = [...new Set([...policy.subscribers.map((s) => s.id), ...holders])].sort();
  const sends: Send[] = [];
  const rule = (id: string) => decided.get(id)?.rule ?? `${policy.version}#${id}:not-in-policy`;

  for (const id of subscribers) {
    const holds = holders.has(id);
    if (change.type === 'withdrawn' || change.type === 'expired' || change.type === 'repaired') {
      if (holds)
        sends.push({
          subscriberId: id,
          type: TYPE[change.type],
          carries: 'record',
          view: entitled(id) ? 'own' : 'restricted',
          rule: `ledger:holder#${id}`,
          reason: change.reason,
        });
      continue;
    }
    const covered = disclosed && entitled(id);
    if (covered && holds) {
      // A policy change tells a holder nothing it does not know; anything else it hears of.
      if (change.type !== 'policy_changed' && change.type !== 'published')
        sends.push({
          subscriberId: id,
          type: TYPE[change.type],
          carries: 'record',
          view: 'own',
          rule: rule(id),
        });
    } else if (covered) {
      sends.push({
        subscriberId: id,
        type: CreditEventType.published,
        carries: 'record',
        view: 'own',
        rule: rule(id),
      });
    } else if (holds) {
      sends.push(withdrawal(id, change, policy, today));
    }
  }
  return { sends, decisions };
}

/** A holder no longer covered: `withdrawn`, carrying the version it holds, in a view it may still see. */
function withdrawal(id: string, change: Change, policy: SubscriberPolicy, today: string): Send {
  if (change.type === 'policy_changed')
    return {
      subscriberId: id,
      type: CreditEventType.withdrawn,
      carries: 'record',
      view: 'restricted',
      rule: `${policy.version}#${id}:entitlement-removed`,
      reason: 'entitlement_removed',
    };
  // A correction moved the record out of its reach: it holds the previous version and may see that
  // one as before, if it is still entitled to it; it never sees the new one.
  const previousCovered =
    change.type === 'corrected' &&
    isDisclosed(change.previous, today) &&
    route(change.previous, policy).some((d) => d.subscriberId === id && d.allowed);
  return {
    subscriberId: id,
    type: CreditEventType.withdrawn,
    carries: change.type === 'corrected' ? 'previous' : 'record',
    view: previousCovered ? 'own' : 'restricted',
    rule: `${policy.version}#${id}:entitlement-ended`,
    reason: 'entitlement_ended',
  };
}

/**
 * The entitlement that shapes a message: the subscriber's own, or the most restricted view (identity
 * as pseudonym, no name, no attributes) for a removal it must hear of without being entitled to more.
 */
export function viewOf(
  send: Pick<Send, 'subscriberId' | 'view'>,
  record: CanonicalRecord,
  policy: SubscriberPolicy,
): SubscriberEntitlement {
  const own = policy.subscribers.find((s) => s.id === send.subscriberId);
  if (own && send.view === 'own') return own;
  return {
    id: send.subscriberId,
    name: own?.name ?? send.subscriberId,
    sectors: [],
    kinds: [],
    levels: [],
    regions: [],
    naturalPersonIdentity: 'pseudonym',
    // Every key the view could carry: the record's own attribute keys are all redactable fields.
    redact: ['subject.name', ...(Object.keys(record.attributes) as RedactableField[])],
  };
}
