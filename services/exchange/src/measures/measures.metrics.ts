import type { OnApplicationBootstrap } from '@nestjs/common';
import { type Clock, registerGauge } from '@cie/platform';
import type { DataSource } from 'typeorm';
import { inFlightOnce } from '../lifecycle/lifecycle.metrics.js';
import type { WorkingCalendar } from '../lifecycle/working-days.js';

/**
 * Measure task gauges (DESIGN §13): tasks awaiting an answer and those past their deadline (working
 * days), by memorandum, measure, implementing agency and kind (apply, lift). Computed from
 * PostgreSQL at each scrape, so every instance reports the same shared state.
 */
export class MeasuresMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
  ) {}

  onApplicationBootstrap(): void {
    const labelNames = ['memorandum', 'measure', 'implementer', 'kind'] as const;
    const open = inFlightOnce(() =>
      this.db.query<
        {
          memorandum: string;
          measure: string;
          implementer: string;
          kind: string;
          open: number;
          overdue: number;
        }[]
      >(
        `SELECT memorandum_id AS memorandum, measure_id AS measure, implementer_id AS implementer, kind,
                count(*)::int AS open, count(*) FILTER (WHERE due_by < $1::date)::int AS overdue
           FROM exchange.measure_tasks WHERE status IN ('delivered', 'acknowledged')
          GROUP BY memorandum_id, measure_id, implementer_id, kind`,
        [this.calendar.dateOf(this.clock.now())],
      ),
    );
    for (const [name, help, value] of [
      ['cie_measure_tasks_open', 'Measure tasks sent and not yet answered', 'open'],
      [
        'cie_measure_tasks_overdue',
        'Measure tasks past their deadline (working days) without an answer',
        'overdue',
      ],
    ] as const)
      registerGauge({
        name,
        help,
        labelNames: [...labelNames],
        collect: async (gauge) => {
          const rows = await open();
          gauge.reset();
          for (const r of rows)
            gauge.set(
              { memorandum: r.memorandum, measure: r.measure, implementer: r.implementer, kind: r.kind },
              r[value],
            );
        },
      });
  }
}
