/** @module bundleForWorkerd: one esbuild bundle of a Worker entry for miniflare, which cannot resolve npm imports itself. */
import { build } from 'esbuild';

/**
 * Bundles a Worker module (absolute path) into one ES module string with the package conditions
 * workerd resolves (`workerd`, `worker`, `browser`).
 * @example
 * const script = await bundleForWorkerd(fileURLToPath(new URL('./worker.ts', import.meta.url)));
 * const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01' });
 */
export async function bundleForWorkerd(entryFile: string): Promise<string> {
  const out = await build({
    entryPoints: [entryFile],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'silent',
  });
  const text = out.outputFiles[0]?.text;
  if (text === undefined) throw new Error(`esbuild wrote nothing for ${entryFile}`);
  return text;
}
