#!/usr/bin/env -S node --disable-warning=TimeoutNegativeWarning
// `cie`: the built command line (libs/cli/dist). A clear message, not a stack trace, before a build.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('cie: not built yet: run `npx nx run @cie/cli:build` (or `npm run build`) first');
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
