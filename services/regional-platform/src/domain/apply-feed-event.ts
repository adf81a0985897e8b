import { CreditEventType } from '@cie/contracts';
import {
  type FeedEventIn,
  type HeldRecord,
  type Holding,
  isDeletion,
  type RecordSnapshot,
  type Tombstone,
} from './holding.js';

/** The change one feed event makes to what the platform holds about its record. */
export type Change =
  /** Insert the record, or replace the version held. */
  | { type: 'hold'; record: HeldRecord }
  /** Delete the record if held and keep (or raise) its tombstone. */
  | { type: 'remove'; tombstone: Tombstone }
  /** Nothing to change; `why` is logged. */
  | { type: 'none'; why: string };

export interface Decision {
  change: Change;
  /** Send a FeedAck once the change is committed: every deletion event, even a stale or repeated one. */
  acknowledge: boolean;
}

/**
 * Decides what a feed event does to the platform's copy, given what it holds about the record.
 * Versions only increase: an event for an older version than the one held (or removed) changes
 * nothing, so a late or redelivered `published` never brings back a removed record. Deletion events
 * are always acknowledged, so the exchange can close its outstanding acknowledgement.
 */
export function applyFeedEvent(holding: Holding, event: FeedEventIn, now: Date): Decision {
  const version = event.record.version;
  if (isDeletion(event.type)) {
    const tombstone: Tombstone = {
      recordId: event.record.recordId,
      version,
      eventType: event.type,
      reason: event.reason,
      eventId: event.eventId,
      removedAt: now,
    };
    switch (holding.state) {
      case 'held':
        if (version < holding.record.version)
          return ignore(`${event.type} is for v${version}, v${holding.record.version} is held`, true);
        return { change: { type: 'remove', tombstone }, acknowledge: true };
      case 'removed':
        if (version <= holding.tombstone.version)
          return ignore(
            `already removed at v${holding.tombstone.version} (${holding.tombstone.reason})`,
            true,
          );
        return { change: { type: 'remove', tombstone }, acknowledge: true };
      case 'none':
        // Keep the tombstone anyway: a copy of this record that arrives later must not be held.
        return { change: { type: 'remove', tombstone }, acknowledge: true };
    }
  }

  if (holding.state === 'removed' && version <= holding.tombstone.version)
    return ignore(
      `removed at v${holding.tombstone.version} (${holding.tombstone.eventType}, ${holding.tombstone.reason}); v${version} is not held again`,
    );
  const held = holding.state === 'held' ? holding.record : undefined;

  switch (event.type) {
    case CreditEventType.published:
    case CreditEventType.corrected:
      if (held && version <= held.version)
        return ignore(`${event.type} is for v${version}, v${held.version} is held`);
      // A correction does not settle an open dispute: the flag stays until dispute_resolved.
      return hold(event, event.record, {
        disputed: held?.disputed ?? false,
        disputeId: held?.disputeId ?? null,
        disputeOutcome: held?.disputeOutcome ?? null,
      });
    case CreditEventType.disputed:
      if (held && version < held.version)
        return ignore(`${event.type} is for v${version}, v${held.version} is held`);
      return hold(event, event.record, {
        disputed: true,
        disputeId: event.dispute?.disputeId ?? held?.disputeId ?? null,
        disputeOutcome: null,
      });
    case CreditEventType.disputeResolved: {
      if (held && version < held.version)
        return ignore(`${event.type} is for v${version}, v${held.version} is held`);
      const disputeId = event.dispute?.disputeId ?? null;
      // Another dispute about the same record that is still open keeps the flag.
      const otherOpen = Boolean(
        held?.disputed && held.disputeId && disputeId && held.disputeId !== disputeId,
      );
      return hold(event, event.record, {
        disputed: otherOpen,
        disputeId: otherOpen ? (held?.disputeId ?? null) : disputeId,
        disputeOutcome: otherOpen ? (held?.disputeOutcome ?? null) : (event.dispute?.outcome ?? null),
      });
    }
  }

  function hold(
    e: FeedEventIn,
    snapshot: RecordSnapshot,
    dispute: Pick<HeldRecord, 'disputed' | 'disputeId' | 'disputeOutcome'>,
  ): Decision {
    return {
      change: {
        type: 'hold',
        record: { ...snapshot, ...dispute, receivedEventId: e.eventId, updatedAt: now },
      },
      acknowledge: false,
    };
  }
}

function ignore(why: string, acknowledge = false): Decision {
  return { change: { type: 'none', why }, acknowledge };
}
