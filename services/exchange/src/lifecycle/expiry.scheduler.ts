import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { create, toBinary } from '@bufbuild/protobuf';
import { AgencyRequestType, ExpiryDueSchema, Topics } from '@cie/contracts';
import { bulkInsert, type Clock, type EventPublisher, type IdGenerator } from '@cie/platform';
import type { DataSource } from 'typeorm';
import { chinaDate } from '../delivery/domain/disclosure.js';

/** Key of the transaction-scoped advisory lock that lets one instance scan at a time: "expiry". */
const EXPIRY_LOCK_KEY = 0x657870697279n;
const BATCH = 1000;

/**
 * Ends disclosure when `disclosureUntil` has passed (DESIGN §8). Its state is in PostgreSQL: the
 * records themselves (what is still disclosed and until when) and `expiry_requests` (what it has
 * asked for, once per record), so it survives restarts and catches up at start on everything that
 * fell due while it was down. Every instance runs it; an advisory lock lets one scan at a time, and
 * the work goes through the commands topic, so each `expired` is emitted once by the ingest pipeline
 * (a repeated command finds the record already expired and does nothing).
 */
export class ExpiryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiryScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly db: DataSource,
    private readonly commands: EventPublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly instance: string,
    private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running = this.runOnce().catch((error: unknown) => {
        this.logger.warn(`expiry scan failed, retrying next tick: ${String(error)}`);
        return 0;
      });
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One scan: asks for the expiry of every record whose period has ended. Returns how many. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const found = await this.scanBatch();
      if (found < 0) return total; // another instance holds the lock
      total += found;
      if (found < BATCH) return total;
    }
  }

  private async scanBatch(): Promise<number> {
    const now = this.clock.now();
    const today = chinaDate(now);
    return this.db.transaction(async (em) => {
      const [lock] = await em.query<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [
        EXPIRY_LOCK_KEY.toString(),
      ]);
      if (!lock?.locked) return -1;
      const due = await em.query<{ record_id: string; subject_id: string; disclosure_until: string }[]>(
        `SELECT r.record_id, r.subject_id, v.body->'disclosure'->>'disclosureUntil' AS disclosure_until
           FROM exchange.records r
           JOIN exchange.record_versions v ON v.record_id = r.record_id AND v.version = r.current_version
          WHERE r.status IN ('active', 'corrected')
            AND v.body->'disclosure'->>'disclosureUntil' < $1
            AND NOT EXISTS (SELECT 1 FROM exchange.expiry_requests e WHERE e.record_id = r.record_id)
          ORDER BY r.record_id LIMIT ${BATCH}`,
        [today],
      );
      if (due.length > 0) {
        // Sent before the commit: if the commit fails they are asked for again, and the repeat is a no-op.
        await this.commands.publishBatch(
          Topics.exchangeCommands,
          due.map((d) => ({
            key: d.record_id,
            value: Buffer.from(
              toBinary(
                ExpiryDueSchema,
                create(ExpiryDueSchema, { recordId: d.record_id, disclosureUntil: d.disclosure_until }),
              ),
            ),
            ctx: {
              id: this.ids.next(),
              source: `/exchange/${this.instance}/expiry`,
              type: AgencyRequestType.expiryDue,
              time: now,
              subject: d.subject_id,
              dataschema: ExpiryDueSchema.typeName,
            },
          })),
        );
        await bulkInsert(
          em,
          'exchange.expiry_requests',
          ['record_id', 'disclosure_until', 'requested_at', 'requested_by'],
          due.map((d) => [d.record_id, d.disclosure_until, now, this.instance]),
          'ON CONFLICT (record_id) DO NOTHING',
        );
        this.logger.log(`asked for the expiry of ${due.length} record(s) whose disclosure period ended`);
      }
      await em.query(
        `INSERT INTO exchange.scheduler_runs (name, last_run_at, last_instance, last_found) VALUES ('expiry', $1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, last_instance = EXCLUDED.last_instance, last_found = EXCLUDED.last_found`,
        [now, this.instance, due.length],
      );
      return due.length;
    });
  }
}
