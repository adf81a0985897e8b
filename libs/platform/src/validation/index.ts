export * from './subject-id.validator.js';
