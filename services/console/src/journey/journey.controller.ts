import { Controller, Get, Header, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleConfig } from '../console.config.js';
import { type Html, html } from '../html/html.js';
import { live, page, problemBox, when } from '../html/layout.js';
import { LiveStreams } from '../live/live-streams.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import { callApi } from '../upstream/api-client.js';

interface Delivery {
  deliveryId: string;
  subscriber: string;
  version: number;
  eventType: string;
  rule: string;
  topic: string;
  deliveredAt: string;
}
interface Explain {
  version: number;
  kind: string;
  subscriber: string;
  policyVersion: string;
  decision: { allowed: boolean; rule: string | null; reasons: string[] };
  deliveries: Delivery[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SUBSCRIBER = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** A version's place on the timeline: when it first went out, and as what. */
export function versionsOf(deliveries: readonly Delivery[]) {
  const byVersion = new Map<
    number,
    { version: number; first: string; events: Set<string>; to: Set<string> }
  >();
  for (const d of deliveries) {
    const v = byVersion.get(d.version) ?? {
      version: d.version,
      first: d.deliveredAt,
      events: new Set(),
      to: new Set(),
    };
    if (d.deliveredAt < v.first) v.first = d.deliveredAt;
    v.events.add(d.eventType);
    v.to.add(d.subscriber);
    byVersion.set(d.version, v);
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** One record's journey: its versions, every delivery with its rule, and why (not) for a subscriber. */
@Controller('journey')
@UseGuards(SessionGuard)
export class JourneyController {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  async show(
    @CurrentSession() session: Session,
    @Query('recordId') recordId = '',
    @Query('subscriber') subscriber = '',
  ): Promise<string> {
    const id = recordId.trim();
    const who = subscriber.trim();
    const form = html`<form method="get" action="/journey" class="card inline" role="search">
      <div>
        <label for="recordId">Record id</label>
        <input id="recordId" name="recordId" value="${id}" size="38" required pattern="[0-9a-fA-F-]{36}" />
      </div>
      <div>
        <label for="subscriber">Why / why not for subscriber</label>
        <input id="subscriber" name="subscriber" value="${who}" placeholder="beijing-platform" />
      </div>
      <button type="submit">Show</button>
    </form>`;
    if (!id) return page('Record journey', form, session, '/journey').value;
    if (!UUID.test(id) || (who && !SUBSCRIBER.test(who)))
      return page(
        'Record journey',
        html`${form}${problemBox({ status: 422, title: 'Unprocessable entity', detail: 'A record id is a UUID; a subscriber id is lower-case letters, digits and hyphens.' }, 'reading the form')}`,
        session,
        '/journey',
      ).value;
    const query = new URLSearchParams({ recordId: id, ...(who ? { subscriber: who } : {}) });
    return page(
      'Record journey',
      html`${form}${live(`/journey/live?${query.toString()}`, await this.fragment(session, id, who), 'Journey')}`,
      session,
      '/journey',
    ).value;
  }

  @Get('live')
  stream(
    @CurrentSession() session: Session,
    @Query('recordId') recordId: string,
    @Query('subscriber') subscriber: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    if (!UUID.test(recordId ?? '') || (subscriber && !SUBSCRIBER.test(subscriber))) {
      response.status(422).end();
      return;
    }
    this.live.stream(request, response, () => this.fragment(session, recordId, subscriber ?? ''));
  }

  private async fragment(session: Session, recordId: string, subscriber: string): Promise<Html> {
    const exchange = this.config.EXCHANGE_URL;
    const [deliveries, explain] = await Promise.all([
      callApi<{ deliveries: Delivery[] }>(exchange, `/v1/records/${recordId}/deliveries`, session.key),
      subscriber
        ? callApi<Explain>(
            exchange,
            `/v1/routing/explain?${new URLSearchParams({ recordId, subscriber }).toString()}`,
            session.key,
          )
        : Promise.resolve(undefined),
    ]);
    const list = deliveries.ok ? deliveries.body.deliveries : [];
    return html` ${
      !deliveries.ok
        ? problemBox(deliveries.problem, `reading the deliveries (GET /v1/records/${recordId}/deliveries)`)
        : html`<h2>Versions</h2>
            <ol class="timeline" data-testid="timeline">
              ${versionsOf(list).map(
                (v) =>
                  html`<li>
                    <span class="when">${when(v.first)}</span> <strong>version ${v.version}</strong>:
                    ${[...v.events].join(', ')} to ${v.to.size} subscriber(s)
                  </li>`,
              )}
            </ol>
            ${list.length === 0 ? html`<p>Not delivered to anyone yet.</p>` : ''}
            <h2>Deliveries (<span data-testid="delivery-count">${list.length}</span>)</h2>
            <table data-testid="deliveries">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Subscriber</th>
                  <th scope="col" class="num">Version</th>
                  <th scope="col">Event</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Topic</th>
                </tr>
              </thead>
              <tbody>
                ${list.map(
                  (d) =>
                    html`<tr>
                      <td>${when(d.deliveredAt)}</td>
                      <td>
                        <a href="/journey?recordId=${recordId}&amp;subscriber=${d.subscriber}"
                          >${d.subscriber}</a
                        >
                      </td>
                      <td class="num">${d.version}</td>
                      <td>${d.eventType}</td>
                      <td><code>${d.rule}</code></td>
                      <td><code>${d.topic}</code></td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
    ${explain === undefined ? '' : explainView(explain.ok ? explain.body : undefined, explain.ok ? undefined : explain.problem, subscriber)}`;
  }
}

function explainView(
  body: Explain | undefined,
  problem: Parameters<typeof problemBox>[0] | undefined,
  subscriber: string,
): Html {
  if (!body)
    return problemBox(problem!, `explaining the routing for ${subscriber} (GET /v1/routing/explain)`);
  const { decision } = body;
  return html`<section class="card" aria-labelledby="why">
    <h2 id="why">Why ${decision.allowed ? '' : 'not '}${subscriber}</h2>
    <p data-testid="decision" class="${decision.allowed ? 'good' : 'bad'}">
      ${decision.allowed ? 'Allowed' : 'Not allowed'}${
        decision.rule ? html` under rule <code>${decision.rule}</code>` : ''
      }
      (version ${body.version}, ${body.kind}, policy ${body.policyVersion})
    </p>
    <ul data-testid="reasons">
      ${decision.reasons.map((r) => html`<li>${r}</li>`)}
    </ul>
    <p>${body.deliveries.length} delivery(ies) to ${subscriber} in the ledger.</p>
  </section>`;
}
