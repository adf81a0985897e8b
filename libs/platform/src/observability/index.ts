export * from './redact.js';
export * from './pino-logger.js';
export * from './tracing.js';
export * from './metrics.js';
export * from './metrics.controller.js';
export * from './http-observability.js';
export * from './kafka-observability.js';
export * from './service-version.js';
