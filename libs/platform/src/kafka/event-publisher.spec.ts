import { Logger } from '@nestjs/common';
import { BrokerUnavailableError, EventPublisher } from './event-publisher.js';
import { createKafka } from './kafka-client.js';

const event = {
  key: 'subject',
  value: Buffer.from('event'),
  ctx: {
    id: 'e1',
    source: 'test',
    type: 'credit.record.published',
    time: new Date(0),
    subject: 'subject',
    dataschema: 'cie.test.Event',
  },
};

describe('EventPublisher', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('answers BrokerUnavailableError once its publish timeout passes, while kafkajs is still reconnecting to a broker that is gone', async () => {
    // Given a real client whose only broker is gone: port 1 on loopback refuses every connection,
    // and kafkajs reconnects for seconds (5 retries here; the services' 8 take about 40 s)
    const kafka = createKafka('publish-timeout', ['127.0.0.1:1'], {
      retry: { initialRetryTime: 200, retries: 5 },
    });
    const publisher = new EventPublisher(kafka, 3, 500);
    const gaveUp = publisher.ready().then(
      () => 'connected',
      () => 'kafkajs gave up',
    );
    // When a record is published
    const published = publisher.publishBatch('credit.courts.events.v1', [event]).then(
      () => 'published',
      (error: unknown) => error,
    );
    // Then it is refused by the timeout, before kafkajs gives up reconnecting
    expect(await Promise.race([published, gaveUp])).toEqual(
      new BrokerUnavailableError('Kafka did not acknowledge credit.courts.events.v1 within 500 ms'),
    );
    expect(await gaveUp).toBe('kafkajs gave up');
    await publisher.onApplicationShutdown();
  }, 30_000);
});
