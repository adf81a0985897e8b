import { BrokerUnavailableError } from '@cie/platform';
import { Kafka, logLevel } from 'kafkajs';
import { OperatorPublisher } from './operator-publisher.js';

describe('OperatorPublisher', () => {
  it('says the broker is unavailable (which a route answers 503) when nothing listens, and sends nothing for no messages', async () => {
    // Port 1 on loopback: connection refused at once, a real client's real error.
    const kafka = new Kafka({
      brokers: ['127.0.0.1:1'],
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
      connectionTimeout: 500,
      logLevel: logLevel.NOTHING,
    });
    const publisher = new OperatorPublisher(kafka);
    expect(await publisher.send('cie.feed.nobody', [])).toEqual([]);
    await expect(
      publisher.send('cie.feed.nobody', [{ key: 'k', value: Buffer.from('v'), headers: {} }]),
    ).rejects.toBeInstanceOf(BrokerUnavailableError);
    await publisher.onApplicationShutdown();
  });
});
