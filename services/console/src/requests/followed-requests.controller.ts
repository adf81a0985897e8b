import { Controller, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Html, html } from '../html/html.js';
import { isUuid } from '../html/inputs.js';
import { live, problemBox, sendPage } from '../html/layout.js';
import { LiveStreams } from '../live/live-streams.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import { ConsoleApis } from '../upstream/console-apis.js';
import { type ExchangeRequestView, followedView, kindOf, type RequestKind } from './request-kinds.js';

/** /disputes/{id} or /repairs/{id}: which of the two the path names. */
const kindAt = (request: Request): RequestKind => kindOf(request.path.split('/')[1])!;

/**
 * A dispute or a repair request followed on the subject desk, live: the page shows the agency's
 * answer as soon as the exchange has it.
 */
@Controller(['disputes', 'repairs'])
@UseGuards(SessionGuard)
export class FollowedRequestsController {
  constructor(
    private readonly apis: ConsoleApis,
    private readonly live: LiveStreams,
  ) {}

  @Get(':id')
  async follow(
    @CurrentSession() session: Session,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const kind = kindAt(request);
    if (!isUuid(id)) {
      const body = html`<p>No such ${kind.noun}.</p>`;
      sendPage(response, { title: kind.title, body, session, status: 404 });
      return;
    }
    const body = live(`/${kind.segment}/${id}/live`, await this.view(session, kind, id), kind.title);
    sendPage(response, { title: kind.title, body, session, current: '/subjects' });
  }

  @Get(':id/live')
  stream(
    @CurrentSession() session: Session,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const kind = kindAt(request);
    if (!isUuid(id)) {
      response.status(404).end();
      return;
    }
    this.live.stream(request, response, () => this.view(session, kind, id));
  }

  private async view(session: Session, kind: RequestKind, id: string): Promise<Html> {
    const result = await this.apis.exchange<ExchangeRequestView>(session, `/v1/${kind.segment}/${id}`);
    return result.ok
      ? followedView(kind, result.body)
      : problemBox(result.problem, `reading ${kind.noun} ${id}`);
  }
}
