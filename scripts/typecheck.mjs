#!/usr/bin/env node
/**
 * @module Type-checks a workspace with the native TypeScript compiler (typescript@7, installed as
 * `typescript-native`): `node ../../scripts/typecheck.mjs tsconfig.json tsconfig.test.json` checks each
 * project in turn and exits with the first failure's code. TypeScript 5.9 stays installed for
 * typescript-eslint, which needs the compiler's JS API; 7 has none, but checks ~7× faster.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';

const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript-native/package.json')), 'bin', 'tsc');
const projects = process.argv.slice(2);
if (projects.length === 0) {
  process.stderr.write('usage: typecheck.mjs <tsconfig.json> [more tsconfig files]\n');
  process.exit(2);
}
for (const project of projects) {
  const run = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (run.error) throw run.error;
  if (run.status !== 0) process.exit(run.status ?? 1);
}
