import type { Response } from 'express';
import type { Session } from '../session/session.store.js';
import type { Problem } from '../upstream/api-client.js';
import { type Html, html } from './html.js';

interface NavItem {
  href: string;
  label: string;
}

/** The pages each role is sent to; a page outside them still works, and shows the API's 403. */
const NAV: Record<Session['role'], NavItem[]> = {
  operator: [
    { href: '/overview', label: 'Overview' },
    { href: '/journey', label: 'Record journey' },
    { href: '/dead-letters', label: 'Dead letters' },
    { href: '/subjects', label: 'Subject desk' },
    { href: '/policy', label: 'Policy' },
  ],
  'subject-desk': [{ href: '/subjects', label: 'Subject desk' }],
  agency: [{ href: '/inbox', label: 'Inbox' }],
};

export function homeOf(session: Session): string {
  return NAV[session.role][0]?.href ?? '/';
}

export function page(title: string, body: Html, session?: Session, current?: string): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Credit exchange console</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <span class="brand">Credit exchange console <span lang="zh-CN">信用信息交换</span></span>
          ${
            session
              ? html`<nav aria-label="Pages">
                    <ul>
                      ${NAV[session.role].map(
                        (item) =>
                          html`<li>
                            <a href="${item.href}" ${item.href === current ? html` aria-current="page"` : ''}
                              >${item.label}</a
                            >
                          </li>`,
                      )}
                    </ul>
                  </nav>
                  <form method="post" action="/sign-out" class="who">
                    <span>Signed in as <strong>${session.label}</strong></span>
                    <input type="hidden" name="_csrf" value="${session.csrf}" />
                    <button type="submit">Sign out</button>
                  </form>`
              : ''
          }
        </header>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}

/** Sends a console page: `current` marks its entry in the navigation; the status defaults to 200. */
export function sendPage(
  response: Response,
  view: { title: string; body: Html; session?: Session; current?: string; status?: number },
): void {
  response
    .status(view.status ?? 200)
    .type('html')
    .send(page(view.title, view.body, view.session, view.current).value);
}

/** A column heading; `num` right-aligns the column. */
export type Column = string | { label: string; num?: boolean };

/** A data table with scoped column headings; `rows` are its `<tr>` elements. */
export function table(columns: readonly Column[], rows: readonly Html[], testId?: string): Html {
  return html`<table ${testId ? html`data-testid="${testId}"` : ''}>
    <thead>
      <tr>
        ${columns.map((c) =>
          typeof c === 'string'
            ? html`<th scope="col">${c}</th>`
            : html`<th scope="col" ${c.num ? html`class="num"` : ''}>${c.label}</th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** An API's refusal or failure, as the API worded it. */
export function problemBox(problem: Problem, doing: string): Html {
  return html`<div class="problem" role="alert">
    <p><strong>${problem.status} ${problem.title}</strong> while ${doing}</p>
    ${problem.detail ? html`<p>${problem.detail}</p>` : ''}
    ${
      problem.errors?.length
        ? html`<ul>
            ${problem.errors.map((e) => html`<li><code>${e.field}</code>: ${e.detail}</li>`)}
          </ul>`
        : ''
    }
  </div>`;
}

export function notice(text: string): Html {
  return html`<p class="notice" role="status">${text}</p>`;
}

/** A region the page script keeps current from `source` (server-sent events), without a reload. */
export function live(source: string, content: Html, label: string): Html {
  return html`<section class="live" data-live="${source}" aria-label="${label}">${content}</section>`;
}

export function csrfField(session: Session): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}" />`;
}

export const when = (iso: string | null | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
