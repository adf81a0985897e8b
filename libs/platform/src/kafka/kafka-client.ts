import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { Logger } from '@nestjs/common';

/** One way to build a kafkajs client across services, with its logs routed through Nest's logger. */
export function createKafka(clientId: string, brokers: string[], extra: Partial<KafkaConfig> = {}): Kafka {
  const logger = new Logger(`kafkajs:${clientId}`);
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        const line = `${message} ${JSON.stringify(rest)}`;
        if (level <= logLevel.ERROR) logger.error(line);
        else logger.warn(line);
      },
    ...extra,
  });
}
