// npm run stack -- up|down|status [--name demo]
//   up:     Kafka (KRaft, from Maven jars) and a database, for running services by hand
//   down:   stops the services a demo started and the Kafka broker of that stack
//   status: what runs
import { kafkaStatus, startKafka, stopKafka } from './stack/kafka.mjs';
import { ensureDatabase } from './stack/postgres.mjs';
import { stopServices } from './stack/services.mjs';

const [command = 'status', ...rest] = process.argv.slice(2);
const nameAt = rest.indexOf('--name');
const name = nameAt >= 0 ? rest[nameAt + 1] : 'demo';

switch (command) {
  case 'up': {
    const kafka = await startKafka({ name, port: 19092 });
    const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase({ name: `cie_${name}` }));
    console.log(`KAFKA_BROKERS=${kafka.brokers}\nDATABASE_URL=${databaseUrl}`);
    break;
  }
  case 'down':
    await stopServices({ name });
    await stopKafka({ name });
    console.log(`stack ${name} stopped`);
    break;
  case 'status':
    console.log(JSON.stringify(await kafkaStatus({ name }), null, 2));
    break;
  default:
    console.error('usage: npm run stack -- up|down|status [--name demo]');
    process.exit(2);
}
