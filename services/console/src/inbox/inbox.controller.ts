import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Html, html } from '../html/html.js';
import { isUuid, text } from '../html/inputs.js';
import { live, notice, problemBox, sendPage } from '../html/layout.js';
import { LiveStreams } from '../live/live-streams.js';
import {
  inboxCard,
  type InboxItem,
  kindOf,
  REQUEST_KINDS,
  type RequestKind,
} from '../requests/request-kinds.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import type { Problem } from '../upstream/api-client.js';
import { ConsoleApis } from '../upstream/console-apis.js';

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

/** waiting: open disputes and pending repair requests; answered: the others. */
const SHOW = ['waiting', 'answered', 'all'] as const;
type Show = (typeof SHOW)[number];
const showOf = (value: unknown): Show => SHOW.find((s) => s === value) ?? 'waiting';

/**
 * An agency's inbox on its own sector service: disputes and credit repair requests about its
 * records, answered in the page, and its open measure tasks.
 */
@Controller('inbox')
@UseGuards(SessionGuard)
export class InboxController {
  constructor(
    private readonly apis: ConsoleApis,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  async show(
    @CurrentSession() session: Session,
    @Query('show') show: unknown,
    @Query('answered') answered: unknown,
    @Query('kind') segment: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const kind = kindOf(segment);
    const done =
      kind && isUuid(answered)
        ? notice(`${kind.title} ${answered} answered; the exchange tells every holder.`)
        : '';
    const body = html`${done}${await this.body(session, showOf(show))}`;
    sendPage(response, { title: 'Inbox', body, session, current: '/inbox' });
  }

  @Get('live')
  stream(
    @CurrentSession() session: Session,
    @Query('show') show: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    this.live.stream(request, response, () => this.fragment(session, showOf(show)));
  }

  /** POST /inbox/disputes/{id}/answer or /inbox/repairs/{id}/answer: the agency's answer, on its sector service. */
  @Post(':kind/:id/answer')
  async answer(
    @CurrentSession() session: Session,
    @Param('kind') segment: string,
    @Param('id') id: string,
    @Body() form: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const kind = kindOf(segment);
    if (!kind || !isUuid(id)) {
      sendPage(response, { title: 'Inbox', body: html`<p>No such request.</p>`, session, status: 404 });
      return;
    }
    const result = await this.apis.sector(session, `/v1/${kind.segment}/${id}/${kind.answer.path}`, {
      method: 'POST',
      body: kind.answer.body(text(form['choice'], 40), text(form['note'])),
    });
    if (!result.ok) {
      const body = await this.body(session, 'waiting', { kind, problem: result.problem });
      sendPage(response, { title: 'Inbox', body, session, current: '/inbox', status: result.problem.status });
      return;
    }
    response.redirect(303, `/inbox?${new URLSearchParams({ kind: kind.segment, answered: id }).toString()}`);
  }

  private async body(session: Session, show: Show, refused?: { kind: RequestKind; problem: Problem }) {
    return html`${refused ? problemBox(refused.problem, `answering the ${refused.kind.noun}`) : ''}
      <form method="get" action="/inbox" class="card inline">
        <div>
          <label for="show">Show</label
          ><select id="show" name="show">
            ${SHOW.map((s) => html`<option value="${s}" ${s === show ? html` selected` : ''}>${s}</option>`)}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      ${live(`/inbox/live?show=${show}`, await this.fragment(session, show), 'Inbox')}`;
  }

  private async fragment(session: Session, show: Show): Promise<Html> {
    const sections = await Promise.all([
      ...REQUEST_KINDS.map((kind) => this.requests(session, kind, show)),
      this.tasks(session),
    ]);
    return html`${sections}`;
  }

  private async requests(session: Session, kind: RequestKind, show: Show): Promise<Html> {
    const path = `/v1/${kind.segment}?status=${show === 'waiting' ? kind.waiting : 'all'}`;
    const result = await this.apis.sector<{ items: InboxItem[] }>(session, path);
    if (!result.ok)
      return problemBox(result.problem, `reading the ${kind.plural.toLowerCase()} (GET ${path})`);
    const items =
      show === 'answered' ? result.body.items.filter((i) => i.status !== kind.waiting) : result.body.items;
    const overdue = items.filter((i) => i.overdue).length;
    return html`<h2>${kind.plural}</h2>
      <p>
        <strong data-testid="${kind.segment}-count">${items.length}</strong> ${kind.noun}(s)${
          kind.segment === 'disputes' ? `, ${overdue} overdue` : ''
        }.
      </p>
      ${items.map((item) => inboxCard(kind, item, session))}`;
  }

  /** The agency's open measure tasks (DESIGN §13), read-only: answered with `cie answer-task` or the API. */
  private async tasks(session: Session): Promise<Html> {
    const result = await this.apis.sector<{ items: MeasureTaskItem[]; count: number; overdue: number }>(
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
}
