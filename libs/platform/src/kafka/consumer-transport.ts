import {
  type ArgumentsHost,
  type BeforeApplicationShutdown,
  Catch,
  type INestApplication,
  type RpcExceptionFilter,
} from '@nestjs/common';
import {
  BaseRpcContext,
  type CustomTransportStrategy,
  type MessageHandler,
  type MicroserviceOptions,
  type NestMicroservice,
  Server,
} from '@nestjs/microservices';
import type { Kafka, Producer } from 'kafkajs';
import { isObservable, lastValueFrom, type Observable, throwError } from 'rxjs';
import { ConsumerRunner, type ConsumerRunnerOptions, type RefusingSlice } from './consumer-runner.js';

type RunnerModeOptions = Extract<ConsumerRunnerOptions, { commits: 'runner' }>;

/** What the transport needs of a runner (a ConsumerRunner; the unit tests give a stand-in). */
export interface SliceRunner {
  readonly producer: Producer;
  start(): Promise<void>;
  drain(): Promise<void>;
  stop(): Promise<void>;
  ready(): Promise<void>;
}

/** How one consumer (a consumer group) runs, beyond its topics: its ConsumerRunner's settings. */
export type ConsumerSettings = Partial<
  Pick<
    RunnerModeOptions,
    | 'groupId'
    | 'consumer'
    | 'fromBeginning'
    | 'partitionsConsumedConcurrently'
    | 'onCrash'
    | 'backoff'
    | 'countRefusals'
  >
>;

/** The extras of an `@EventPattern` this transport serves: which consumer (group) reads the topic. */
export interface ConsumerPatternExtras {
  /** Its runner's name (logs, the `consumer` metric label) and, unless its settings say otherwise, its group id. */
  consumer: string;
}

export interface ConsumerRunnerTransportOptions {
  kafka: Kafka;
  stallAfterMs: number;
  /**
   * The values of the `{name}` placeholders in patterns and consumer names, e.g. `{ sector: 'courts' }`
   * turns `credit.{sector}.requests.v1` into `credit.courts.requests.v1`.
   */
  params?: Readonly<Record<string, string>>;
  /** Settings by consumer name (placeholders resolved). */
  consumers?: Readonly<Record<string, ConsumerSettings>>;
  /** Builds one consumer's runner; a ConsumerRunner unless a test says otherwise. */
  createRunner?: (options: RunnerModeOptions) => SliceRunner;
}

/**
 * What an `@EventPattern` handler of this transport gets beside its `@Payload()` (the slice): the
 * topic and partition, and the producer of its consumer (what it answers with is sent on it).
 */
export class ConsumerRunnerContext extends BaseRpcContext<[RefusingSlice, Producer]> {
  getSlice(): RefusingSlice {
    return this.args[0];
  }
  getTopic(): string {
    return this.args[0].topic;
  }
  getPartition(): number {
    return this.args[0].partition;
  }
  getProducer(): Producer {
    return this.args[1];
  }
}

interface Consumer {
  name: string;
  runner: SliceRunner;
  /** Handler by concrete topic. */
  handlers: Map<string, MessageHandler>;
}

const PLACEHOLDER = /\{([a-zA-Z][\w-]*)\}/g;

/**
 * A Nest microservice transport over ConsumerRunner, so that a consumer is a controller whose handler
 * is declared with `@EventPattern(topic, { consumer })` and takes a slice of one partition:
 *
 *   @EventPattern(TopicPatterns.requests, { consumer: '{sector}-requests' })
 *   handle(@Payload() slice: RefusingSlice, @Ctx() context: ConsumerRunnerContext): Promise<void>
 *
 * Patterns are topic names, with `{sector}`-style placeholders filled from `params`. The handlers of
 * one consumer name share a consumer group (one runner, mode 'runner'): everything ConsumerRunner
 * does stays as it was (at-least-once, commit after the handler, refusals dead-lettered with their
 * code, transient errors retried, poison isolated). The handler's own error reaches the runner
 * unchanged (`startConsumers` installs the filter that keeps it), so it is classified as before.
 * Only events: a `@MessagePattern` (request/response) or a pattern with an unknown placeholder stops
 * the service at start; a slice from a topic no handler serves is refused (undecodable).
 */
