// @module Bundles the edge Worker with esbuild into dist/worker.js: workerd cannot resolve npm imports itself.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'src/index.ts')],
  outfile: join(root, 'dist/worker.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['browser', 'module', 'main'],
  minify: false,
  sourcemap: true,
  logLevel: 'warning',
});
