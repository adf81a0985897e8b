import { base } from './jest.base.config.js';

/** Integration tests: `*.int-spec.ts`, real Kafka and PostgreSQL found through KAFKA_BROKERS and DATABASE_URL. */
export default {
  ...base,
  testMatch: ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/../../libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/../../libs/testing/src/global-teardown.ts',
};
