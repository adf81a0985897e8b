import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Html, html } from '../html/html.js';
import { isUuid, text } from '../html/inputs.js';
import { live, problemBox, sendPage, table, when } from '../html/layout.js';
import { LiveStreams } from '../live/live-streams.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import type { Problem } from '../upstream/api-client.js';
import { ConsoleApis } from '../upstream/console-apis.js';

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
    private readonly apis: ConsoleApis,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  async show(
    @CurrentSession() session: Session,
    @Query('recordId') recordId: unknown,
    @Query('subscriber') subscriber: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const id = text(recordId, 64);
    const who = text(subscriber, 100);
    const show = (body: Html) =>
      sendPage(response, { title: 'Record journey', body, session, current: '/journey' });
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
    if (!id) return show(form);
    if (!isUuid(id) || (who && !SUBSCRIBER.test(who)))
      return show(
        html`${form}${problemBox({ status: 422, title: 'Unprocessable entity', detail: 'A record id is a UUID; a subscriber id is lower-case letters, digits and hyphens.' }, 'reading the form')}`,
      );
    const query = new URLSearchParams({ recordId: id, ...(who ? { subscriber: who } : {}) });
    show(
      html`${form}${live(`/journey/live?${query.toString()}`, await this.fragment(session, id, who), 'Journey')}`,
    );
  }

  @Get('live')
  stream(
    @CurrentSession() session: Session,
    @Query('recordId') recordId: string,
    @Query('subscriber') subscriber: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    if (!isUuid(recordId) || (subscriber && !SUBSCRIBER.test(subscriber))) {
      response.status(422).end();
      return;
    }
    this.live.stream(request, response, () => this.fragment(session, recordId, subscriber ?? ''));
  }

  private async fragment(session: Session, recordId: string, subscriber: string): Promise<Html> {
    const [deliveries, explain] = await Promise.all([
      this.apis.exchange<{ deliveries: Delivery[] }>(session, `/v1/records/${recordId}/deliveries`),
      subscriber
        ? this.apis.exchange<Explain>(
            session,
            `/v1/routing/explain?${new URLSearchParams({ recordId, subscriber }).toString()}`,
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
            ${table(
              ['When', 'Subscriber', { label: 'Version', num: true }, 'Event', 'Rule', 'Topic'],
              list.map(
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
              ),
              'deliveries',
            )}`
    }
    ${explain === undefined ? '' : explainView(explain.ok ? explain.body : undefined, explain.ok ? undefined : explain.problem, subscriber)}`;
  }
}

function explainView(body: Explain | undefined, problem: Problem | undefined, subscriber: string): Html {
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
