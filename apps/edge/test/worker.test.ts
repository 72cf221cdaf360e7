/** @module VOD playback at the edge, inside workerd: stateless sessions rendered with the same bytes a zone renders, caching, CORS and errors. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { FaultyServer } from '@meridian/testkit';
import { PUBLIC_BASE_URL, SCRIPT_PATH, SIGNING_KEYS, startEdge, startOrigin, startZone, type Zone } from './helpers.ts';

const EU = { country: 'FR', continent: 'EU' } as const;

describe('VOD playback at the edge (workerd)', () => {
  let origin: FaultyServer;
  let zone: Zone;
  let edge: Miniflare;

  const get = (path: string, init: { headers?: Record<string, string> } = {}) =>
    edge.dispatchFetch(`${PUBLIC_BASE_URL}${path}`, { cf: EU, ...init });
  const startSession = async (assetId = 'a1'): Promise<string> => {
    const res = await get(`/v1/vod/${assetId}/master.m3u8`);
    expect(res.status).toBe(200);
    await res.text();
    return res.headers.get('x-meridian-session') ?? '';
  };

  beforeAll(async () => {
    origin = await startOrigin();
    zone = await startZone('zone-eu', origin.url);
    edge = await startEdge({
      ORIGIN_URLS: origin.url,
      ZONES: JSON.stringify([{ id: 'zone-eu', url: zone.url, publicUrl: 'https://eu.meridian.test', geo: ['*'] }]),
    });
  });
  afterAll(async () => {
    await edge?.dispose();
    await zone?.server.shutdown();
    await origin?.close();
  });

  it('serves a session master with content steering: one pathway per CDN or region, each with its own rendition groups', async () => {
    const res = await get('/v1/vod/a1/master.m3u8');
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-meridian-zone')).toBe('edge');
    const token = res.headers.get('x-meridian-session') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(text).toContain(
      `#EXT-X-CONTENT-STEERING:SERVER-URI="${PUBLIC_BASE_URL}/v1/steering/${token}.json",PATHWAY-ID="edge"`,
    );
    const variants = text.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF'));
    expect(variants).toHaveLength(4);
    expect(variants.filter((l) => l.includes('PATHWAY-ID="edge"') && l.includes('AUDIO="aud-edge"'))).toHaveLength(2);
    expect(
      variants.filter((l) => l.includes('PATHWAY-ID="zone-eu"') && l.includes('AUDIO="aud-zone-eu"')),
    ).toHaveLength(2);
    expect(text).toContain(`\n${PUBLIC_BASE_URL}/v1/sessions/${token}/v0.m3u8\n`);
    expect(text).toContain(`\nhttps://eu.meridian.test/v1/sessions/${token}/v1.m3u8\n`);
    expect(text).toContain(
      `GROUP-ID="aud-zone-eu",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="https://eu.meridian.test/v1/sessions/${token}/r0.m3u8"`,
    );
    expect(text.match(/#EXT-X-I-FRAME-STREAM-INF:.*PATHWAY-ID="(edge|zone-eu)"/g)).toHaveLength(2);
  });

  it('renders media playlists byte-for-byte as the zone does for the same session (edge-started and zone-started sessions)', async () => {
    const edgeToken = await startSession('enc1');
    const zoneSession = await fetch(`${zone.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assetId: 'enc1' }),
    });
    expect(zoneSession.status).toBe(201);
    const zoneToken = ((await zoneSession.json()) as { sessionId: string }).sessionId;
    const oddToken = await startSession('odd1');
    for (const token of [edgeToken, zoneToken, oddToken]) {
      for (const rendition of ['v0', 'v1', 'r0', 'i0']) {
        const atEdge = await get(`/v1/sessions/${token}/${rendition}.m3u8`);
        const atZone = await fetch(`${zone.url}/v1/sessions/${token}/${rendition}.m3u8`);
        const edgeText = await atEdge.text();
        expect(atEdge.status).toBe(200);
        expect(atEdge.headers.get('x-meridian-zone')).toBe('edge');
        expect(edgeText).toBe(await atZone.text());
        expect(atEdge.headers.get('cache-control')).toBe(atZone.headers.get('cache-control'));
      }
    }
    const odd = await (await get(`/v1/sessions/${oddToken}/v0.m3u8`)).text();
    expect(odd).toContain(`#EXT-X-MAP:URI="${origin.url}/vod/odd1/240p/init.mp4?session=${oddToken}"`);
    expect(odd).toContain(`\n${origin.url}/vod/odd1/720p/seg0.m4s?session=${oddToken}\n`);
    expect(odd).toContain(`\nhttps://other.example/ads/seg4.m4s?session=${oddToken}\n`);
    expect(odd).toContain('#EXT-X-UNKNOWN-TAG:KEPT=1');
    const media = await (await get(`/v1/sessions/${edgeToken}/v0.m3u8`)).text();
    expect(media).toContain(`#EXT-X-KEY:METHOD=AES-128,URI="${PUBLIC_BASE_URL}/v1/keys/k-enc1?session=${edgeToken}"`);
    expect(media).toContain(`${origin.url}/vod/enc1/240p/seg0.ts?session=${edgeToken}`);
  });

  it('renders the same master as the zone when no steering pathways are configured', async () => {
    const plain = await startEdge({ ORIGIN_URLS: origin.url, PATHWAYS: '[]' });
    try {
      const opened = await plain.dispatchFetch(`${PUBLIC_BASE_URL}/v1/vod/enc1/master.m3u8`, { cf: EU });
      const token = opened.headers.get('x-meridian-session') ?? '';
      const atEdge = await opened.text();
      expect(atEdge).not.toContain('PATHWAY-ID');
      expect(atEdge).toBe(await (await fetch(`${zone.url}/v1/sessions/${token}/master.m3u8`)).text());
    } finally {
      await plain.dispose();
    }
  });

  it('keeps serving VOD playlists from its caches while the origin fails', async () => {
    const token = await startSession();
    const first = await (await get(`/v1/sessions/${token}/v1.m3u8`)).text();
    origin.set('/vod/a1/720p/index.m3u8', { kind: 'status', status: 500 });
    origin.set('/vod/a1/master.m3u8', { kind: 'status', status: 500 });
    const again = await get(`/v1/sessions/${token}/v1.m3u8`);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(first);
  });

  it('opens VOD sessions through POST /v1/sessions without a zone', async () => {
    const res = await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assetId: 'a1', adParams: { gdpr: 1 }, mode: 'interstitials' }),
      cf: EU,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { sessionId: string; masterUrl: string; trackingUrl: string };
    expect(body.masterUrl).toBe(`${PUBLIC_BASE_URL}/v1/sessions/${body.sessionId}/master.m3u8`);
    const master = await get(`/v1/sessions/${body.sessionId}/master.m3u8`);
    expect(master.status).toBe(200);
    expect(await master.text()).toContain(`/v1/sessions/${body.sessionId}/v0.m3u8`);
    // Tracking needs the ADS and shared state: forwarded to the zone, which accepts the edge's session id.
    const tracking = await get(`/v1/sessions/${body.sessionId}/tracking`);
    expect(tracking.status).toBe(200);
    expect(tracking.headers.get('x-meridian-zone')).toBe('zone-eu');
    expect(await tracking.json()).toEqual({ avails: [] });
  });

  it('answers CORS preflights on playback routes', async () => {
    const res = await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/vod/a1/master.m3u8`, {
      method: 'OPTIONS',
      headers: { origin: 'https://player.example', 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('GET');
  });

  it('turns bad input into JSON 4xx errors without stack traces', async () => {
    const token = await startSession();
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'BB' : 'AA'}`;
    const cases: Array<[string, RequestInit & { cf?: unknown }, number, string]> = [
      ['/v1/vod/..%2F..%2Fetc/master.m3u8', {}, 400, 'INVALID_ID'],
      ['/v1/vod/%2e%2e/master.m3u8', {}, 404, 'NOT_FOUND'],
      ['/v1/vod/a%2F..%2F..%2Fb/master.m3u8', {}, 400, 'INVALID_ID'],
      ['/v1/vod/missing/master.m3u8', {}, 404, 'NOT_FOUND'],
      [`/v1/sessions/${tampered}/v0.m3u8`, {}, 403, 'INVALID_SIGNATURE'],
      ['/v1/sessions/not-a-session/v0.m3u8', {}, 403, 'INVALID_SIGNATURE'],
      [`/v1/sessions/${token}/v9.m3u8`, {}, 404, 'NOT_FOUND'],
      [`/v1/steering/${tampered}.json`, {}, 403, 'INVALID_SIGNATURE'],
      ['/v1/keys/k1', {}, 403, 'INVALID_SIGNATURE'],
      ['/v1/sessions', { method: 'POST', body: '{"assetId":' }, 400, 'INVALID_JSON'],
      [
        '/v1/sessions',
        { method: 'POST', body: JSON.stringify({ assetId: 'a1', pad: 'x'.repeat(100_000) }) },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        '/v1/sessions',
        { method: 'POST', body: JSON.stringify({ assetId: 'a1', channelId: 'ch1' }) },
        400,
        'BAD_REQUEST',
      ],
      [`/v1/vod/a1/master.m3u8?ads.x=${'y'.repeat(9_000)}`, {}, 400, 'BAD_REQUEST'],
      ['/nope', {}, 404, 'NOT_FOUND'],
    ];
    for (const [path, init, status, code] of cases) {
      const res = await edge.dispatchFetch(`${PUBLIC_BASE_URL}${path}`, init as never);
      const text = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(JSON.parse(text)).toMatchObject({ error: { code } });
      expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
  });
});

describe('source caching in the Cache API (workerd)', () => {
  it('serves sources from caches.default when the isolate LRU has dropped them and the origin fails', async () => {
    const origin = await startOrigin();
    // One entry per LRU: every playlist read evicts the previous one, so only the Cache API can answer.
    const edge = await startEdge({ ORIGIN_URLS: origin.url, LRU_MAX_ENTRIES: '1' });
    try {
      const master = await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/vod/a1/master.m3u8`);
      const token = master.headers.get('x-meridian-session') ?? '';
      await master.text();
      const first = await (await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/sessions/${token}/v0.m3u8`)).text();
      const seen = origin.requests.length;
      for (const path of ['/vod/a1/asset.json', '/vod/a1/master.m3u8', '/vod/a1/240p/index.m3u8'])
        origin.set(path, { kind: 'status', status: 503 });
      const again = await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/sessions/${token}/v0.m3u8`);
      expect(again.status).toBe(200);
      expect(await again.text()).toBe(first);
      expect(origin.requests.length).toBe(seen);
    } finally {
      await edge.dispose();
      await origin.close();
    }
  });
});

describe('the bundle', () => {
  it('carries no Node built-ins, undici, ioredis or transcode-gpu (they would not run in workerd)', () => {
    const script = readFileSync(SCRIPT_PATH, 'utf8');
    expect(script).not.toMatch(
      /from ["']node:|require\(["']node:|["']undici["']|["']ioredis["']|@meridian\/transcode-gpu/,
    );
    expect(script).toContain('createFetchTransport');
  });
});

describe('edge configuration (workerd)', () => {
  it('answers a JSON 500 naming no secret when its bindings are invalid, and healthz once they are fixed', async () => {
    const broken = await startEdge({ ORIGIN_URLS: 'ftp://nowhere', ZONES: '[{"id":"x"}]' });
    try {
      const res = await broken.dispatchFetch(`${PUBLIC_BASE_URL}/healthz`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'the edge is misconfigured' } });
      expect(text).not.toContain('edge-test-secret');
      await broken.setOptions({
        modules: true,
        scriptPath: SCRIPT_PATH,
        compatibilityDate: '2025-09-01',
        bindings: { SIGNING_KEYS, ORIGIN_URLS: 'http://127.0.0.1:9' },
      });
      const fixed = await broken.dispatchFetch(`${PUBLIC_BASE_URL}/healthz`);
      expect(fixed.status).toBe(200);
      expect(await fixed.json()).toMatchObject({ status: 'ok', zone: 'edge', zones: [] });
    } finally {
      await broken.dispose();
    }
  });
});
