import { Controller, Get, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { strictValidationPipe } from '@cie/platform';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PlatformAuthGuard } from '../access/platform-clients.js';
import { HoldingsRepository } from '../holdings/holdings.repository.js';
import { type RecordView, toRecordView } from './record.view.js';
import { RecordsErrorCode, RecordsException, RecordsProblemFilter } from './records.exception.js';

export class RecordsQuery {
  /** The subject's canonical id: a USCC, or a natural person's pseudonym. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  subject!: string;
}

/** Read-only: what this platform holds (and may disclose) right now, to its own readers only. */
@Controller('v1/records')
@UseGuards(PlatformAuthGuard)
@UseFilters(RecordsProblemFilter)
export class RecordsController {
  constructor(private readonly holdings: HoldingsRepository) {}

  @Get()
  async bySubject(
    @Query(strictValidationPipe()) query: RecordsQuery,
  ): Promise<{ subject: string; records: RecordView[] }> {
    const records = await this.holdings.findBySubject(query.subject);
    return { subject: query.subject, records: records.map(toRecordView) };
  }

  @Get(':recordId')
  async one(@Param('recordId') recordId: string): Promise<RecordView> {
    const holding = await this.holdings.find(recordId);
    switch (holding.state) {
      case 'held':
        return toRecordView(holding.record);
      case 'removed': {
        const t = holding.tombstone;
        throw new RecordsException(
          RecordsErrorCode.RECORD_REMOVED,
          `Record ${recordId} was removed at version ${t.version} by ${t.eventType} (reason: ${t.reason || 'none given'}) on ${t.removedAt.toISOString()}`,
          {
            removal: {
              version: t.version,
              eventType: t.eventType,
              reason: t.reason,
              eventId: t.eventId,
              removedAt: t.removedAt.toISOString(),
            },
          },
        );
      }
      case 'none':
        throw new RecordsException(
          RecordsErrorCode.RECORD_NOT_FOUND,
          `This platform holds no record ${recordId}`,
        );
    }
  }
}
