export * from './topics.js';
export * from './cloudevents.js';
export * from './gen/cie/common/v1/common_pb.js';
export * from './gen/cie/courts/v1/dishonest_debtor_pb.js';
export * from './gen/cie/credit/v1/credit_record_pb.js';
