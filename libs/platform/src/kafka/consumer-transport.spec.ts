import { Controller, type INestApplication, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { KafkaJSConnectionError } from 'kafkajs';
import type { Refusal } from '../refusals.js';
import type { ConsumerRunnerOptions, RefusingSlice } from './consumer-runner.js';
import {
  type ConsumerRunnerContext,
  ConsumerRunnerTransport,
  type SliceRunner,
  startConsumers,
} from './consumer-transport.js';
import { classifyError } from './error-classification.js';

type RunnerOptions = Extract<ConsumerRunnerOptions, { commits: 'runner' }>;

const seen: { handler: string; topic: string; offsets: string[]; producer?: Producer }[] = [];
const producer = { send: () => Promise.resolve([]) } as unknown as Producer;
let failWith: Error | undefined;

@Controller()
class RequestsConsumer {
  @EventPattern('credit.{sector}.requests.v1', { consumer: '{sector}-requests' })
  requests(@Payload() slice: RefusingSlice): void {
    if (failWith) throw failWith;
    seen.push({ handler: 'requests', topic: slice.topic, offsets: slice.messages.map((m) => m.offset) });
  }

  @EventPattern<string>('credit.{sector}.outcomes.v1', { consumer: '{sector}-outcomes' })
  async outcomes(@Payload() slice: RefusingSlice, @Ctx() context: ConsumerRunnerContext): Promise<void> {
    await Promise.resolve();
    seen.push({
      handler: 'outcomes',
      topic: context.getTopic(),
      offsets: slice.messages.map((m) => m.offset),
      producer: context.getProducer(),
    });
  }
}

@Controller()
class AskingController {
  @MessagePattern('credit.{sector}.requests.v1')
  ask(): string {
    return 'answer';
  }
}

@Controller()
class UnknownPlaceholder {
  @EventPattern('credit.{region}.events.v1', { consumer: 'x' })
  handle(): void {}
}

/** A stand-in for ConsumerRunner that records its options: what the transport asked for. */
function recordingRunners() {
  const runners: { options: RunnerOptions; started: boolean; stopped: boolean }[] = [];
  const createRunner = (options: RunnerOptions): SliceRunner => {
    const entry = { options, started: false, stopped: false };
    runners.push(entry);
    return {
      producer,
      start: () => Promise.resolve(void (entry.started = true)),
      drain: () => Promise.resolve(),
      stop: () => Promise.resolve(void (entry.stopped = true)),
      ready: () => Promise.resolve(),
    };
  };
  return { runners, createRunner };
}

function slice(topic: string, offsets: string[]): RefusingSlice & { refused: Refusal[] } {
  const refused: Refusal[] = [];
  const messages = offsets.map((offset) => ({ offset, value: Buffer.from('x') }) as KafkaMessage);
  return {
    topic,
    partition: 0,
    messages,
    nextOffset: String(Number(offsets.at(-1)) + 1),
    offsets: { consumerGroupId: 'g', topics: [] },
    heartbeat: () => Promise.resolve(),
    refuse: (_m, refusal) => refused.push(refusal),
    decode: () => [],
    refused,
  };
}

async function appWith(controller: new () => object, transport: ConsumerRunnerTransport) {
  @Module({ controllers: [controller] })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  return { app, start: () => startConsumers(app, transport) };
}

describe('ConsumerRunnerTransport', () => {
  let app: INestApplication | undefined;
  beforeEach(() => {
    seen.length = 0;
    failWith = undefined;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const transportWith = (createRunner: (o: RunnerOptions) => SliceRunner) =>
    new ConsumerRunnerTransport({
      kafka: {} as Kafka,
      stallAfterMs: 60_000,
      params: { sector: 'courts' },
      consumers: { 'courts-outcomes': { groupId: 'custom-group', countRefusals: false } },
      createRunner,
    });

  async function started(controller: new () => object) {
    const { runners, createRunner } = recordingRunners();
    const transport = transportWith(createRunner);
    const built = await appWith(controller, transport);
    app = built.app;
    await built.start();
    const runnerOf = (name: string) => runners.find((r) => r.options.name === name)!;
    return { runners, transport, runnerOf };
  }

  it('Given @EventPattern handlers, When the consumers start, Then each consumer has one started runner on its resolved topic and group, committing after the handler', async () => {
    const { runners } = await started(RequestsConsumer);
    expect(runners.map((r) => ({ ...r.options, handle: undefined, kafka: undefined }))).toEqual([
      expect.objectContaining({
        name: 'courts-requests',
        groupId: 'courts-requests',
        topics: ['credit.courts.requests.v1'],
        commits: 'runner',
        stallAfterMs: 60_000,
      }),
      expect.objectContaining({
        name: 'courts-outcomes',
        groupId: 'custom-group',
        topics: ['credit.courts.outcomes.v1'],
        countRefusals: false,
      }),
    ]);
    expect(runners.every((r) => r.started)).toBe(true);
  });

  it('Given a slice, When its runner hands it over, Then the handler of its topic gets it (payload and context), and no other', async () => {
    const { runnerOf } = await started(RequestsConsumer);
    await runnerOf('courts-requests').options.handle(slice('credit.courts.requests.v1', ['4', '5']));
    await runnerOf('courts-outcomes').options.handle(slice('credit.courts.outcomes.v1', ['9']));
    expect(seen).toEqual([
      { handler: 'requests', topic: 'credit.courts.requests.v1', offsets: ['4', '5'] },
      { handler: 'outcomes', topic: 'credit.courts.outcomes.v1', offsets: ['9'], producer },
    ]);
  });

  it('Given a slice of a topic no handler of that consumer serves, When handed over, Then every message is refused (undecodable) and no handler runs', async () => {
    const { runnerOf } = await started(RequestsConsumer);
    const foreign = slice('credit.courts.outcomes.v1', ['1', '2']);
    await runnerOf('courts-requests').options.handle(foreign);
    expect(seen).toEqual([]);
    expect(foreign.refused).toEqual([
      expect.objectContaining({
        code: 'undecodable',
        detail: expect.stringContaining('no @EventPattern handler'),
      }),
      expect.objectContaining({ code: 'undecodable' }),
    ]);
  });

  it('Given a handler that throws, When handed a slice, Then the runner gets that very error (so a broker outage is still retried as transient)', async () => {
    const { runnerOf } = await started(RequestsConsumer);
    failWith = new KafkaJSConnectionError('broker went away');
    const outcome = runnerOf('courts-requests').options.handle(slice('credit.courts.requests.v1', ['1']));
    await expect(outcome).rejects.toBe(failWith);
    expect(classifyError(failWith)).toBe('transient');
  });

  it('Given a @MessagePattern (request/response), When the consumers start, Then the start fails naming the pattern', async () => {
    const { createRunner } = recordingRunners();
    const built = await appWith(AskingController, transportWith(createRunner));
    app = built.app;
    await expect(built.start()).rejects.toThrow(
      'credit.{sector}.requests.v1: a Kafka consumer handles events (@EventPattern), not requests',
    );
  });

  it('Given a pattern with a placeholder the transport has no value for, When the consumers start, Then the start fails naming it', async () => {
    const { createRunner } = recordingRunners();
    const built = await appWith(UnknownPlaceholder, transportWith(createRunner));
    app = built.app;
    await expect(built.start()).rejects.toThrow('credit.{region}.events.v1: no value for {region}');
  });

  it('When the app closes, Then every runner is stopped; readiness is asked of a consumer by name', async () => {
    const { runners, transport } = await started(RequestsConsumer);
    await expect(transport.ready('courts-requests')).resolves.toBeUndefined();
    await expect(transport.ready('courts-feed')).rejects.toThrow('consumer courts-feed is not running');
    await app!.close();
    app = undefined;
    expect(runners.every((r) => r.stopped)).toBe(true);
  });
});
