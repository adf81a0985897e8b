import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { invalidFields, RequestErrorCode, RequestException } from '@cie/platform';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import { SubjectIdentityService } from '../identity/subject-identity.service.js';
import { ReceiptService } from '../receipts/receipt.service.js';
import { PolicyHolder } from '../routing/policy-holder.js';
import { canonicalSubjectId, subscriberSubjectId } from '../subjects/subject-id.js';
import { renderReportHtml } from './domain/report-html.js';
import { ReportService } from './report.service.js';

/**
 * The credit report (信用报告) as JSON or as a printable page, and its verification. A subscriber
 * gets its entitlement's view and gives a purpose, as for a subject's records.
 */
@Controller('v1')
@UseGuards(ClientAuthGuard)
@Roles('operator', 'subscriber', 'subject-desk')
export class ReportsController {
  constructor(
    private readonly reports: ReportService,
    private readonly receipts: ReceiptService,
    private readonly identity: SubjectIdentityService,
    private readonly db: DataSource,
    private readonly policies: PolicyHolder,
  ) {}

  @Get('subjects/:id/report')
  async report(
    @Param('id') id: string,
    @Query('format') format: string | undefined,
    @Query('purpose') purpose: string | undefined,
    @Req() request: ClientRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    const client = request.client!;
    if (format !== undefined && format !== 'json' && format !== 'html')
      throw invalidFields([{ field: 'format', detail: 'format must be json or html' }]);
    // A subscriber asks as on its subject queries: by its own pseudonym, by clear id only if entitled.
    const entitlement =
      client.role === 'subscriber'
        ? this.policies.current.subscribers.find((s) => s.id === client.subscriberId)
        : undefined;
    if (client.role === 'subscriber' && !entitlement)
      throw new RequestException(
        RequestErrorCode.FORBIDDEN,
        `client ${client.clientId} acts for no subscriber`,
      );
    const canonicalId = entitlement
      ? subscriberSubjectId(id, entitlement, this.identity)
      : canonicalSubjectId(id, this.identity);
    if (!canonicalId)
      throw invalidFields([
        {
          field: 'id',
          detail:
            'id must be a unified social credit code, a resident identity number or a subject pseudonym',
        },
      ]);
    if (client.role === 'subscriber' && (!purpose || purpose.trim() === '' || purpose.length > 200))
      throw new RequestException(RequestErrorCode.INVALID_FIELDS, 'purpose is required for a subscriber', [
        { field: 'purpose', detail: 'purpose is required: why the subscriber asks (at most 200 characters)' },
      ]);
    const issued = await this.reports.report(
      canonicalId,
      client,
      client.role === 'subscriber' ? client.subscriberId : undefined,
      purpose?.trim(),
    );
    response.setHeader('Location', `/v1/reports/${issued.receipt.number}`);
    if (format !== 'html') return issued;
    response.type('text/html; charset=utf-8');
    return renderReportHtml({
      number: issued.receipt.number,
      issuedAt: issued.receipt.issuedAt,
      subject: issued.receipt.subject,
      preparedFor: issued.receipt.preparedFor,
      sections: issued.receipt.sections,
      sha256: issued.sha256,
      keyId: issued.signature.keyId,
    });
  }

  /** A stored report re-verified, like a check receipt. */
  @Get('reports/:number')
  verify(@Param('number') number: string, @Req() request: ClientRequest) {
    return this.receipts.verify(this.db, number, request.client!, 'report');
  }
}
