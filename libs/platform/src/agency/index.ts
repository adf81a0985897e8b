export * from './agency-keys.js';
export * from './agency-auth.guard.js';
