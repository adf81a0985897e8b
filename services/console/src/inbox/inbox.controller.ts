import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleConfig } from '../console.config.js';
import { type Html, html } from '../html/html.js';
import { csrfField, live, notice, page, problemBox, when } from '../html/layout.js';
import { LiveStreams } from '../live/live-streams.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import { callApi, type Problem } from '../upstream/api-client.js';

interface InboxItem {
  id: string;
  recordId: string;
  sourceRecordId: string;
  recordType: string;
  version: number;
  grounds: string;
  filedBy: string;
  filedAt: string;
  dueBy?: string;
  overdue?: boolean;
  status: string;
  answer: string | null;
  note: string | null;
}

/** A measure task as GET /v1/tasks lists it (the fields this page shows). */
interface MeasureTaskItem {
  id: string;
  kind: 'apply' | 'lift';
  state: string;
  dueBy: string | null;
  overdue: boolean;
  documentNumber: string;
  measureText: string;
  legalBasis: string;
  subject: { id: string; name: string };
  endReason: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = ['open', 'resolved', 'all'] as const;
const OUTCOMES = ['upheld', 'corrected', 'withdrawn'] as const;

/** An agency's dispute inbox on its own sector service, answered in the page. */
@Controller('inbox')
@UseGuards(SessionGuard)
export class InboxController {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  async show(
    @CurrentSession() session: Session,
    @Query('status') status: string | undefined,
    @Query('answered') answered: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const body = html`${answered && UUID.test(answered) ? notice(`Dispute ${answered} answered; the exchange tells every holder.`) : ''}${this.body(session, statusOf(status), await this.fragment(session, statusOf(status)))}`;
    response.type('html').send(page('Dispute inbox', body, session, '/inbox').value);
  }

  @Get('live')
  stream(
    @CurrentSession() session: Session,
    @Query('status') status: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    this.live.stream(request, response, () => this.fragment(session, statusOf(status)));
  }

  @Post(':id/resolution')
  async resolve(
    @CurrentSession() session: Session,
    @Param('id') id: string,
    @Body() form: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const outcome = form['outcome'];
    const note = typeof form['note'] === 'string' ? form['note'].trim().slice(0, 4000) : '';
    const result = await this.sectorCall(
      session,
      `/v1/disputes/${UUID.test(id) ? id : 'invalid'}/resolution`,
      {
        outcome: typeof outcome === 'string' ? outcome : '',
        ...(note ? { note } : {}),
      },
    );
    if (!result.ok) {
      const body = this.body(session, 'open', await this.fragment(session, 'open'), result.problem);
      response
        .status(result.problem.status)
        .type('html')
        .send(page('Dispute inbox', body, session, '/inbox').value);
      return;
    }
    response.redirect(303, `/inbox?answered=${id}`);
  }

  private body(session: Session, status: string, fragment: Html, problem?: Problem): Html {
    return html`${problem ? problemBox(problem, 'answering the dispute') : ''}
      <form method="get" action="/inbox" class="card inline">
        <div>
          <label for="status">Show</label
          ><select id="status" name="status">
            ${STATUSES.map(
              (s) => html`<option value="${s}" ${s === status ? html` selected` : ''}>${s}</option>`,
            )}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      ${live(`/inbox/live?status=${status}`, fragment, 'Disputes')}`;
  }

  private sectorCall<T = { items: InboxItem[]; count: number; overdue: number }>(
    session: Session,
    path: string,
    body?: unknown,
  ) {
    if (!session.sector)
      return Promise.resolve({
        ok: false as const,
        problem: {
          status: 403,
          title: 'Forbidden',
          detail: 'Only an agency key has a dispute inbox on a sector service.',
        },
      });
    return callApi<T>(
      this.config.sectorUrls[session.sector],
      path,
      session.key,
      body === undefined ? {} : { method: 'POST', body },
    );
  }

  private async fragment(session: Session, status: string): Promise<Html> {
    return html`${await this.disputes(session, status)}${await this.tasks(session)}`;
  }

  /** The agency's open measure tasks (DESIGN §13), read-only: answered with `cie answer-task` or the API. */
  private async tasks(session: Session): Promise<Html> {
    const result = await this.sectorCall<{ items: MeasureTaskItem[]; count: number; overdue: number }>(
      session,
      '/v1/tasks?status=open',
    );
    if (!result.ok) return problemBox(result.problem, 'reading the measure tasks (GET /v1/tasks)');
    const { items, count, overdue } = result.body;
    return html`<h2>Measure tasks</h2>
      <p><strong data-testid="tasks-count">${count}</strong> open task(s), ${overdue} overdue.</p>
      ${items.map(
        (t) =>
          html`<section class="card task" data-id="${t.id}" aria-label="Task ${t.id}">
            <h3>${t.kind === 'lift' ? 'Lift' : 'Apply'}: <span lang="zh-CN">${t.measureText}</span></h3>
            <p class="${t.overdue ? 'bad' : ''}">
              ${t.subject.name} (${t.subject.id}) · ${t.documentNumber} · state <strong>${t.state}</strong> ·
              due by
              ${t.dueBy ?? '—'}${t.overdue ? ' (overdue)' : ''}${t.endReason ? html` · ended: ${t.endReason}` : ''}
            </p>
            <p class="muted" lang="zh-CN">${t.legalBasis}</p>
          </section>`,
      )}`;
  }

  private async disputes(session: Session, status: string): Promise<Html> {
    const result = await this.sectorCall(session, `/v1/disputes?status=${status}`);
    if (!result.ok) return problemBox(result.problem, 'reading the dispute inbox (GET /v1/disputes)');
    const { items, count, overdue } = result.body;
    return html`<p><strong data-testid="inbox-count">${count}</strong> dispute(s), ${overdue} overdue.</p>
      ${items.map(
        (d) =>
          html`<section class="card dispute" data-id="${d.id}" aria-label="Dispute ${d.id}">
            <h2>${d.sourceRecordId} <span class="muted">(${d.recordType}, version ${d.version})</span></h2>
            <p class="${d.overdue ? 'bad' : ''}">
              Status <strong>${d.status}</strong>${d.answer ? html`: ${d.answer}` : ''} · filed
              ${when(d.filedAt)} by ${d.filedBy} · due by ${d.dueBy ?? '—'}${d.overdue ? ' (overdue)' : ''}
            </p>
            <blockquote lang="zh-CN">${d.grounds}</blockquote>
            ${d.note ? html`<p>Note: ${d.note}</p>` : ''}
            ${
              d.status === 'open'
                ? html`<form method="post" action="/inbox/${d.id}/resolution" class="stack">
                    ${csrfField(session)}
                    <fieldset>
                      <legend>Outcome</legend>
                      ${OUTCOMES.map(
                        (o) =>
                          html`<label class="choice"
                            ><input
                              type="radio"
                              name="outcome"
                              value="${o}"
                              required${o === 'upheld' ? html` checked` : ''}
                            />
                            ${o}</label
                          >`,
                      )}
                    </fieldset>
                    <label for="note-${d.id}">Note to the subject</label
                    ><textarea id="note-${d.id}" name="note" rows="2" lang="zh-CN"></textarea>
                    <button type="submit">Send the answer</button>
                  </form>`
                : ''
            }
          </section>`,
      )}`;
  }
}

function statusOf(status: string | undefined): string {
  return (STATUSES as readonly string[]).includes(status ?? '') ? status! : 'open';
}
