import 'reflect-metadata';
import { CommonConfig } from '../config/common-config.js';
import { ConfigurationError, loadConfig } from '../config/load-config.js';
import { kafkaConnectionOptions } from './kafka-client.js';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** The options kafkajs gets from an environment, with the CA file read from a map instead of the disk. */
function optionsFor(env: Record<string, string>, files: Record<string, string> = {}) {
  const read: string[] = [];
  const options = kafkaConnectionOptions(loadConfig(CommonConfig, env).kafkaConnection, (path) => {
    read.push(path);
    const content = files[path];
    if (content === undefined) throw new Error(`no such file ${path}`);
    return content;
  });
  return { options, read };
}

function problemsFor(env: Record<string, string>): string[] {
  try {
    loadConfig(CommonConfig, env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('configuration was accepted');
}

describe('Kafka connection settings to kafkajs options', () => {
  it('given only brokers, when mapped, then the connection is plaintext without SASL', () => {
    const { options, read } = optionsFor({ KAFKA_BROKERS: 'k1:9092, k2:9092' });
    expect(options).toEqual({ brokers: ['k1:9092', 'k2:9092'] });
    expect(read).toEqual([]);
  });

  it('given KAFKA_SSL=false, when mapped, then TLS stays off (not Boolean("false"))', () => {
    expect(optionsFor({ KAFKA_BROKERS: 'k1:9092', KAFKA_SSL: 'false' }).options.ssl).toBeUndefined();
  });

  it('given KAFKA_SSL=true without a CA file, when mapped, then TLS uses the default CAs', () => {
    expect(optionsFor({ KAFKA_BROKERS: 'k1:9093', KAFKA_SSL: 'true' }).options).toEqual({
      brokers: ['k1:9093'],
      ssl: true,
    });
  });

  it('given a CA file, when mapped, then the PEM is read once and trusted', () => {
    const { options, read } = optionsFor(
      { KAFKA_BROKERS: 'k1:9093', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' },
      { '/etc/kafka/ca.pem': CA_PEM },
    );
    expect(options.ssl).toEqual({ ca: [CA_PEM] });
    expect(read).toEqual(['/etc/kafka/ca.pem']);
  });

  it('given a CA file that cannot be read, when mapped, then the error names the variable and the file', () => {
    expect(() =>
      optionsFor({
        KAFKA_BROKERS: 'k1:9093',
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/etc/kafka/missing.pem',
      }),
    ).toThrow('KAFKA_SSL_CA_FILE /etc/kafka/missing.pem: no such file /etc/kafka/missing.pem');
  });

  it.each([
    ['plain', 'plain'],
    ['scram-sha-256', 'scram-sha-256'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
  ])(
    'given SASL mechanism %s, when mapped, then kafkajs gets mechanism %s with the credentials',
    (given, expected) => {
      const { options } = optionsFor({
        KAFKA_BROKERS: 'k1:9093',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: given,
        KAFKA_SASL_USERNAME: 'cie-exchange',
        KAFKA_SASL_PASSWORD: 's3cret',
      });
      expect(options).toEqual({
        brokers: ['k1:9093'],
        ssl: true,
        sasl: { mechanism: expected, username: 'cie-exchange', password: 's3cret' },
      });
    },
  );

  it('given empty TLS and SASL variables (Compose `${X:-}`), when mapped, then they count as unset', () => {
    const { options } = optionsFor({
      KAFKA_BROKERS: 'k1:9092',
      KAFKA_SSL: '',
      KAFKA_SSL_CA_FILE: '',
      KAFKA_SASL_MECHANISM: '',
      KAFKA_SASL_USERNAME: '',
      KAFKA_SASL_PASSWORD: '',
    });
    expect(options).toEqual({ brokers: ['k1:9092'] });
  });
});

describe('Kafka TLS and SASL validation', () => {
  it('refuses a KAFKA_SSL that is not true or false', () => {
    expect(problemsFor({ KAFKA_SSL: 'yes' })).toEqual(['KAFKA_SSL: KAFKA_SSL must be true or false']);
  });

  it('refuses a CA file without TLS rather than ignoring it', () => {
    expect(problemsFor({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' })).toEqual([
      'KAFKA_SSL_CA_FILE: KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true',
    ]);
  });

  it('refuses an unknown SASL mechanism, naming the allowed ones', () => {
    expect(
      problemsFor({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toEqual([
      'KAFKA_SASL_MECHANISM: KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512 (needed when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set)',
    ]);
  });

  it('refuses a mechanism without credentials, naming both variables', () => {
    expect(problemsFor({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toEqual([
      'KAFKA_SASL_USERNAME: KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set',
      'KAFKA_SASL_PASSWORD: KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set',
    ]);
  });

  it('refuses credentials without a mechanism rather than connecting without SASL', () => {
    expect(problemsFor({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual([
      'KAFKA_SASL_MECHANISM: KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512 (needed when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set)',
    ]);
  });
});
