import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthController, MetricsController, READINESS_CHECKS, type ReadinessCheck } from '@cie/platform';
import { ConsoleConfig } from './console.config.js';
import { DeadLettersController } from './dead-letters/dead-letters.controller.js';
import { HtmlExceptionFilter } from './html/html-exception.filter.js';
import { InboxController } from './inbox/inbox.controller.js';
import { JourneyController } from './journey/journey.controller.js';
import { LiveStreams } from './live/live-streams.js';
import { MetricsHistory } from './overview/metrics-history.js';
import { OverviewController } from './overview/overview.controller.js';
import { PolicyController } from './policy/policy.controller.js';
import { FollowedRequestsController } from './requests/followed-requests.controller.js';
import { SessionGuard } from './session/session.guard.js';
import { SessionStore } from './session/session.store.js';
import { SignInController } from './session/sign-in.controller.js';
import { SubjectsController } from './subjects/subjects.controller.js';
import { ConsoleApis } from './upstream/console-apis.js';

@Module({})
export class AppModule {
  static forRoot(config: ConsoleConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [
        HealthController,
        MetricsController,
        SignInController,
        OverviewController,
        JourneyController,
        DeadLettersController,
        SubjectsController,
        FollowedRequestsController,
        InboxController,
        PolicyController,
      ],
      providers: [
        { provide: ConsoleConfig, useValue: config },
        { provide: SessionStore, useValue: new SessionStore(config.SESSION_IDLE_MINUTES * 60_000) },
        SessionGuard,
        ConsoleApis,
        LiveStreams,
        MetricsHistory,
        {
          // Ready when the exchange answers: without it no one can sign in but agencies.
          provide: READINESS_CHECKS,
          useValue: [
            {
              name: 'exchange',
              check: async () => {
                const response = await fetch(`${config.EXCHANGE_URL}/health/live`, {
                  signal: AbortSignal.timeout(2000),
                });
                if (!response.ok)
                  throw new Error(`${config.EXCHANGE_URL}/health/live answered ${response.status}`);
              },
            },
          ] satisfies ReadinessCheck[],
        },
        { provide: APP_FILTER, useClass: HtmlExceptionFilter },
      ],
    };
  }
}
