export * from './kafka-client.js';
export * from './cloudevent-headers.js';
export * from './ensure-topics.js';
export * from './event-publisher.js';
export * from './dead-letter.js';
export * from './error-classification.js';
export * from './isolate-poison.js';
export * from './consumer-runner.js';
