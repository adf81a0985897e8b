export { testDatabaseUrl } from './database.js';
export { expectEventually, type EventuallyOptions } from './expect-eventually.js';
export {
  readFeed,
  readTopic,
  sendMessages,
  testKafka,
  testKafkaBrokers,
  type ReadMessage,
  type ReadTopicOptions,
} from './kafka-reader.js';
export { describeSectorService, type SectorContractOptions } from './sector-contract.js';
export { describeSectorTasks, type SectorTasksOptions } from './sector-tasks.js';
export {
  startRegionalPlatform,
  type RegionalPlatform,
  type RegionalPlatformOptions,
} from './regional-platform-process.js';
export * from './service-process.js';
export * from './route-guard.js';
export * from './openapi-coverage.js';
export * from './agency-signing.js';
export { sectorAppWithoutBroker, sectorTestConfig } from './sector-test-app.js';
