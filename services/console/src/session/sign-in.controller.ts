import { Body, Controller, Get, Header, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleConfig, SECTORS } from '../console.config.js';
import { html } from '../html/html.js';
import { homeOf, page, problemBox } from '../html/layout.js';
import type { Problem } from '../upstream/api-client.js';
import { ConsoleApis } from '../upstream/console-apis.js';
import { cookieOf, SESSION_COOKIE } from './session.guard.js';
import { type Session, SessionStore } from './session.store.js';

/** Only same-site paths: a sign-in link cannot send the user on to another site. */
const safeNext = (next: unknown): string =>
  typeof next === 'string' && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) && !next.startsWith('/sign-') ? next : '';

/**
 * Sign-in with a key. The console does not keep a list of keys or roles: it asks the exchange who
 * the key is (GET /v1/whoami), and for a key the exchange does not know, the sector services (each
 * knows its own agencies' keys), and keeps the answer with the key in a server-side session.
 */
@Controller()
export class SignInController {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly sessions: SessionStore,
    private readonly apis: ConsoleApis,
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
    const client = await this.apis.exchange<{ role: string; id: string }>({ key }, '/v1/whoami');
    if (client.ok) {
      if (client.body.role === 'operator') return { role: 'operator', label: 'operator' };
      if (client.body.role === 'subject-desk') return { role: 'subject-desk', label: 'subject desk' };
      return {
        problem: {
          status: 403,
          title: 'Not a console key',
          detail: `The exchange knows this key, as ${client.body.id} (${client.body.role}): the console serves operators, the subject desk and agencies.`,
        },
      };
    }
    if (client.problem.status !== 401) return { problem: client.problem };
    // Not the exchange's: an agency's key, which its own sector service knows.
    const answers = await Promise.all(
      SECTORS.map(async (sector) => ({
        sector,
        answer: await this.apis.sector<{ role: 'agency'; id: string }>({ key, sector }, '/v1/whoami'),
      })),
    );
    const own = answers.find((a) => a.answer.ok);
    if (own) return { role: 'agency', label: `agency (${own.sector})`, sector: own.sector };
    const unreachable = answers.find((a) => !a.answer.ok && a.answer.problem.status >= 500);
    if (unreachable && !unreachable.answer.ok) return { problem: unreachable.answer.problem };
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
