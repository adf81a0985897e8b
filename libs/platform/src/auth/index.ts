export * from './key-directory.js';
