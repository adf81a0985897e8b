import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { Logger } from '@nestjs/common';
import type { KafkaConnectionSettings } from '../config/common-config.js';

/**
 * The kafkajs options for reaching a cluster: TLS with Node's CAs or the given CA file, SASL PLAIN or
 * SCRAM. `readFile` is the only I/O, so the mapping can be tested on its own.
 */
export function kafkaConnectionOptions(
  settings: KafkaConnectionSettings,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> = { brokers: settings.brokers };
  if (settings.ssl) options.ssl = settings.sslCaFile ? { ca: [readCa(settings.sslCaFile, readFile)] } : true;
  if (settings.sasl) options.sasl = saslOptions(settings.sasl);
  return options;
}

function readCa(file: string, readFile: (path: string) => string): string {
  try {
    return readFile(file);
  } catch (error) {
    throw new Error(`KAFKA_SSL_CA_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function saslOptions({
  mechanism,
  username,
  password,
}: NonNullable<KafkaConnectionSettings['sasl']>): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/**
 * One way to build a kafkajs client across services, with its logs routed through Nest's logger.
 * Pass the service config's `kafkaConnection` so TLS and SASL apply; a bare broker list is plaintext.
 */
export function createKafka(
  clientId: string,
  connection: string[] | KafkaConnectionSettings,
  extra: Partial<KafkaConfig> = {},
): Kafka {
  const logger = new Logger(`kafkajs:${clientId}`);
  const settings = Array.isArray(connection) ? { brokers: connection, ssl: false } : connection;
  return new Kafka({
    clientId,
    ...kafkaConnectionOptions(settings),
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
