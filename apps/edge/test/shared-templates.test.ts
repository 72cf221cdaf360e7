/**
 * @module Media templates shared between isolates through the Cache API, inside workerd: the
 * first isolate of a colo to render a source stores its template; another isolate's first render
 * of that source reads it (`x-meridian-template: shared`) and answers the same bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Miniflare, type Response as MiniflareResponse } from 'miniflare';
import type { FaultyServer } from '@meridian/testkit';
import { PUBLIC_BASE_URL, SCRIPT_PATH, SIGNING_KEYS, startOrigin } from './helpers.ts';

describe('media templates shared across isolates (workerd)', () => {
  let origin: FaultyServer;
  let colo: Miniflare;

  const get = async (isolate: string, path: string): Promise<MiniflareResponse> =>
    (await colo.getWorker(isolate)).fetch(`${PUBLIC_BASE_URL}${path}`);
  const session = async (isolate: string, assetId: string): Promise<string> => {
    const res = await get(isolate, `/v1/vod/${assetId}/master.m3u8`);
    expect(res.status).toBe(200);
    await res.text();
    return res.headers.get('x-meridian-session') ?? '';
  };

  beforeAll(async () => {
    origin = await startOrigin();
    const bindings = { SIGNING_KEYS, PUBLIC_BASE_URL, ORIGIN_URLS: origin.url };
    colo = new Miniflare({
      workers: ['isolate-a', 'isolate-b'].map((name) => ({
        name,
        modules: true,
        scriptPath: SCRIPT_PATH,
        compatibilityDate: '2025-09-01',
        bindings,
      })),
    });
    await colo.ready;
  });
  afterAll(async () => {
    await colo?.dispose();
    await origin?.close();
  });

  it("renders a source once per colo: another isolate's first render reads the shared template and answers the same bytes", async () => {
    const tokenA = await session('isolate-a', 'enc1');
    const first = await get('isolate-a', `/v1/sessions/${tokenA}/v1.m3u8`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-meridian-template')).toBe('rendered');
    const again = await get('isolate-a', `/v1/sessions/${tokenA}/v1.m3u8`);
    expect(again.headers.get('x-meridian-template')).toBe('isolate');
    expect(await again.text()).toBe(await first.text());

    const tokenB = await session('isolate-b', 'enc1');
    for (const token of [tokenA, tokenB]) {
      const atB = await get('isolate-b', `/v1/sessions/${token}/v1.m3u8`);
      const atA = await get('isolate-a', `/v1/sessions/${token}/v1.m3u8`);
      expect(atB.status).toBe(200);
      expect(atB.headers.get('x-meridian-template')).toBe(token === tokenA ? 'shared' : 'isolate');
      const text = await atB.text();
      expect(text).toBe(await atA.text());
      expect(text).toContain(`session=${token}`);
      expect(text).toContain(`${PUBLIC_BASE_URL}/v1/keys/k-enc1?session=${token}`);
    }
  });

  it('keeps templates apart for different sources (another rendition renders its own)', async () => {
    const token = await session('isolate-b', 'enc1');
    const res = await get('isolate-b', `/v1/sessions/${token}/v0.m3u8`);
    expect(res.headers.get('x-meridian-template')).toBe('rendered');
    expect(await res.text()).toContain('/vod/enc1/240p/seg0.ts');
  });
});
