export * from './config/load-config.js';
export * from './config/common-config.js';
export * from './kafka/index.js';
export * from './http/index.js';
export * from './validation/index.js';
export * from './runtime/clock.js';
export * from './runtime/bootstrap.js';
export * from './health/health.controller.js';
