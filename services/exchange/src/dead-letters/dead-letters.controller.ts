import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { CodedException } from '@cie/platform';
import { DataSource } from 'typeorm';
import type { AuditLog } from '../audit/audit-log.js';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import { OperatorPublisher } from '../operator/operator-publisher.js';

export enum DeadLetterErrorCode {
  DEAD_LETTER_NOT_FOUND = 'DEAD_LETTER_NOT_FOUND',
}
export const DEAD_LETTER_ERROR_STATUS: Record<DeadLetterErrorCode, number> = {
  [DeadLetterErrorCode.DEAD_LETTER_NOT_FOUND]: 404,
};
class DeadLetterException extends CodedException<DeadLetterErrorCode> {
  override readonly name = 'DeadLetterException';
  constructor(code: DeadLetterErrorCode, message: string) {
    super(code, message);
  }
}

export const AUDIT_LOG = Symbol('AUDIT_LOG');

interface DeadLetterRow {
  dead_letter_id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  event_id: string | null;
  reason: string;
  code: string | null;
  created_at: Date;
  replayed_at: Date | null;
}

/**
 * Operators see what could not be processed and why, and send it back through the exchange once the
 * cause is fixed (a catalogue entry added, a policy corrected): the original message is published
 * again on its source topic, and its event id is released so that it is processed, not ignored.
 */
@Controller('v1/dead-letters')
@UseGuards(ClientAuthGuard)
@Roles('operator')
export class DeadLettersController {
  constructor(
    private readonly db: DataSource,
    private readonly publisher: OperatorPublisher,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@Query('topic') topic?: string, @Query('limit') limit = '100') {
    const rows = await this.db.query<DeadLetterRow[]>(
      `SELECT dead_letter_id, source_topic, source_partition, source_offset::text, event_id, reason,
              headers->>'dlq_code' AS code, created_at, replayed_at
         FROM exchange.dead_letters WHERE ($1::text IS NULL OR source_topic = $1) ORDER BY created_at DESC LIMIT $2`,
      [topic ?? null, Math.min(Math.max(Number(limit) || 100, 1), 1000)],
    );
    return {
      deadLetters: rows.map((r) => ({
        id: r.dead_letter_id,
        source: { topic: r.source_topic, partition: r.source_partition, offset: r.source_offset },
        eventId: r.event_id,
        /** The refusal code (libs/platform/src/refusals.ts), as the dead letter's dlq_code header carries it. */
        code: r.code,
        reason: r.reason,
        deadLetteredAt: r.created_at.toISOString(),
        replayedAt: r.replayed_at?.toISOString() ?? null,
      })),
    };
  }

  @Post(':id/replay')
  @HttpCode(202)
  async replay(@Param('id', ParseUUIDPipe) id: string, @Req() request: ClientRequest) {
    // First the event id is released (committed), then the message is published: published before
    // the commit, the exchange could read it while its id still counted as processed and ignore it.
    // A publish that fails leaves only a released id, and the replay can be asked for again.
    const row = await this.db.transaction(async (em) => {
      const [found] = await em.query<
        (DeadLetterRow & {
          message_key: Buffer | null;
          payload: Buffer | null;
          headers: Record<string, string>;
        })[]
      >(`SELECT * FROM exchange.dead_letters WHERE dead_letter_id = $1 FOR UPDATE`, [id]);
      if (!found)
        throw new DeadLetterException(DeadLetterErrorCode.DEAD_LETTER_NOT_FOUND, `no dead letter ${id}`);
      // It was recorded as processed (dead-lettered) and would be ignored as a duplicate.
      if (found.event_id)
        await em.query(
          `DELETE FROM exchange.processed_events WHERE event_id = $1 AND outcome = 'dead_lettered'`,
          [found.event_id],
        );
      return found;
    });
    const headers = Object.fromEntries(
      Object.entries(row.headers).filter(([name]) => !name.startsWith('dlq_')),
    );
    const [position] = await this.publisher.send(row.source_topic, [
      { key: row.message_key, value: row.payload, headers: { ...headers, dlq_replayed_from: id } },
    ]);
    await this.db.transaction(async (em) => {
      await em.query(`UPDATE exchange.dead_letters SET replayed_at = now() WHERE dead_letter_id = $1`, [id]);
      await this.audit.append(em, [
        {
          kind: 'dead_letter_replay',
          actor: request.client?.clientId ?? 'operator',
          details: { deadLetterId: id, eventId: row.event_id, reason: row.reason },
        },
      ]);
    });
    return {
      id,
      replayedTo: { topic: row.source_topic, partition: position?.partition, offset: position?.baseOffset },
      eventId: row.event_id,
    };
  }
}
