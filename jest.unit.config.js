import { base } from './jest.base.config.js';

/** Unit tests: `*.spec.ts`, pure logic, no I/O. */
export default { ...base, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
