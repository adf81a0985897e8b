import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  type PipeTransform,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { strictValidationPipe } from '@cie/platform';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import { ReceiptService } from '../receipts/receipt.service.js';
import { CheckErrorCode, CheckException } from './checks.exception.js';
import { ChecksService } from './checks.service.js';
import { CheckRequestDto, MAX_CHECK_SUBJECTS } from './dto/check-request.dto.js';

/**
 * A batch over the limit is refused as a whole (400) before any field is validated or any subject
 * looked at, naming the field: a 1,001st subject is not silently dropped.
 */
class SubjectLimitPipe implements PipeTransform<unknown> {
  transform(value: unknown): unknown {
    const subjects = (value as { subjects?: unknown } | null)?.subjects;
    if (Array.isArray(subjects) && subjects.length > MAX_CHECK_SUBJECTS)
      throw new CheckException(
        CheckErrorCode.TOO_MANY_SUBJECTS,
        `A check takes at most ${MAX_CHECK_SUBJECTS} subjects; this one has ${subjects.length}: split it`,
        [{ field: 'subjects', detail: `at most ${MAX_CHECK_SUBJECTS} subjects, got ${subjects.length}` }],
      );
    return value;
  }
}

/**
 * Checks at the point of decision (DESIGN §13) and their receipts: operators, subscribers and the
 * officers of implementing agencies. One call into a service each.
 */
@Controller('v1/checks')
@UseGuards(ClientAuthGuard)
@Roles('operator', 'subscriber', 'officer')
export class ChecksController {
  constructor(
    private readonly checks: ChecksService,
    private readonly receipts: ReceiptService,
    private readonly db: DataSource,
  ) {}

  @Post()
  @HttpCode(201)
  async check(
    @Body(new SubjectLimitPipe(), strictValidationPipe()) body: CheckRequestDto,
    @Req() request: ClientRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    const issued = await this.checks.check(body, request.client!);
    response.setHeader('Location', `/v1/checks/${issued.receipt.number}`);
    return issued;
  }

  /** The stored receipt, re-verified: signature, SHA-256 against its audit entry, the entry's place in the chain. */
  @Get(':number')
  verify(@Param('number') number: string, @Req() request: ClientRequest) {
    return this.receipts.verify(this.db, number, request.client!, 'check');
  }
}
