/**
 * @module Content-steering pathway clones at the edge, inside workerd: a PATHWAYS entry with
 * `cloneOf` stays out of masters and reaches players as PATHWAY-CLONES (BASE-ID, ID,
 * URI-REPLACEMENT with HOST and PARAMS) in every steering manifest, and the URIs a player builds
 * from it, the way hls.js does, lead to the same session playlists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { FaultyServer } from '@meridian/testkit';
import { PUBLIC_BASE_URL, startEdge, startOrigin } from './helpers.ts';

interface Clone {
  'BASE-ID': string;
  ID: string;
  'URI-REPLACEMENT': { HOST?: string; PARAMS?: Record<string, string> };
}

/** Content Steering URI replacement as hls.js performs it (HOST replaces the host, PARAMS are set in key order). */
function replaceUri(uri: string, replacement: Clone['URI-REPLACEMENT']): string {
  const url = new URL(uri);
  if (replacement.HOST) url.host = replacement.HOST;
  for (const key of Object.keys(replacement.PARAMS ?? {}).sort()) url.searchParams.set(key, replacement.PARAMS![key]!);
  return url.href;
}

describe('content-steering pathway clones (workerd)', () => {
  let origin: FaultyServer;
  let edge: Miniflare;

  beforeAll(async () => {
    origin = await startOrigin();
    edge = await startEdge({
      ORIGIN_URLS: origin.url,
      PATHWAYS: JSON.stringify([
        { id: 'cdn-a', baseUrl: PUBLIC_BASE_URL },
        { id: 'cdn-b', cloneOf: 'cdn-a', host: 'b.meridian.test:8443', params: { cdn: 'b' } },
        { id: 'cdn-c', cloneOf: 'cdn-a', params: { lane: 'c' } },
      ]),
    });
  });
  afterAll(async () => {
    await edge?.dispose();
    await origin?.close();
  });

  it('lists clones in the steering manifest, not in the master, and their URIs serve the session', async () => {
    const master = await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/vod/a1/master.m3u8`);
    const token = master.headers.get('x-meridian-session') ?? '';
    const text = await master.text();
    expect(text).toContain('PATHWAY-ID="cdn-a"');
    expect(text).not.toContain('cdn-b');
    expect(text).not.toContain('cdn-c');

    const res = await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/steering/${token}.json?_HLS_pathway=cdn-a`);
    expect(res.status).toBe(200);
    const steering = (await res.json()) as { 'PATHWAY-PRIORITY': string[]; 'PATHWAY-CLONES': Clone[] };
    expect(steering['PATHWAY-PRIORITY']).toEqual(['cdn-a', 'cdn-b', 'cdn-c']);
    expect(steering['PATHWAY-CLONES']).toEqual([
      { 'BASE-ID': 'cdn-a', ID: 'cdn-b', 'URI-REPLACEMENT': { HOST: 'b.meridian.test:8443', PARAMS: { cdn: 'b' } } },
      { 'BASE-ID': 'cdn-a', ID: 'cdn-c', 'URI-REPLACEMENT': { PARAMS: { lane: 'c' } } },
    ]);

    // A player on the clone fetches the base pathway's variant URI with the replacement applied.
    const variant = text.split('\n').find((l) => l.endsWith('/v0.m3u8')) ?? '';
    const viaClone = replaceUri(variant, steering['PATHWAY-CLONES'][0]!['URI-REPLACEMENT']);
    expect(viaClone).toBe(`https://b.meridian.test:8443/v1/sessions/${token}/v0.m3u8?cdn=b`);
    const [fromClone, fromBase] = await Promise.all([edge.dispatchFetch(viaClone), edge.dispatchFetch(variant)]);
    expect(fromClone.status).toBe(200);
    expect(await fromClone.text()).toBe(await fromBase.text());

    // A player that moved to a clone stays there while it is fast enough.
    const onClone = (await (
      await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/steering/${token}.json?_HLS_pathway=cdn-c`)
    ).json()) as { 'PATHWAY-PRIORITY': string[] };
    expect(onClone['PATHWAY-PRIORITY'][0]).toBe('cdn-c');
  });

  it('refuses clones of unknown pathways, clones without a host or params, and bad hosts', async () => {
    for (const pathways of [
      [
        { id: 'a', baseUrl: PUBLIC_BASE_URL },
        { id: 'b', cloneOf: 'nope', host: 'b.example' },
      ],
      [
        { id: 'a', baseUrl: PUBLIC_BASE_URL },
        { id: 'b', cloneOf: 'a' },
      ],
      [
        { id: 'a', baseUrl: PUBLIC_BASE_URL },
        { id: 'b', cloneOf: 'a', host: 'evil.example/path' },
      ],
      [
        { id: 'a', baseUrl: PUBLIC_BASE_URL },
        { id: 'a', cloneOf: 'a', host: 'b.example' },
      ],
    ]) {
      const bad = await startEdge({ ORIGIN_URLS: origin.url, PATHWAYS: JSON.stringify(pathways) });
      try {
        const res = await bad.dispatchFetch(`${PUBLIC_BASE_URL}/healthz`);
        expect(res.status).toBe(500);
        expect(await res.json()).toEqual({ error: { code: 'INTERNAL', message: 'the edge is misconfigured' } });
      } finally {
        await bad.dispose();
      }
    }
  });
});
