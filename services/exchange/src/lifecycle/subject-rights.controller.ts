import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { strictValidationPipe } from '@cie/platform';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { ClientAuthGuard, Roles } from '../access/exchange-clients.js';
import { SubjectRightsService } from './subject-rights.service.js';

export { SUBJECT_RIGHTS_ERROR_STATUS } from './subject-rights.exception.js';
export { DisputeSettings } from './subject-rights.service.js';

/** Publishes the exchange's own lifecycle commands (disputes, repair requests, expiry). */
export const COMMAND_PUBLISHER = Symbol('COMMAND_PUBLISHER');

/** A dispute (异议) or a credit repair request (信用修复), filed for the subject it is about. */
export class SubjectRequestDto {
  @IsUUID('all', { message: 'recordId must be the exchange record id (a UUID)' })
  recordId!: string;

  @IsString()
  @IsNotEmpty({ message: 'grounds must say why' })
  @MaxLength(4000)
  grounds!: string;

  /** Who files it: "subject", or a representative, e.g. "representative:张律师". */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  filedBy!: string;
}

/**
 * The data subject's rights (DESIGN §8), for the channel that serves subjects (`subject-desk`) and
 * for operators: file a dispute or a repair request, and follow it. One call into the service each.
 */
@Controller('v1')
@UseGuards(ClientAuthGuard)
@Roles('operator', 'subject-desk')
export class SubjectRightsController {
  constructor(private readonly rights: SubjectRightsService) {}

  @Post('disputes')
  @HttpCode(202)
  async fileDispute(
    @Body(strictValidationPipe()) body: SubjectRequestDto,
    @Res({ passthrough: true }) response: Response,
    @Headers('traceparent') traceparent?: string,
  ) {
    const filed = await this.rights.fileDispute(body, traceparent);
    response.setHeader('Location', `/v1/disputes/${filed.disputeId}`);
    return filed;
  }

  @Get('disputes/:id')
  dispute(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.rights.dispute(id);
  }

  /** Operators: disputes by status and sector, with how many are overdue. */
  @Get('disputes')
  @Roles('operator')
  disputes(
    @Query('status') status: string | undefined,
    @Query('sector') sector: string | undefined,
    @Query('overdue') overdue: string | undefined,
  ) {
    return this.rights.disputes({
      ...(status !== undefined && { status }),
      ...(sector !== undefined && { sector }),
      ...(overdue !== undefined && { overdue }),
    });
  }

  @Post('repairs')
  @HttpCode(202)
  async requestRepair(
    @Body(strictValidationPipe()) body: SubjectRequestDto,
    @Res({ passthrough: true }) response: Response,
    @Headers('traceparent') traceparent?: string,
  ) {
    const filed = await this.rights.requestRepair(body, traceparent);
    response.setHeader('Location', `/v1/repairs/${filed.requestId}`);
    return filed;
  }

  @Get('repairs/:id')
  repair(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.rights.repair(id);
  }
}
