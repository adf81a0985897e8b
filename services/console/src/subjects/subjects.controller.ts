import { Body, Controller, Get, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { type Html, html } from '../html/html.js';
import { text } from '../html/inputs.js';
import { csrfField, problemBox, sendPage, table, when } from '../html/layout.js';
import { kindOf, REQUEST_KINDS, type RequestKind } from '../requests/request-kinds.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import type { Problem } from '../upstream/api-client.js';
import { ConsoleApis } from '../upstream/console-apis.js';
import { type AccessReport, reportPage } from './access-report.view.js';

const subjectQuery = (id: string, name: string) =>
  new URLSearchParams({ id, ...(name ? { name } : {}) }).toString();

/**
 * The subject desk: find a subject by USCC, resident id or pseudonym, file a dispute or a credit
 * repair request about one of their records (followed on /disputes/{id} and /repairs/{id}), and print
 * their access report. The report is not refreshed live: every read of it is audited as an access
 * report, so it is read when the desk asks, not every 2 s.
 */
@Controller('subjects')
@UseGuards(SessionGuard)
export class SubjectsController {
  constructor(private readonly apis: ConsoleApis) {}

  @Get()
  async find(
    @CurrentSession() session: Session,
    @Query('id') rawId: unknown,
    @Query('name') rawName: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const body = await this.body(session, text(rawId, 64), text(rawName, 200));
    sendPage(response, { title: 'Subject desk', body, session, current: '/subjects' });
  }

  @Get('report')
  async print(
    @CurrentSession() session: Session,
    @Query('id') rawId: unknown,
    @Query('name') rawName: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const report = await this.report(session, text(rawId, 64));
    if (!report.ok) {
      const body = problemBox(report.problem, 'reading the access report');
      sendPage(response, { title: 'Access report', body, session, status: report.problem.status });
      return;
    }
    response.type('html').send(reportPage(report.body, text(rawName, 200), new Date()).value);
  }

  /** POST /subjects/disputes or /subjects/repairs: filed at the exchange, then followed on its own page. */
  @Post(':kind')
  async file(
    @CurrentSession() session: Session,
    @Param('kind') segment: string,
    @Body() form: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const kind = kindOf(segment);
    if (!kind) {
      sendPage(response, {
        title: 'Subject desk',
        body: html`<p>No such request.</p>`,
        session,
        status: 404,
      });
      return;
    }
    const filed = await this.apis.exchange<{ disputeId?: string; requestId?: string }>(
      session,
      `/v1/${kind.segment}`,
      {
        body: {
          recordId: text(form['recordId'], 64),
          grounds: text(form['grounds']),
          filedBy: text(form['filedBy'], 200),
        },
      },
    );
    if (!filed.ok) {
      const body = await this.body(session, text(form['subjectId'], 64), text(form['name'], 200), {
        kind,
        problem: filed.problem,
      });
      sendPage(response, {
        title: 'Subject desk',
        body,
        session,
        current: '/subjects',
        status: filed.problem.status,
      });
      return;
    }
    response.redirect(303, `/${kind.segment}/${filed.body.disputeId ?? filed.body.requestId}`);
  }

  private report(session: Session, id: string) {
    return this.apis.exchange<AccessReport>(session, `/v1/subjects/${encodeURIComponent(id)}/access-report`);
  }

  private async body(
    session: Session,
    id: string,
    name: string,
    refused?: { kind: RequestKind; problem: Problem },
  ): Promise<Html> {
    const form = html`${refused ? problemBox(refused.problem, refused.kind.file.doing) : ''}
      <form method="get" action="/subjects" class="card inline" role="search">
        <div>
          <label for="id">USCC, resident id or pseudonym</label
          ><input id="id" name="id" value="${id}" required size="24" />
        </div>
        <div>
          <label for="name">Name as on their papers (printed on the report)</label
          ><input id="name" name="name" value="${name}" lang="zh-CN" />
        </div>
        <button type="submit">Find</button>
      </form>`;
    if (!id) return form;
    const report = await this.report(session, id);
    if (!report.ok) return html`${form}${problemBox(report.problem, 'reading the access report')}`;
    const r = report.body;
    return html`${form}
      <p>
        <a href="/subjects/report?${subjectQuery(id, name)}" target="_blank" rel="noopener"
          >Print the access report (A4)</a
        >
      </p>
      <h2>Records about <code>${r.subject}</code> (${r.records.length})</h2>
      ${r.records.length === 0 ? html`<p>The exchange holds no record about this subject.</p>` : ''}
      ${r.records.map(
        (rec) =>
          html`<section class="card" aria-label="Record ${rec.recordId}">
            <h3><span lang="zh-CN">${rec.source.decidingAuthority}</span> · ${rec.kind}</h3>
            <p>
              Record <code>${rec.recordId}</code> · ${rec.source.decisionNumber} · status
              <strong>${rec.status}</strong> · ${rec.versions.length} version(s) · disclosed until
              ${rec.disclosure.disclosureUntil}${
                rec.disclosure.repairableFrom ? html` · repairable from ${rec.disclosure.repairableFrom}` : ''
              }
            </p>
            ${REQUEST_KINDS.map((kind) => requestForm(kind, session, rec.recordId, id, name))}
          </section>`,
      )}
      <h2>Disclosures (${r.disclosures.length})</h2>
      ${table(
        ['When', 'Subscriber', 'Record', { label: 'Version', num: true }, 'Event', 'Rule'],
        r.disclosures.map(
          (d) =>
            html`<tr>
              <td>${when(d.at)}</td>
              <td>${d.subscriber}</td>
              <td><code>${d.recordId}</code></td>
              <td class="num">${d.version}</td>
              <td>${d.eventType}</td>
              <td><code>${d.rule}</code></td>
            </tr>`,
        ),
      )}`;
  }
}

/** The desk's form for filing a dispute or a repair request about one record. */
function requestForm(
  kind: RequestKind,
  session: Session,
  recordId: string,
  subjectId: string,
  name: string,
): Html {
  const field = `${kind.segment}-${recordId}`;
  return html`<details>
    <summary>${kind.file.summary}</summary>
    <form method="post" action="/subjects/${kind.segment}" class="stack">
      ${csrfField(session)} <input type="hidden" name="recordId" value="${recordId}" /><input
        type="hidden"
        name="subjectId"
        value="${subjectId}"
      /><input type="hidden" name="name" value="${name}" /> <label for="grounds-${field}">Grounds</label
      ><textarea id="grounds-${field}" name="grounds" rows="3" required lang="zh-CN"></textarea>
      <label for="filedBy-${field}">Filed by</label
      ><input id="filedBy-${field}" name="filedBy" required value="${name}" />
      <button type="submit">${kind.file.button}</button>
    </form>
  </details>`;
}
