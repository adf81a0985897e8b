// Writes libs/contracts/asyncapi.json, the AsyncAPI 3 document of every Kafka topic, from the built
// @cie/contracts (topic registry, CloudEvents header names, protobuf descriptors): `buildAsyncApi`.
//
//   node tools/contracts/asyncapi.mjs           write it (after `nx run @cie/contracts:build`)
//   node tools/contracts/asyncapi.mjs --check   exit 1 if the committed file is not what the code says
//
// Formatted with the repository's prettier settings, so `prettier --check .` agrees with it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const target = path.join(root, 'libs/contracts/asyncapi.json');
const built = path.join(root, 'libs/contracts/dist/index.js');

const argv = process.argv.slice(2);
if (argv.some((a) => a !== '--check')) {
  console.error('usage: node tools/contracts/asyncapi.mjs [--check]');
  process.exit(2);
}
if (!fs.existsSync(built)) {
  console.error(
    `asyncapi: ${path.relative(root, built)} is missing: build it first (nx run @cie/contracts:build)`,
  );
  process.exit(2);
}
const { buildAsyncApi } = await import(built);
const text = await prettier.format(JSON.stringify(buildAsyncApi()), {
  ...(await prettier.resolveConfig(target)),
  filepath: target,
});
const relative = path.relative(root, target);
if (argv.includes('--check')) {
  const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (committed !== text) {
    console.error(`${relative} is stale: run node tools/contracts/asyncapi.mjs and commit it`);
    process.exit(1);
  }
  console.error(`› ${relative} is up to date`);
} else {
  fs.writeFileSync(target, text);
  console.error(`wrote ${relative}`);
}
