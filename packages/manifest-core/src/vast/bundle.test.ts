/** @module Guards the "pure" promise: the vast and scte35 modules bundle for a neutral platform (Workers, browsers) and run. */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

async function load(code: string): Promise<Record<string, unknown>> {
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<
    string,
    unknown
  >;
}

describe('neutral-platform bundles', () => {
  it('the vast module (with fast-xml-parser) bundles without Node built-ins and parses VAST', async () => {
    const code = await bundle('./index.ts');
    expect(code).not.toMatch(/from\s*["']node:|require\(/);
    const mod = await load(code);
    const parseVast = mod.parseVast as (xml: string) => { version: string; ads: unknown[] };
    expect(parseVast('<VAST version="4.2"/>')).toMatchObject({ version: '4.2', ads: [] });
  });

  it('the scte35 module bundles without Node built-ins and decodes a cue', async () => {
    const code = await bundle('../scte35/index.ts');
    expect(code).not.toMatch(/from\s*["']node:|require\(/);
    const mod = await load(code);
    const decode = mod.decodeScte35 as (s: string) => { spliceCommand: { type: string } };
    expect(
      decode('/DA0AAAAAAAA///wBQb+cr0AUAAeAhxDVUVJSAAAjn/PAAGlmbAICAAAAAAsoKGKNAIAmsnRfg==').spliceCommand.type,
    ).toBe('timeSignal');
  });
});
