/** @module Guards the "pure" promise: vast and scte35 bundle for a neutral platform and run inside workerd. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BUILD: BuildOptions = {
  bundle: true,
  platform: 'neutral',
  format: 'esm',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['browser', 'module', 'main'],
  logLevel: 'silent',
};

async function bundle(entry: string): Promise<string> {
  const result = await build({ ...BUILD, write: false, entryPoints: [fileURLToPath(new URL(entry, import.meta.url))] });
  return result.outputFiles[0]!.text;
}

async function load(code: string): Promise<Record<string, unknown>> {
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<
    string,
    unknown
  >;
}

const NO_NODE = /from\s*["']node:|require\(|["']node:/;
const CUE = '/DA0AAAAAAAA///wBQb+cr0AUAAeAhxDVUVJSAAAjn/PAAGlmbAICAAAAAAsoKGKNAIAmsnRfg==';

describe('neutral-platform bundles', () => {
  it('the vast module (with fast-xml-parser) bundles without Node built-ins and parses VAST', async () => {
    const code = await bundle('./index.ts');
    expect(code).not.toMatch(NO_NODE);
    const mod = await load(code);
    const parseVast = mod.parseVast as (xml: string) => { version: string; ads: unknown[] };
    expect(parseVast('<VAST version="4.2"/>')).toMatchObject({ version: '4.2', ads: [] });
  });

  it('the scte35 module bundles without Node built-ins and decodes a cue', async () => {
    const code = await bundle('../scte35/index.ts');
    expect(code).not.toMatch(NO_NODE);
    const mod = await load(code);
    const decode = mod.decodeScte35 as (s: string) => { spliceCommand: { type: string } };
    expect(decode(CUE).spliceCommand.type).toBe('timeSignal');
  });
});

// A tiny Worker: POST /vast parses the body, GET /scte35?cue= describes a cue; errors answer their code.
const WORKER = `
import { parseVast } from './vast/index.ts';
import { decodeScte35, describeScte35Break } from './scte35/index.ts';
export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      const body = url.pathname === '/vast'
        ? parseVast(await request.text())
        : describeScte35Break(decodeScte35(url.searchParams.get('cue') ?? ''));
      return Response.json(body);
    } catch (error) {
      return Response.json({ code: error.code ?? 'UNTYPED', name: error.name }, { status: 400 });
    }
  },
};`;

describe('inside workerd', () => {
  let mf: Miniflare;

  beforeAll(async () => {
    const out = await build({
      ...BUILD,
      write: false,
      stdin: { contents: WORKER, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'ts' },
    });
    mf = new Miniflare({ modules: true, script: out.outputFiles[0]!.text, compatibilityDate: '2025-09-01' });
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  it('parses a real VAST pod in the Worker runtime', async () => {
    const xml = readFileSync(new URL('../../test/fixtures/vast/pod-3-ads.xml', import.meta.url), 'utf8');
    const res = await mf.dispatchFetch('http://worker.test/vast', { method: 'POST', body: xml });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { ads: { id: string }[] };
    expect(doc.ads.map((a) => a.id)).toEqual(['pod-1', 'pod-2', 'pod-3', 'standalone']);
  });

  it('refuses a billion-laughs document in the Worker runtime with a typed error', async () => {
    const xml = readFileSync(new URL('../../test/fixtures/vast/billion-laughs.xml', import.meta.url), 'utf8');
    const res = await mf.dispatchFetch('http://worker.test/vast', { method: 'POST', body: xml });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'XML_FORBIDDEN', name: 'ManifestError' });
  });

  it('decodes and describes an SCTE-35 cue in the Worker runtime', async () => {
    const res = await mf.dispatchFetch(`http://worker.test/scte35?cue=${encodeURIComponent(CUE)}`);
    expect(await res.json()).toMatchObject({ kind: 'out', eventId: 1207959694, durationSeconds: 307 });
    const bad = await mf.dispatchFetch(
      `http://worker.test/scte35?cue=${encodeURIComponent(CUE.replace('cr0', 'cr1'))}`,
    );
    expect(await bad.json()).toEqual({ code: 'SCTE35_BAD_CRC', name: 'ManifestError' });
  });
});
