import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Agency, AgencyAuthGuard, CurrentAgency } from '@cie/platform';
import { IntakeErrorCode, IntakeException } from '../intake/intake.exception.js';
import { type Channel, IntakeService } from '../intake/intake.service.js';
import { type Receipt, refused } from '../intake/receipt.js';
import { parseAgencyJson } from '../intake/json-guards.js';
import { WithdrawalDto } from '../intake/withdrawal.dto.js';
import { SectorConfig } from '../sector.config.js';
import { AgencyRateLimitGuard } from './agency-rate-limit.guard.js';
import { sourceRecordIdParam } from './edge-validation.js';
import { Consumes, ContentTypeGuard } from './content-type.guard.js';
import { type NdjsonLine, ndjsonLines } from './ndjson-lines.js';

const BULK_BATCH = 500;
const MAX_LINE_BYTES = 64 * 1024;

/** One record's answer as an HTTP response: the receipt, or a problem naming what is wrong. */
function answer(receipt: Receipt, res: Response): Receipt {
  if (receipt.problems) throw IntakeException.fromReceipt(receipt);
  res.status(receipt.httpStatus);
  return receipt;
}

@Controller('v1/records')
@UseGuards(AgencyAuthGuard, AgencyRateLimitGuard, ContentTypeGuard)
export class RecordsController {
  constructor(
    @Inject(IntakeService) private readonly intake: IntakeService,
    private readonly config: SectorConfig,
  ) {}

  /**
   * One record (202 with its receipt, or a problem) or an array (207 with one receipt per item, so
   * one bad item does not sink the rest).
   */
  @Post()
  @Consumes('application/json')
  async submit(
    @Body() body: unknown,
    @CurrentAgency() agency: Agency,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!Array.isArray(body)) {
      const [receipt] = await this.intake.submit(agency, [body], 'http');
      return answer(receipt!, res);
    }
    if (body.length === 0)
      throw new IntakeException(IntakeErrorCode.INVALID_RECORD, 'the array holds no record');
    if (body.length > this.config.MAX_RECORDS_PER_REQUEST) {
      throw new IntakeException(
        IntakeErrorCode.TOO_LARGE,
        `at most ${this.config.MAX_RECORDS_PER_REQUEST} records per request; use /v1/records/bulk for more`,
      );
    }
    const results = await this.intake.submit(agency, body, 'http');
    res.status(207);
    return { results, summary: summarise(results) };
  }

  /**
   * NDJSON, one record per line, streamed both ways: records are read, stored and published in
   * batches of 500 and each line's receipt is written back as it is known; a summary line ends the response.
   */
  @Post('bulk')
  @Consumes('application/x-ndjson')
  async bulk(@CurrentAgency() agency: Agency, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.status(200).type('application/x-ndjson');
    // Counts, not receipts: an upload of any size is answered in constant memory.
    const summary: Record<string, number> = { total: 0 };
    let batch: ParsedLine[] = [];
    const flush = async () => {
      const parsed = batch.filter((l) => !l.receipt);
      const receipts = await this.intake.submit(
        agency,
        parsed.map((l) => l.body),
        'bulk',
      );
      const byLine = new Map(parsed.map((l, i) => [l.lineNumber, receipts[i]!]));
      for (const line of batch) {
        const receipt = line.receipt ?? byLine.get(line.lineNumber)!;
        count(summary, receipt);
        if (!res.write(`${JSON.stringify({ line: line.lineNumber, ...receipt })}\n`))
          await new Promise((r) => res.once('drain', r));
      }
      batch = [];
    };
    try {
      for await (const line of ndjsonLines(req, MAX_LINE_BYTES)) {
        batch.push(parseLine(line));
        if (batch.length >= BULK_BATCH) await flush();
      }
      await flush();
      res.end(`${JSON.stringify({ summary })}\n`);
    } catch (error) {
      // Headers are sent: the only honest signal left is a last line saying where it stopped.
      const detail = error instanceof Error ? error.message : String(error);
      res.end(`${JSON.stringify({ error: 'stopped before the end of the upload', detail, summary })}\n`);
    }
  }

  @Get(':sourceRecordId')
  async get(
    @Param('sourceRecordId', sourceRecordIdParam) sourceRecordId: string,
    @CurrentAgency() agency: Agency,
  ) {
    const history = await this.intake.history(agency, sourceRecordId);
    if (!history)
      throw new IntakeException(
        IntakeErrorCode.RECORD_NOT_FOUND,
        `no record ${sourceRecordId} of agency ${agency.agencyId}`,
      );
    return history;
  }

  /** A new version of the record (the full record, as first published, with the corrected facts). */
  @Post(':sourceRecordId/corrections')
  @Consumes('application/json')
  async correct(
    @Param('sourceRecordId', sourceRecordIdParam) sourceRecordId: string,
    @Body() body: unknown,
    @CurrentAgency() agency: Agency,
    @Res({ passthrough: true }) res: Response,
  ) {
    return answer(await this.intake.correct(agency, sourceRecordId, body, 'http' satisfies Channel), res);
  }

  @Post(':sourceRecordId/withdrawal')
  @Consumes('application/json')
  @HttpCode(202)
  async withdraw(
    @Param('sourceRecordId', sourceRecordIdParam) sourceRecordId: string,
    @Body() body: WithdrawalDto,
    @CurrentAgency() agency: Agency,
    @Res({ passthrough: true }) res: Response,
  ) {
    return answer(await this.intake.withdraw(agency, sourceRecordId, body, 'http'), res);
  }
}

/** A line as read: its record, or the receipt refusing it when it is not JSON. */
interface ParsedLine {
  lineNumber: number;
  body?: unknown;
  receipt?: Receipt;
}

function parseLine(line: NdjsonLine): ParsedLine {
  if (!line.ok)
    return { lineNumber: line.lineNumber, receipt: refused(null, 400, [{ field: '', detail: line.reason }]) };
  const parsed = parseAgencyJson(line.text);
  return parsed.ok
    ? { lineNumber: line.lineNumber, body: parsed.value }
    : { lineNumber: line.lineNumber, receipt: refused(null, 400, parsed.problems) };
}

function count(summary: Record<string, number>, receipt: Receipt): void {
  summary['total'] = (summary['total'] ?? 0) + 1;
  summary[receipt.status] = (summary[receipt.status] ?? 0) + 1;
}

export function summarise(receipts: Receipt[]): Record<string, number> {
  const summary: Record<string, number> = { total: 0 };
  for (const receipt of receipts) count(summary, receipt);
  return summary;
}
