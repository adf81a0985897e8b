import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Html, html, raw } from '../html/html.js';
import { live, problemBox, sendPage, table } from '../html/layout.js';
import { LiveStreams } from '../live/live-streams.js';
import { CurrentSession, SessionGuard } from '../session/session.guard.js';
import type { Session } from '../session/session.store.js';
import { ConsoleApis } from '../upstream/console-apis.js';
import { lineChart } from './domain/chart.js';
import { throughput } from './domain/prometheus.js';
import { MetricsHistory } from './metrics-history.js';

interface Disputes {
  open: number;
  overdue: number;
}
interface MeasureTasks {
  count: number;
  overdue: number;
}
interface DeletionAcks {
  subscribers: {
    subscriber: string;
    outstanding: number;
    acknowledged: number;
    oldestAgeSeconds: number | null;
  }[];
}

const age = (seconds: number | null) =>
  seconds === null
    ? '—'
    : seconds < 120
      ? `${seconds} s`
      : seconds < 7200
        ? `${Math.round(seconds / 60)} min`
        : `${(seconds / 3600).toFixed(1)} h`;

/** The operator's overview: lag and throughput over time, dead letters, disputes, measure tasks, deletion acks. */
@Controller('overview')
@UseGuards(SessionGuard)
export class OverviewController {
  constructor(
    private readonly apis: ConsoleApis,
    private readonly metrics: MetricsHistory,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  async show(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    const body = live('/overview/live', await this.fragment(session), 'Overview');
    sendPage(response, { title: 'Overview', body, session, current: '/overview' });
  }

  @Get('live')
  stream(@CurrentSession() session: Session, @Req() request: Request, @Res() response: Response): void {
    this.live.stream(request, response, () => this.fragment(session));
  }

  private async fragment(session: Session): Promise<Html> {
    const [disputes, acks, tasks] = await Promise.all([
      this.apis.exchange<Disputes>(session, '/v1/disputes?status=open'),
      this.apis.exchange<DeletionAcks>(session, '/v1/deletion-acks'),
      this.apis.exchange<MeasureTasks>(session, '/v1/tasks?status=open'),
    ]);
    // The metrics route is open, but the overview is the operator's: the API's refusal stands for it.
    if (!disputes.ok) return problemBox(disputes.problem, 'reading the disputes (GET /v1/disputes)');
    const history = this.metrics.history;
    const latest = history.at(-1);
    const reasons = Object.entries(latest?.deadLettersByReason ?? {}).sort((a, b) => b[1] - a[1]);
    return html` <div class="grid">
        <div class="card">
          <h2>Consumer lag</h2>
          ${raw(
            lineChart(
              history.map((p) => ({ at: p.at, value: p.lag })),
              { title: 'Consumer lag', unit: 'messages' },
            ),
          )}
          <p>Now: <strong data-testid="lag">${latest?.lag ?? '—'}</strong> messages behind</p>
        </div>
        <div class="card">
          <h2>Throughput</h2>
          ${raw(lineChart(throughput(history), { title: 'Events processed', unit: 'events/s' }))}
          <p>Events processed since the exchange started: <strong>${latest?.processed ?? '—'}</strong></p>
        </div>
      </div>
      ${this.metrics.error ? html`<p class="notice" role="status">Metrics: ${this.metrics.error}</p>` : ''}
      <div class="grid">
        <div class="card">
          <h2>Dead letters by reason code</h2>
          ${
            reasons.length === 0
              ? html`<p>None since the exchange started.</p>`
              : table(
                  ['Reason code', { label: 'Count', num: true }],
                  reasons.map(
                    ([code, n]) =>
                      html`<tr>
                        <td><a href="/dead-letters?code=${code}">${code}</a></td>
                        <td class="num">${n}</td>
                      </tr>`,
                  ),
                )
          }
        </div>
        <div class="card">
          <h2>Disputes</h2>
          <p>
            <strong data-testid="disputes-open">${disputes.body.open}</strong> open, of which
            <strong class="${disputes.body.overdue > 0 ? 'bad' : ''}">${disputes.body.overdue}</strong>
            overdue
          </p>
        </div>
        <div class="card">
          <h2>Measure tasks</h2>
          ${
            !tasks.ok
              ? problemBox(tasks.problem, 'reading the measure tasks (GET /v1/tasks)')
              : html`<p>
                  <strong>${tasks.body.count}</strong> open, of which
                  <strong data-testid="tasks-overdue" class="${tasks.body.overdue > 0 ? 'bad' : ''}"
                    >${tasks.body.overdue}</strong
                  >
                  overdue (past their answer deadline)
                </p>`
          }
        </div>
        <div class="card">
          <h2>Deletion acknowledgements outstanding</h2>
          ${
            !acks.ok
              ? problemBox(acks.problem, 'reading the deletion acknowledgements')
              : acks.body.subscribers.length === 0
                ? html`<p>No deletion event was sent yet.</p>`
                : table(
                    [
                      'Subscriber',
                      { label: 'Outstanding', num: true },
                      { label: 'Acknowledged', num: true },
                      'Oldest outstanding',
                    ],
                    acks.body.subscribers.map(
                      (s) =>
                        html`<tr>
                          <td>${s.subscriber}</td>
                          <td class="num">${s.outstanding}</td>
                          <td class="num">${s.acknowledged}</td>
                          <td>${age(s.oldestAgeSeconds)}</td>
                        </tr>`,
                    ),
                  )
          }
        </div>
      </div>`;
  }
}