export class ConsumerRunnerTransport
  extends Server
  implements CustomTransportStrategy, BeforeApplicationShutdown
{
  private consumers: Consumer[] = [];
  private stopping?: Promise<void>;

  constructor(private readonly options: ConsumerRunnerTransportOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    void (async () => {
      this.consumers = this.buildConsumers();
      await Promise.all(this.consumers.map((c) => c.runner.start()));
    })().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Stops fetching everywhere; the slices in hand finish and commit (before the HTTP server closes). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.runner.drain()));
  }

  close(): Promise<void> {
    this.stopping ??= Promise.all(this.consumers.map((c) => c.runner.stop())).then(() => undefined);
    return this.stopping;
  }

  /** Resolves when the named consumer is in its group and none of its partitions is stalled. */
  ready(consumer: string): Promise<void> {
    const found = this.consumers.find((c) => c.name === consumer);
    if (!found) return Promise.reject(new Error(`consumer ${consumer} is not running`));
    return found.runner.ready();
  }

  on(): never {
    throw new Error('ConsumerRunnerTransport has no events: see readiness and the consumer metrics');
  }

  unwrap<T>(): T {
    return this.consumers.map((c) => c.runner) as T;
  }

  private buildConsumers(): Consumer[] {
    const byName = new Map<string, Map<string, MessageHandler>>();
    for (const [pattern, handler] of this.messageHandlers) {
      if (!handler.isEventHandler)
        throw new Error(`${pattern}: a Kafka consumer handles events (@EventPattern), not requests`);
      const name = (handler.extras as Partial<ConsumerPatternExtras> | undefined)?.consumer;
      if (typeof name !== 'string' || name === '')
        throw new Error(`@EventPattern(${pattern}) names no consumer: give it { consumer: '<name>' }`);
      const consumer = this.resolve(name);
      const handlers = byName.get(consumer) ?? new Map<string, MessageHandler>();
      handlers.set(this.resolve(pattern), handler);
      byName.set(consumer, handlers);
    }
    const create = this.options.createRunner ?? ((options) => new ConsumerRunner(options));
    return [...byName].map(([name, handlers]) => {
      const settings = this.options.consumers?.[name] ?? {};
      const runner: SliceRunner = create({
        ...settings,
        name,
        groupId: settings.groupId ?? name,
        kafka: this.options.kafka,
        topics: [...handlers.keys()],
        stallAfterMs: this.options.stallAfterMs,
        commits: 'runner',
        handle: (slice) => this.dispatch({ name, handlers, runner }, slice),
      });
      return { name, handlers, runner };
    });
  }

  /** The slice to the handler of its topic, its error (or its stream's) back to the runner as thrown. */
  private async dispatch(consumer: Consumer, slice: RefusingSlice): Promise<void> {
    const handler = consumer.handlers.get(slice.topic);
    if (!handler) {
      for (const message of slice.messages)
        slice.refuse(message, {
          code: 'undecodable',
          detail: `consumer ${consumer.name} has no @EventPattern handler for topic ${slice.topic}`,
        });
      return;
    }
    const result: unknown = await handler(
      slice,
      new ConsumerRunnerContext([slice, consumer.runner.producer]),
    );
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  /** A pattern or consumer name with its placeholders filled; an unknown placeholder stops the start. */
  private resolve(template: string): string {
    return template.replace(PLACEHOLDER, (_, name: string) => {
      const value = this.options.params?.[name];
      if (value === undefined)
        throw new Error(`${template}: no value for {${name}} (the transport's params have none)`);
      return value;
    });
  }
}

/**
 * Nest's default RPC filter turns any error into `{ status: 'error' }`; the runner needs the error
 * itself to tell a transient failure (retry) from a poison message (isolate).
 */
@Catch()
export class KeepConsumerErrors implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Connects the app's `@EventPattern` handlers to `transport` and starts its consumers, after the
 * app's own init (so the database and topics are there first). Call before `app.listen`.
 */
export async function startConsumers(
  app: INestApplication,
  transport: ConsumerRunnerTransport = app.get(ConsumerRunnerTransport),
): Promise<void> {
  // What connectMicroservice does when not deferred, with the filter in place before the handlers are built.
  const microservice = app.connectMicroservice<MicroserviceOptions>(
    { strategy: transport },
    { deferInitialization: true },
  ) as NestMicroservice;
  microservice.useGlobalFilters(new KeepConsumerErrors());
  microservice.registerListeners();
  microservice.setIsInitialized(true);
  microservice.setIsInitHookCalled(true);
  await app.init();
  await app.startAllMicroservices();
}
