import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleConfig } from '../console.config.js';
import { type Html, html } from '../html/html.js';
import { csrfField, live, page, problemBox, when } from '../html/layout.js';
import { LiveStreams } from '../live/live-streams.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import { callApi, type Problem } from '../upstream/api-client.js';
import { type AccessReport, reportPage } from './access-report.view.js';

interface Dispute {
  disputeId: string;
  recordId: string;
  sector: string;
  agencyId: string;
  version: number;
  status: string;
  filedAt: string;
  dueBy: string;
  overdue: boolean;
  outcome: string | null;
  note: string | null;
  resolvedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const text = (v: unknown, max = 4000) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
const subjectQuery = (id: string, name: string) =>
  new URLSearchParams({ id, ...(name ? { name } : {}) }).toString();

/**
 * The subject desk: find a subject by USCC, resident id or pseudonym, file a dispute about one of
 * their records, follow it, and print their access report. The report is not refreshed live: every
 * read of it is audited as an access report, so it is read when the desk asks, not every 2 s.
 */
@Controller()
@UseGuards(SessionGuard)
export class SubjectsController {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly live: LiveStreams,
  ) {}

  @Get('subjects')
  async find(
    @CurrentSession() session: Session,
    @Query('id') rawId: string | undefined,
    @Query('name') rawName: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const id = text(rawId, 64);
    const name = text(rawName, 200);
    response
      .type('html')
      .send(page('Subject desk', await this.body(session, id, name), session, '/subjects').value);
  }

  @Get('subjects/report')
  async print(
    @CurrentSession() session: Session,
    @Query('id') rawId: string | undefined,
    @Query('name') rawName: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const id = text(rawId, 64);
    const report = await this.report(session, id);
    if (!report.ok) {
      response
        .status(report.problem.status)
        .type('html')
        .send(page('Access report', problemBox(report.problem, 'reading the access report'), session).value);
      return;
    }
    response.type('html').send(reportPage(report.body, text(rawName, 200), new Date()).value);
  }

  @Post('subjects/disputes')
  async file(
    @CurrentSession() session: Session,
    @Body() form: Record<string, unknown>,
    @Res() response: Response,
  ) {
    const subjectId = text(form['subjectId'], 64);
    const name = text(form['name'], 200);
    const filed = await callApi<Dispute>(this.config.EXCHANGE_URL, '/v1/disputes', session.key, {
      body: {
        recordId: text(form['recordId'], 64),
        grounds: text(form['grounds']),
        filedBy: text(form['filedBy'], 200),
      },
    });
    if (!filed.ok) {
      response
        .status(filed.problem.status)
        .type('html')
        .send(
          page('Subject desk', await this.body(session, subjectId, name, filed.problem), session, '/subjects')
            .value,
        );
      return;
    }
    response.redirect(303, `/disputes/${filed.body.disputeId}`);
  }

  @Get('disputes/:id')
  async follow(@CurrentSession() session: Session, @Param('id') id: string, @Res() response: Response) {
    if (!UUID.test(id)) {
      response
        .status(404)
        .type('html')
        .send(page('Dispute', html`<p>No such dispute.</p>`, session).value);
      return;
    }
    const body = live(`/disputes/${id}/live`, await this.dispute(session, id), 'Dispute');
    response.type('html').send(page('Dispute', body, session, '/subjects').value);
  }

  @Get('disputes/:id/live')
  stream(
    @CurrentSession() session: Session,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    if (!UUID.test(id)) {
      response.status(404).end();
      return;
    }
    this.live.stream(request, response, () => this.dispute(session, id));
  }

  private report(session: Session, id: string) {
    return callApi<AccessReport>(
      this.config.EXCHANGE_URL,
      `/v1/subjects/${encodeURIComponent(id)}/access-report`,
      session.key,
    );
  }

  private async dispute(session: Session, id: string): Promise<Html> {
    const result = await callApi<Dispute>(this.config.EXCHANGE_URL, `/v1/disputes/${id}`, session.key);
    if (!result.ok) return problemBox(result.problem, `reading dispute ${id}`);
    const d = result.body;
    return html`<dl class="card">
      <dt>Dispute</dt>
      <dd><code>${d.disputeId}</code></dd>
      <dt>Record</dt>
      <dd><code>${d.recordId}</code> (version ${d.version}, ${d.sector}, owned by ${d.agencyId})</dd>
      <dt>Status</dt>
      <dd data-testid="dispute-status" class="${d.overdue ? 'bad' : ''}">
        ${d.status}${d.overdue ? ' (overdue)' : ''}
      </dd>
      <dt>Filed</dt>
      <dd>${when(d.filedAt)}</dd>
      <dt>Due by</dt>
      <dd>${d.dueBy}</dd>
      <dt>Outcome</dt>
      <dd data-testid="dispute-outcome">${d.outcome ?? '—'}</dd>
      <dt>Agency's note</dt>
      <dd>${d.note ?? '—'}</dd>
      <dt>Resolved</dt>
      <dd>${when(d.resolvedAt)}</dd>
    </dl>`;
  }

  private async body(session: Session, id: string, name: string, problem?: Problem): Promise<Html> {
    const form = html`${problem ? problemBox(problem, 'filing the dispute') : ''}
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
              ${rec.disclosure.disclosureUntil}
            </p>
            <details>
              <summary>File a dispute about this record</summary>
              <form method="post" action="/subjects/disputes" class="stack">
                ${csrfField(session)} <input type="hidden" name="recordId" value="${rec.recordId}" /><input
                  type="hidden"
                  name="subjectId"
                  value="${id}"
                /><input type="hidden" name="name" value="${name}" />
                <label for="grounds-${rec.recordId}">Grounds</label
                ><textarea
                  id="grounds-${rec.recordId}"
                  name="grounds"
                  rows="3"
                  required
                  lang="zh-CN"
                ></textarea>
                <label for="filedBy-${rec.recordId}">Filed by</label
                ><input id="filedBy-${rec.recordId}" name="filedBy" required value="${name}" />
                <button type="submit">File the dispute</button>
              </form>
            </details>
          </section>`,
      )}
      <h2>Disclosures (${r.disclosures.length})</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Subscriber</th>
            <th scope="col">Record</th>
            <th scope="col" class="num">Version</th>
            <th scope="col">Event</th>
            <th scope="col">Rule</th>
          </tr>
        </thead>
        <tbody>
          ${r.disclosures.map(
            (d) =>
              html`<tr>
                <td>${when(d.at)}</td>
                <td>${d.subscriber}</td>
                <td><code>${d.recordId}</code></td>
                <td class="num">${d.version}</td>
                <td>${d.eventType}</td>
                <td><code>${d.rule}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>`;
  }
}
