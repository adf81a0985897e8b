import { Body, Controller, Get, Header, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleConfig, SECTORS, type Sector } from '../console.config.js';
import { html } from '../html/html.js';
import { homeOf, page, problemBox } from '../html/layout.js';
import { callApi, type Problem } from '../upstream/api-client.js';
import { cookieOf, SESSION_COOKIE } from './session.guard.js';
import { type Role, type Session, SessionStore } from './session.store.js';

const NO_DISPUTE = '00000000-0000-4000-8000-000000000000';

/** Only same-site paths: a sign-in link cannot send the user on to another site. */
const safeNext = (next: unknown): string =>
  typeof next === 'string' && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) && !next.startsWith('/sign-') ? next : '';

/**
 * Sign-in with a key. The console does not keep a list of roles: it asks the APIs what the key may
 * do (the exchange's operator-only dispute list, then its subject-desk routes, then each sector
 * service) and keeps the answer with the key in a server-side session.
 */
@Controller()
export class SignInController {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly sessions: SessionStore,
  ) {}

  @Get()
  root(@Req() request: Request, @Res() response: Response): void {
    const session = this.sessions.touch(cookieOf(request, SESSION_COOKIE));
    response.redirect(303, session ? homeOf(session) : '/sign-in');
  }

  @Get('sign-in')
  @Header('content-type', 'text/html; charset=utf-8')
  form(@Query('next') next?: string): string {
    return this.render(safeNext(next)).value;
  }

  @Post('sign-in')
  async signIn(@Body() body: { key?: unknown; next?: unknown }, @Res() response: Response): Promise<void> {
    const key = typeof body.key === 'string' ? body.key.trim() : '';
    const next = safeNext(body.next);
    if (!key || key.length > 512 || /\s/.test(key)) {
      const problem = { status: 422, title: 'Unprocessable entity', detail: 'Paste the key you were given.' };
      response.status(422).type('html').send(this.render(next, problem).value);
      return;
    }
    const found = await this.identify(key);
    if ('problem' in found) {
      response
        .status(found.problem.status === 502 ? 502 : 401)
        .type('html')
        .send(this.render(next, found.problem).value);
      return;
    }
    const session = this.sessions.create({ key, ...found });
    response.cookie(SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.COOKIE_SECURE,
      path: '/',
    });
    response.redirect(303, next || homeOf(session));
  }

  @Post('sign-out')
  signOut(@Req() request: Request, @Res() response: Response): void {
    // No token check: signing out is harmless whoever asks for it.
    this.sessions.delete(cookieOf(request, SESSION_COOKIE));
    response.clearCookie(SESSION_COOKIE, { path: '/' });
    response.redirect(303, '/sign-in');
  }

  private async identify(
    key: string,
  ): Promise<Pick<Session, 'role' | 'label' | 'sector'> | { problem: Problem }> {
    const exchange = this.config.EXCHANGE_URL;
    const asOperator = await callApi(exchange, '/v1/disputes?status=open', key);
    if (asOperator.ok) return { role: 'operator', label: 'operator' };
    if (asOperator.problem.status === 403) {
      const asDesk = await callApi(exchange, `/v1/disputes/${NO_DISPUTE}`, key);
      if (!asDesk.ok && asDesk.problem.status === 404)
        return { role: 'subject-desk' satisfies Role, label: 'subject desk' };
      return {
        problem: {
          status: 403,
          title: 'Not a console key',
          detail:
            'The exchange knows this key, but as a subscriber: the console serves operators, the subject desk and agencies.',
        },
      };
    }
    if (asOperator.problem.status !== 401) return { problem: asOperator.problem };
    for (const sector of SECTORS) {
      const asAgency = await callApi(this.config.sectorUrls[sector], '/v1/disputes?status=open', key);
      if (asAgency.ok)
        return { role: 'agency', label: `agency (${sector})`, sector: sector satisfies Sector };
    }
    return {
      problem: {
        status: 401,
        title: 'Unknown key',
        detail: 'Neither the exchange nor any sector service accepts this key.',
      },
    };
  }

  private render(next: string, problem?: Problem) {
    return page(
      'Sign in',
      html`${problem ? problemBox(problem, 'signing in') : ''}
        <form method="post" action="/sign-in" class="card narrow">
          <p>
            Sign in with the key you were given: an operator's or the subject desk's key for the exchange, or
            your agency's key for its sector service. The key stays on the console's server for this session.
          </p>
          <label for="key">Key</label>
          <input id="key" name="key" type="password" autocomplete="off" required />
          <input type="hidden" name="next" value="${next}" />
          <button type="submit">Sign in</button>
        </form>`,
    );
  }
}
