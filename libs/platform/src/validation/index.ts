export * from './subject-id.validator.js';
export * from './storable-text.js';
