import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Html, html } from '../html/html.js';
import { isUuid, text } from '../html/inputs.js';
import { csrfField, live, notice, problemBox, sendPage, table, when } from '../html/layout.js';
import { LiveStreams } from '../live/live-streams.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import type { Problem } from '../upstream/api-client.js';
import { ConsoleApis } from '../upstream/console-apis.js';

interface DeadLetter {
  id: string;
  source: { topic: string; partition: number; offset: string };
  eventId: string | null;
  reason: string;
  deadLetteredAt: string;
  replayedAt: string | null;
}

/**
 * The reason's code. The list API gives the reason as text; the pipeline's refusals begin with
 * their code (`subject_identity_changed: …`), other reasons are shown under `other`.
 */
export function reasonCode(reason: string): string {
  return /^([a-z][a-z_]+):\s/.exec(reason)?.[1] ?? 'other';
}

interface Filters {
  topic: string;
  code: string;
  id: string;
}

/** Dead letters: list, filter by topic and reason code, inspect one, send it back through the exchange. */
@Controller('dead-letters')
@UseGuards(SessionGuard)
export class DeadLettersController {
  constructor(
    private readonly apis: ConsoleApis,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  async show(
    @CurrentSession() session: Session,
    @Query() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const filters = filtersOf(query);
    const replayed = text(query['replayed'], 64);
    const to = text(query['to'], 300);
    const body = html`${replayed ? notice(`Dead letter ${replayed} was sent back to ${to}.`) : ''}${await this.body(session, filters)}`;
    sendPage(response, { title: 'Dead letters', body, session, current: '/dead-letters' });
  }

  @Get('live')
  stream(
    @CurrentSession() session: Session,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const filters = filtersOf(query);
    this.live.stream(request, response, () => this.fragment(session, filters));
  }

  @Post(':id/replay')
  async replay(
    @CurrentSession() session: Session,
    @Param('id') id: string,
    @Body() form: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const filters = filtersOf(form);
    if (!isUuid(id)) {
      sendPage(response, {
        title: 'Dead letters',
        body: html`<p>No such dead letter.</p>`,
        session,
        status: 404,
      });
      return;
    }
    const result = await this.apis.exchange<{
      replayedTo: { topic: string; partition?: number; offset?: string };
    }>(session, `/v1/dead-letters/${id}/replay`, { method: 'POST', body: {} });
    if (!result.ok) {
      sendPage(response, {
        title: 'Dead letters',
        body: await this.body(session, filters, result.problem),
        session,
        current: '/dead-letters',
        status: result.problem.status,
      });
      return;
    }
    const to = result.body.replayedTo;
    const back = new URLSearchParams({
      ...nonEmpty(filters),
      replayed: id,
      to: `${to.topic}[${to.partition ?? '?'}]@${to.offset ?? '?'}`,
    });
    response.redirect(303, `/dead-letters?${back.toString()}`);
  }

  private async body(session: Session, filters: Filters, problem?: Problem): Promise<Html> {
    const query = new URLSearchParams(nonEmpty(filters)).toString();
    return html`${problem ? problemBox(problem, 'replaying the dead letter') : ''}
      <form method="get" action="/dead-letters" class="card inline" role="search">
        <div>
          <label for="topic">Source topic</label
          ><input id="topic" name="topic" value="${filters.topic}" placeholder="credit.courts.events.v1" />
        </div>
        <div>
          <label for="code">Reason code</label
          ><input id="code" name="code" value="${filters.code}" placeholder="undecodable" />
        </div>
        <button type="submit">Filter</button>
      </form>
      ${live(`/dead-letters/live${query ? `?${query}` : ''}`, await this.fragment(session, filters), 'Dead letters')}`;
  }

  private async fragment(session: Session, filters: Filters): Promise<Html> {
    const path = `/v1/dead-letters${filters.topic ? `?${new URLSearchParams({ topic: filters.topic }).toString()}` : ''}`;
    const result = await this.apis.exchange<{ deadLetters: DeadLetter[] }>(session, path);
    if (!result.ok) return problemBox(result.problem, 'reading the dead letters (GET /v1/dead-letters)');
    const all = result.body.deadLetters;
    const codes = [...new Set(all.map((d) => reasonCode(d.reason)))].sort();
    const shown = filters.code ? all.filter((d) => reasonCode(d.reason) === filters.code) : all;
    const inspected = filters.id ? all.find((d) => d.id === filters.id) : undefined;
    const link = (extra: Partial<Filters>) =>
      `/dead-letters?${new URLSearchParams(nonEmpty({ ...filters, ...extra })).toString()}`;
    return html` <p>
        Reason codes here:
        ${codes.length === 0 ? 'none' : codes.map((c, i) => html`${i ? ', ' : ''}<a href="${link({ code: c, id: '' })}">${c}</a>`)}${
          filters.code ? html` · <a href="${link({ code: '', id: '' })}">show all</a>` : ''
        }
      </p>
      ${inspected ? inspect(inspected, session, filters) : ''}
      ${table(
        ['When', 'Source', 'Code', 'Reason', 'Replayed', 'Actions'],
        shown.map(
          (d) =>
            html`<tr data-id="${d.id}" data-event-id="${d.eventId ?? ''}">
              <td>${when(d.deadLetteredAt)}</td>
              <td><code>${d.source.topic}[${d.source.partition}]@${d.source.offset}</code></td>
              <td>${reasonCode(d.reason)}</td>
              <td class="reason">${d.reason}</td>
              <td class="replayed">${when(d.replayedAt)}</td>
              <td>
                <a href="${link({ id: d.id })}">Inspect<span class="visually-hidden"> ${d.id}</span></a>
                ${replayForm(d, session, filters)}
              </td>
            </tr>`,
        ),
        'dead-letters',
      )}
      ${shown.length === 0 ? html`<p>No dead letter${filters.code || filters.topic ? ' matches' : ''}.</p>` : ''}`;
  }
}

function inspect(d: DeadLetter, session: Session, filters: Filters): Html {
  return html`<section class="card" aria-labelledby="inspect">
    <h2 id="inspect">Dead letter ${d.id}</h2>
    <dl>
      <dt>Source</dt>
      <dd><code>${d.source.topic}</code> partition ${d.source.partition}, offset ${d.source.offset}</dd>
      <dt>Event id</dt>
      <dd><code>${d.eventId ?? '—'}</code></dd>
      <dt>Reason code</dt>
      <dd>${reasonCode(d.reason)}</dd>
      <dt>Reason</dt>
      <dd class="reason">${d.reason}</dd>
      <dt>Dead-lettered</dt>
      <dd>${when(d.deadLetteredAt)}</dd>
      <dt>Replayed</dt>
      <dd>${when(d.replayedAt)}</dd>
    </dl>
    ${replayForm(d, session, filters)}
  </section>`;
}

function replayForm(d: DeadLetter, session: Session, filters: Filters): Html {
  return html`<form method="post" action="/dead-letters/${d.id}/replay" class="inline-form">
    ${csrfField(session)} <input type="hidden" name="topic" value="${filters.topic}" /><input
      type="hidden"
      name="code"
      value="${filters.code}"
    />
    <button type="submit">Replay<span class="visually-hidden"> ${d.id}</span></button>
  </form>`;
}

function filtersOf(query: Record<string, unknown>): Filters {
  const id = text(query['id'], 64);
  return { topic: text(query['topic'], 200), code: text(query['code'], 200), id: isUuid(id) ? id : '' };
}

function nonEmpty(filters: Partial<Filters>): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
}
