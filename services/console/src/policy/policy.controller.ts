import { Body, Controller, Get, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { type Html, html } from '../html/html.js';
import { csrfField, problemBox, sendPage, table, when } from '../html/layout.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import type { Problem } from '../upstream/api-client.js';
import { ConsoleApis } from '../upstream/console-apis.js';

interface PolicyStatus {
  version?: string;
  subscribers: string[];
  history: { version: string; sha256: string; recordedAt: string; recordedBy: string }[];
}
interface WhatIf {
  current: string;
  draft: string;
  recordsChecked: number;
  gains: number;
  losses: number;
  withdrawals: number;
  truncated: boolean;
  changes: {
    recordId: string;
    kind: string;
    subscriber: string;
    change: string;
    holds: boolean;
    reasons: string[];
  }[];
}

/** The subscriber policy: versions in force over time, and what a pasted draft would change. */
@Controller('policy')
@UseGuards(SessionGuard)
export class PolicyController {
  constructor(private readonly apis: ConsoleApis) {}

  @Get()
  async show(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    sendPage(response, { title: 'Policy', body: await this.body(session, ''), session, current: '/policy' });
  }

  @Post('what-if')
  async whatIf(
    @CurrentSession() session: Session,
    @Body() form: Record<string, unknown>,
    @Res() response: Response,
  ) {
    const draftText = typeof form['draft'] === 'string' ? form['draft'] : '';
    let draft: unknown;
    try {
      draft = JSON.parse(draftText);
    } catch (error) {
      const problem = {
        status: 400,
        title: 'Bad request',
        detail: `The draft is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
      const body = await this.body(session, draftText, problem);
      sendPage(response, { title: 'Policy', body, session, current: '/policy', status: 400 });
      return;
    }
    const result = await this.apis.exchange<WhatIf>(session, '/v1/policy/what-if', { body: draft });
    const body = result.ok
      ? await this.body(session, draftText, undefined, whatIfView(result.body))
      : await this.body(session, draftText, result.problem);
    const status = result.ok ? 200 : result.problem.status;
    sendPage(response, { title: 'Policy', body, session, current: '/policy', status });
  }

  private async body(session: Session, draft: string, problem?: Problem, outcome?: Html): Promise<Html> {
    const status = await this.apis.exchange<PolicyStatus>(session, '/v1/policy');
    return html`${
        !status.ok
          ? problemBox(status.problem, 'reading the policy (GET /v1/policy)')
          : html`<p>
                In force: <strong>${status.body.version ?? status.body.history[0]?.version ?? '—'}</strong>;
                subscribers: ${status.body.subscribers.join(', ')}
              </p>
              <h2>Version history</h2>
              ${table(
                ['Version', 'Recorded', 'By', 'SHA-256'],
                status.body.history.map(
                  (h) =>
                    html`<tr>
                      <td>${h.version}</td>
                      <td>${when(h.recordedAt)}</td>
                      <td>${h.recordedBy}</td>
                      <td><code>${h.sha256.slice(0, 16)}…</code></td>
                    </tr>`,
                ),
              )}`
      }
      <h2>What if</h2>
      ${problem ? problemBox(problem, 'running the draft') : ''} ${outcome ?? ''}
      <form method="post" action="/policy/what-if" class="stack card">
        ${csrfField(session)}
        <label for="draft"
          >Draft policy: <code>{"subscribers": …, "releaseRules": …}</code>, the two files' contents</label
        >
        <textarea id="draft" name="draft" rows="12" spellcheck="false" required>${draft}</textarea>
        <button type="submit">Run the draft against today's records</button>
      </form>`;
  }
}

function whatIfView(r: WhatIf): Html {
  return html`<section class="card" aria-labelledby="whatif">
    <h3 id="whatif">Draft ${r.draft} against ${r.current}</h3>
    <p>
      ${r.recordsChecked} record(s) checked: <strong>${r.gains}</strong> delivery(ies) gained,
      <strong>${r.losses}</strong> lost, <strong>${r.withdrawals}</strong> withdrawal(s) holders would
      get${r.truncated ? ' (list truncated)' : ''}.
    </p>
    ${table(
      ['Record', 'Kind', 'Subscriber', 'Change', 'Why'],
      r.changes.map(
        (c) =>
          html`<tr>
            <td>
              <a href="/journey?recordId=${c.recordId}&amp;subscriber=${c.subscriber}"
                ><code>${c.recordId}</code></a
              >
            </td>
            <td>${c.kind}</td>
            <td>${c.subscriber}</td>
            <td>${c.change}${c.holds ? ' (holds it)' : ''}</td>
            <td>${c.reasons.join('; ')}</td>
          </tr>`,
      ),
    )}
  </section>`;
}
