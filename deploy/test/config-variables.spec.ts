import { configVariables } from './support.js';

// The variable lists every other check relies on, read from the configuration classes' source.
describe('configuration variables read from the config classes', () => {
  it('include CommonConfig, with Kafka TLS and SASL', () => {
    const { all } = configVariables('tax');
    for (const v of [
      'KAFKA_BROKERS',
      'KAFKA_SSL',
      'KAFKA_SSL_CA_FILE',
      'KAFKA_SASL_MECHANISM',
      'PORT',
      'AGENCY_KEYS_FILE',
    ])
      expect(all).toContain(v);
  });

  it('find the variables without a default as required', () => {
    // EXCHANGE_INSTANCE_ID has a default only in DEMO_MODE (loadExchangeConfig).
    expect([...configVariables('exchange').required].sort()).toEqual([
      'EXCHANGE_INSTANCE_ID',
      'PII_ENCRYPTION_KEY',
      'PSEUDONYM_SECRET',
    ]);
    expect([...configVariables('regional-platform').required]).toEqual(['SUBSCRIBER_ID']);
  });

  it('find demo-file defaults, also through an imported constant, but not the shipped catalogue', () => {
    const { demoFiles } = configVariables('exchange');
    expect(demoFiles).toContain('SUBSCRIBERS_FILE');
    expect(demoFiles).toContain('RELEASE_RULES_FILE');
    expect(demoFiles).not.toContain('CATALOGUE_FILE');
    expect(configVariables('regional-platform').demoFiles).toContain('PLATFORM_CLIENTS_FILE');
  });
});
