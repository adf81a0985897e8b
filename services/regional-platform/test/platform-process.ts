// The helper lives in @cie/testing so that other projects' tests (the exchange's lifecycle tests) can
// start a regional platform without importing across project boundaries.
export { startRegionalPlatform, type RegionalPlatform, type RegionalPlatformOptions } from '@cie/testing';
