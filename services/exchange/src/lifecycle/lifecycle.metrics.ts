import type { OnApplicationBootstrap } from '@nestjs/common';
import { type Clock, registerGauge } from '@cie/platform';
import type { DataSource } from 'typeorm';
import { outstandingAcks } from './deletion-acks.controller.js';
import type { WorkingCalendar } from './working-days.js';

/**
 * The lifecycle gauges (DESIGN §12): open and overdue disputes per sector, outstanding deletion
 * acknowledgements per subscriber and the age of the oldest. Computed from PostgreSQL at each
 * scrape, so every instance reports the same shared state.
 */
export class LifecycleMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
  ) {}

  onApplicationBootstrap(): void {
    // Each pair of gauges is read from one query: the registry collects all gauges at once, so both
    // collects await the same query while it is in flight.
    const disputes = inFlightOnce(() =>
      this.db.query<{ sector: string; open: number; overdue: number }[]>(
        `SELECT sector, count(*)::int AS open, count(*) FILTER (WHERE due_by < $1::date)::int AS overdue
           FROM exchange.disputes WHERE status = 'open' GROUP BY sector`,
        [this.calendar.dateOf(this.clock.now())],
      ),
    );
    const acks = inFlightOnce(() => outstandingAcks(this.db, this.clock.now()));
    registerGauge({
      name: 'cie_disputes_open',
      help: 'Disputes filed and not yet resolved by the owning agency, by sector',
      labelNames: ['sector'],
      collect: async (gauge) => {
        const rows = await disputes();
        gauge.reset();
        for (const row of rows) gauge.set({ sector: row.sector }, row.open);
      },
    });
    registerGauge({
      name: 'cie_disputes_overdue',
      help: 'Open disputes past their deadline (working days), by sector',
      labelNames: ['sector'],
      collect: async (gauge) => {
        const rows = await disputes();
        gauge.reset();
        for (const row of rows) gauge.set({ sector: row.sector }, row.overdue);
      },
    });
    registerGauge({
      name: 'cie_deletion_acks_outstanding',
      help: 'Withdrawn, expired and repaired events a subscriber has not acknowledged deleting',
      labelNames: ['subscriber'],
      collect: async (gauge) => {
        const subscribers = await acks();
        gauge.reset();
        for (const s of subscribers) gauge.set({ subscriber: s.subscriber }, s.outstanding);
      },
    });
    registerGauge({
      name: 'cie_deletion_ack_oldest_age_seconds',
      help: 'Age of the oldest unacknowledged deletion event, by subscriber (0 when none)',
      labelNames: ['subscriber'],
      collect: async (gauge) => {
        const subscribers = await acks();
        gauge.reset();
        for (const s of subscribers) gauge.set({ subscriber: s.subscriber }, s.oldestAgeSeconds ?? 0);
      },
    });
  }
}

/** Calls `fn` at most once at a time: callers arriving while a call is in flight share its result. */
export function inFlightOnce<T>(fn: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= fn().finally(() => {
      pending = undefined;
    }));
}
