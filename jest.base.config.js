// Shared Jest settings: TypeScript compiled as ES modules by ts-jest (type-checking is the build's
// job, so tests transpile only), libs resolved to their sources so tests never need a prior build.
/** @type {import('jest').Config} */
export const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@cie/([a-z-]+)$': '<rootDir>/../../libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  setupFiles: ['reflect-metadata'],
};
