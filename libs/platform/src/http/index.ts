export * from './problem.js';
export * from './problem.filter.js';
export * from './validation.js';
export * from './hardening.js';
export * from './openapi.js';
