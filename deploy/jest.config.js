import { base } from '../jest.base.config.js';

/** Deployment checks: the Compose file, the image and the kustomize builds against their schemas. */
export default {
  ...base,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: [],
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // Each kustomize build runs the kustomize binary.
  testTimeout: 60_000,
};
