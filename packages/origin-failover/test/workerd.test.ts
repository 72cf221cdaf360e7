/** @module The fetch build bundled by esbuild and run inside workerd through miniflare, against real local origins. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { bundleForWorkerd, refusedUrl, startFaultyServer, type FaultyServer } from '@meridian/testkit';

const entry = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));

async function bundle(): Promise<string> {
  return bundleForWorkerd(entry);
}

describe('origin group inside workerd (fetch transport)', () => {
  let primary: FaultyServer;
  let secondary: FaultyServer;
  let script: string;
  const instances: Miniflare[] = [];

  const start = async (bindings: Record<string, string>): Promise<Miniflare> => {
    const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01', bindings });
    instances.push(mf);
    await mf.ready;
    return mf;
  };

  beforeAll(async () => {
    primary = await startFaultyServer();
    secondary = await startFaultyServer({ '*': { kind: 'ok', body: 'from secondary' } });
    script = await bundle();
  });
  afterAll(async () => {
    await Promise.all(instances.map((m) => m.dispose()));
    await primary.close();
    await secondary.close();
  });

  it('bundles the fetch build only: no undici or node built-ins reach the Worker', () => {
    expect(script).not.toMatch(/from ["']undici["']|require\(["']undici["']\)|["']node:/);
    expect(script).toContain('createFetchTransport');
  });

  it('fails over on a listed status from inside workerd (strict mode)', async () => {
    primary.set('/seg.ts', { kind: 'status', status: 503 });
    const mf = await start({ PRIMARY: primary.url, SECONDARY: secondary.url, MODE: 'strict' });
    const res = await mf.dispatchFetch('http://worker.test/seg.ts');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    expect(await res.text()).toBe('from secondary');
    expect(JSON.parse(res.headers.get('x-test-attempts') ?? '[]')).toEqual(['primary:failover-status', 'secondary:ok']);
  });

  it('fails over from a refused primary from inside workerd (resilient mode)', async () => {
    const mf = await start({ PRIMARY: await refusedUrl(), SECONDARY: secondary.url, MODE: 'resilient' });
    const res = await mf.dispatchFetch('http://worker.test/a/b.ts');
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    expect(await res.text()).toBe('from secondary');
  });

  it('fails over from a primary that never answers, bounded by AbortSignal timers', async () => {
    primary.set('/hang.ts', { kind: 'hang' });
    const mf = await start({ PRIMARY: primary.url, SECONDARY: secondary.url, MODE: 'strict' });
    const res = await mf.dispatchFetch('http://worker.test/hang.ts');
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    expect(JSON.parse(res.headers.get('x-test-attempts') ?? '[]')).toEqual([
      'primary:response-timeout',
      'secondary:ok',
    ]);
  });

  it('answers a typed error when both origins are gone (resilient mode)', async () => {
    const mf = await start({ PRIMARY: await refusedUrl(), SECONDARY: await refusedUrl(), MODE: 'resilient' });
    const res = await mf.dispatchFetch('http://worker.test/x.ts');
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ORIGIN_EXHAUSTED');
  });
});
