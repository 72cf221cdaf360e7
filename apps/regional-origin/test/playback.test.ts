/** @module Playback routes through app.request() against real loopback origins: sessions, playlists, keys, steering, bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedUrl, sleep, type FaultyServer } from '@meridian/testkit';
import { signPlaybackUrl } from '@meridian/manifest-core';
import { buildApp, liveMedia, MASTER, metricValue, publishAsset, startOrigin, testConfig } from './helpers.ts';
import { createMemoryKeyStore } from '../src/keys.ts';

let origin: FaultyServer;
let secondary: FaultyServer;
const KEY = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

beforeAll(async () => {
  origin = await startOrigin();
  secondary = await startOrigin();
  publishAsset(origin, 'movie1');
  publishAsset(origin, 'secret1', { keyId: 'key1' });
  publishAsset(origin, 'other1', { keyId: 'key2' });
  publishAsset(origin, 'wip', { status: 'processing' });
  origin.set('/vod/broken/asset.json', { kind: 'ok', body: JSON.stringify({ version: 1, assetId: 'broken' }) });
  publishAsset(origin, 'badlist');
  origin.set('/vod/badlist/240p/index.m3u8', { kind: 'ok', body: '<html>oops</html>' });
  origin.set('/live/news/master.m3u8', { kind: 'ok', body: MASTER });
  origin.set('/live/news/240p/index.m3u8', { kind: 'ok', body: liveMedia(100) });
  // The secondary region holds only a replica of movie1.
  publishAsset(secondary, 'movie1');
});

afterAll(async () => {
  await origin?.close();
  await secondary?.close();
});

const sessionFrom = (text: string): string => {
  const m = /\/v1\/sessions\/([^/]+)\/v0\.m3u8/.exec(text);
  if (!m?.[1]) throw new Error(`no session URL in:\n${text}`);
  return m[1];
};

describe('VOD playback', () => {
  const zone = () => buildApp(testConfig([origin.url]));

  it('opens an implicit session: the master lists session media playlists, keeps ads.* params in the session', async () => {
    const { app, sessions } = zone();
    const res = await app.request('/v1/vod/movie1/master.m3u8?ads.tier=gold&ads.gdpr=1', {
      headers: { 'cloudfront-viewer-country': 'fr' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('cache-control')).toContain('private');
    expect(res.headers.get('x-meridian-zone')).toBe('zone-a');
    expect(res.headers.get('x-meridian-origin')).toBe('primary');
    const text = await res.text();
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=628000');
    const sid = sessionFrom(text);
    expect(text).toContain(`http://zone.test/v1/sessions/${sid}/v1.m3u8`);
    const claims = await sessions.verify(sid);
    expect(claims).toMatchObject({
      kind: 'vod',
      contentId: 'movie1',
      adParams: { tier: 'gold', gdpr: '1' },
      country: 'FR',
      mode: 'stitched',
    });
  });

  it('serves personalised media playlists with absolute segment URLs carrying the session, cached long but privately', async () => {
    const { app } = zone();
    const sid = sessionFrom(await (await app.request('/v1/vod/movie1/master.m3u8')).text());
    const res = await app.request(`/v1/sessions/${sid}/v1.m3u8`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=86400');
    const text = await res.text();
    expect(text).toContain(`${origin.url}/vod/movie1/720p/seg0.ts?session=${sid}`);
    expect(text).toContain('#EXT-X-ENDLIST');
    expect(text.split('\n').filter((l) => l.startsWith('http')).length).toBe(3);
  });

  it('POST /v1/sessions returns 201 with master and tracking URLs that work', async () => {
    const { app } = zone();
    const res = await app.request('/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ assetId: 'movie1', adParams: { tier: 'free' }, mode: 'interstitials' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { sessionId: string; masterUrl: string; trackingUrl: string };
    expect(body.masterUrl).toBe(`http://zone.test/v1/sessions/${body.sessionId}/master.m3u8`);
    const master = await app.request(body.masterUrl.replace('http://zone.test', ''));
    expect(master.status).toBe(200);
    expect(sessionFrom(await master.text())).toBe(body.sessionId);
    const tracking = await app.request(body.trackingUrl.replace('http://zone.test', ''));
    expect(tracking.status).toBe(200);
    expect(await tracking.json()).toEqual({ avails: [] });
  });

  it("writes an allowed forwarding edge's base into keys and session URLs, and ignores other forwarded hosts", async () => {
    publishAsset(origin, 'movie-fwd', { keyId: 'k-fwd' });
    const { app } = buildApp(testConfig([origin.url], { FORWARDED_BASE_URLS: 'https://edge.example' }));
    const viaEdge = await app.request('/v1/vod/movie-fwd/master.m3u8', {
      headers: { 'x-forwarded-host': 'edge.example' },
    });
    const sid = sessionFrom(await viaEdge.text());
    const media = await (
      await app.request(`/v1/sessions/${sid}/v0.m3u8`, { headers: { 'x-forwarded-host': 'edge.example' } })
    ).text();
    expect(media).toContain(`URI="https://edge.example/v1/keys/k-fwd?session=${sid}"`);
    const direct = await (await app.request(`/v1/sessions/${sid}/v0.m3u8`)).text();
    expect(direct).toContain(`URI="http://zone.test/v1/keys/k-fwd?session=${sid}"`);
    const spoofed = await app.request('/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ assetId: 'movie-fwd' }),
      headers: { 'content-type': 'application/json', 'x-forwarded-host': 'evil.example' },
    });
    expect(((await spoofed.json()) as { masterUrl: string }).masterUrl.startsWith('http://zone.test/')).toBe(true);
  });

  it('answers CORS preflight and exposes the zone/origin headers to web players', async () => {
    const { app } = zone();
    const pre = await app.request('/v1/vod/movie1/master.m3u8', {
      method: 'OPTIONS',
      headers: { origin: 'https://player.example', 'access-control-request-method': 'GET' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const res = await app.request('/v1/vod/movie1/master.m3u8', { headers: { origin: 'https://player.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-meridian-origin');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-meridian-zone');
    // Errors reach web players too (a player can only read a 404's JSON with CORS headers).
    const missing = await app.request('/v1/vod/nope/master.m3u8', { headers: { origin: 'https://player.example' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    expect(missing.headers.get('x-meridian-zone')).toBe('zone-a');
  });

  it('serves from the secondary origin when the primary is dead, and counts the failover', async () => {
    const { app, deps } = buildApp(testConfig([await refusedUrl(), secondary.url]));
    const res = await app.request('/v1/vod/movie1/master.m3u8');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    const media = await app.request(`/v1/sessions/${sessionFrom(await res.text())}/v0.m3u8`);
    expect(media.status).toBe(200);
    // Segments point at the origin that is alive.
    expect(await media.text()).toContain(`${secondary.url}/vod/movie1/240p/seg0.ts`);
    expect(metricValue(await deps.metrics.registry.metrics(), 'meridian_origin_failovers_total')).toBeGreaterThan(0);
  });
});

describe('live playback', () => {
  it('serves a live session playlist cached for half a target duration', async () => {
    const { app } = buildApp(testConfig([origin.url]));
    const master = await app.request('/v1/live/news/master.m3u8?ads.x=1');
    expect(master.status).toBe(200);
    const sid = sessionFrom(await master.text());
    const res = await app.request(`/v1/sessions/${sid}/v0.m3u8`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=2');
    const text = await res.text();
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:100');
    expect(text).toContain(`${origin.url}/live/news/240p/s100.ts?session=${sid}`);
  });

  it('follows the live edge: a reload after half a target duration sees the new origin segments', async () => {
    origin.set('/live/sports/master.m3u8', { kind: 'ok', body: MASTER });
    origin.set('/live/sports/240p/index.m3u8', { kind: 'ok', body: liveMedia(500) });
    const { app } = buildApp(testConfig([origin.url]));
    const sid = (await app.request('/v1/live/sports/master.m3u8')).headers.get('x-meridian-session') ?? '';
    expect(await (await app.request(`/v1/sessions/${sid}/v0.m3u8`)).text()).toContain('#EXT-X-MEDIA-SEQUENCE:500');
    origin.set('/live/sports/240p/index.m3u8', { kind: 'ok', body: liveMedia(501) });
    await sleep(2_100); // TARGETDURATION 4 → cached for 2 s
    const reloaded = await (await app.request(`/v1/sessions/${sid}/v0.m3u8`)).text();
    expect(reloaded).toContain('#EXT-X-MEDIA-SEQUENCE:501');
    expect(reloaded).toContain('s502.ts');
  });
});

describe('keys', () => {
  it('returns the 16-byte key only for a valid session of content that uses it', async () => {
    const keys = createMemoryKeyStore();
    await keys.put('key1', KEY);
    await keys.put('key2', KEY);
    const { app } = buildApp(testConfig([origin.url]), { keys });
    const master = await (await app.request('/v1/vod/secret1/master.m3u8')).text();
    const sid = sessionFrom(master);
    const media = await (await app.request(`/v1/sessions/${sid}/v0.m3u8`)).text();
    const keyUrl = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"/.exec(media)?.[1];
    expect(keyUrl).toBe(`http://zone.test/v1/keys/key1?session=${sid}`);
    const ok = await app.request((keyUrl ?? '').replace('http://zone.test', ''));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toContain('no-store');
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(KEY);

    // Another asset's key, no session, a forged session: all 403 with a JSON error.
    for (const path of [
      `/v1/keys/key2?session=${sid}`,
      '/v1/keys/key1',
      `/v1/keys/key1?session=${sid.slice(0, -2)}xx`,
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/FORBIDDEN|INVALID_SIGNATURE/);
    }
  });

  it('refuses the key once the session has expired', async () => {
    const keys = createMemoryKeyStore();
    await keys.put('key1', KEY);
    let now = Date.now();
    const { app } = buildApp(testConfig([origin.url], { SESSION_TTL_SECONDS: '60' }), { keys, nowMs: () => now });
    const sid = sessionFrom(await (await app.request('/v1/vod/secret1/master.m3u8')).text());
    expect((await app.request(`/v1/keys/key1?session=${sid}`)).status).toBe(200);
    now += 61_000;
    const res = await app.request(`/v1/keys/key1?session=${sid}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
  });
});

describe('signed URLs and sessions', () => {
  it('requires exp/kid/sig on masters when signing is required: unsigned, altered and expired get 403', async () => {
    const config = testConfig([origin.url], { REQUIRE_SIGNED_URLS: 'true' });
    const { app } = buildApp(config);
    const signed = await signPlaybackUrl('/v1/vod/movie1/master.m3u8?ads.tier=gold', {
      keyring: config.keyring,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 60,
    });
    expect((await app.request(signed)).status).toBe(200);
    expect((await app.request('/v1/vod/movie1/master.m3u8')).status).toBe(403);
    expect((await app.request(signed.replace('gold', 'platinum'))).status).toBe(403);
    const expired = await signPlaybackUrl('/v1/vod/movie1/master.m3u8', {
      keyring: config.keyring,
      expiresAtSeconds: Math.floor(Date.now() / 1000) - 1,
    });
    const res = await app.request(expired);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
  });

  it('rejects forged and altered session ids with 403', async () => {
    const { app } = buildApp(testConfig([origin.url]));
    const sid = sessionFrom(await (await app.request('/v1/vod/movie1/master.m3u8')).text());
    const [body, mac] = sid.split('.');
    const payload = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as { d: { c: string } };
    payload.d.c = 'secret1';
    const altered = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
    for (const bad of [altered, `${body}.AAAA`, 'nonsense']) {
      const res = await app.request(`/v1/sessions/${bad}/v0.m3u8`);
      expect(res.status, bad).toBe(403);
    }
  });

  it("serves a content-steering manifest for the session in the edge's form: one PATHWAY-ID per zone, this zone first", async () => {
    const { app } = buildApp(
      testConfig([origin.url], { STEERING_PATHWAYS: 'zone-a=http://zone.test,zone-b=https://b.example.com' }),
    );
    const master = await (await app.request('/v1/vod/movie1/master.m3u8')).text();
    const sid = sessionFrom(master);
    expect(master).toContain(
      `#EXT-X-CONTENT-STEERING:SERVER-URI="http://zone.test/v1/steering/${sid}.json",PATHWAY-ID="zone-a"`,
    );
    const variants = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF'));
    expect(variants.length).toBeGreaterThan(0);
    expect(variants.filter((l) => l.includes('PATHWAY-ID="zone-a"'))).toHaveLength(variants.length / 2);
    expect(variants.filter((l) => l.includes('PATHWAY-ID="zone-b"'))).toHaveLength(variants.length / 2);
    expect(master).toContain(`\nhttps://b.example.com/v1/sessions/${sid}/v0.m3u8\n`);
    const res = await app.request(`/v1/steering/${sid}.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      VERSION: 1,
      TTL: 300,
      'RELOAD-URI': `http://zone.test/v1/steering/${sid}.json`,
      'PATHWAY-PRIORITY': ['zone-a', 'zone-b'],
    });
    // The player's own pathway stays first while it is healthy.
    expect(
      (
        (await (await app.request(`/v1/steering/${sid}.json?_HLS_pathway=zone-b`)).json()) as {
          'PATHWAY-PRIORITY': string[];
        }
      )['PATHWAY-PRIORITY'],
    ).toEqual(['zone-b', 'zone-a']);
    expect((await app.request('/v1/steering/forged.x.json')).status).toBe(403);
  });
});

describe('bad input and broken origins', () => {
  const zone = () => buildApp(testConfig([origin.url], { BODY_LIMIT_BYTES: '1024' }));
  const expectError = async (res: Response, status: number, code: string): Promise<void> => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  };

  it('unknown asset → 404, not-ready asset → 404, invalid asset.json → 502, broken origin playlist → 502', async () => {
    const { app } = zone();
    await expectError(await app.request('/v1/vod/nope/master.m3u8'), 404, 'NOT_FOUND');
    await expectError(await app.request('/v1/vod/wip/master.m3u8'), 404, 'NOT_FOUND');
    await expectError(await app.request('/v1/vod/broken/master.m3u8'), 502, 'BAD_ORIGIN_RESPONSE');
    const sid = sessionFrom(await (await app.request('/v1/vod/badlist/master.m3u8')).text());
    await expectError(await app.request(`/v1/sessions/${sid}/v0.m3u8`), 502, 'BAD_ORIGIN_RESPONSE');
    await expectError(await app.request(`/v1/sessions/${sid}/v9.m3u8`), 404, 'NOT_FOUND');
  });

  it('ids with ../ (plain or percent-encoded) never reach the origin', async () => {
    const { app } = zone();
    const before = origin.requests.length;
    await expectError(await app.request('/v1/vod/..%2F..%2Fetc/master.m3u8'), 400, 'INVALID_ID');
    await expectError(await app.request('/v1/vod/a..%2Fb/master.m3u8'), 400, 'INVALID_ID');
    // WHATWG URL parsing removes `..` and `%2E%2E` segments before routing: they land on no route.
    for (const path of ['/v1/vod/../../etc/master.m3u8', '/v1/vod/%2E%2E/%2e%2e/etc/master.m3u8']) {
      const res = await app.request(path);
      expect([400, 404], path).toContain(res.status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/INVALID_ID|NOT_FOUND/);
    }
    await expectError(
      await app.request('/v1/sessions', { method: 'POST', body: JSON.stringify({ assetId: '../x' }) }),
      400,
      'INVALID_ID',
    );
    expect(origin.requests.slice(before).some((r) => r.path.includes('etc'))).toBe(false);
  });

  it('malformed JSON → 400, wrong shape → 400, oversized body → 413, unknown route → 404', async () => {
    const { app } = zone();
    await expectError(await app.request('/v1/sessions', { method: 'POST', body: '{"assetId":' }), 400, 'INVALID_JSON');
    await expectError(await app.request('/v1/sessions', { method: 'POST', body: '[1,2]' }), 400, 'BAD_REQUEST');
    await expectError(
      await app.request('/v1/sessions', {
        method: 'POST',
        body: JSON.stringify({ assetId: 'movie1', channelId: 'news' }),
      }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      await app.request('/v1/sessions', { method: 'POST', body: JSON.stringify({ assetId: 'movie1', mode: 'weird' }) }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      await app.request('/v1/sessions', {
        method: 'POST',
        body: JSON.stringify({ assetId: 'x'.repeat(10), pad: 'y'.repeat(5000) }),
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    await expectError(await app.request('/v1/nothing'), 404, 'NOT_FOUND');
  });

  it('every origin down → 502 JSON, and the server keeps serving afterwards', async () => {
    const { app } = buildApp(testConfig([await refusedUrl()]));
    await expectError(await app.request('/v1/vod/movie1/master.m3u8'), 502, 'ORIGIN_UNAVAILABLE');
    expect((await app.request('/healthz')).status).toBe(200);
  });
});

describe('operations', () => {
  it('exposes request and cache metrics, request ids, and readiness of the origins', async () => {
    const { app, deps } = buildApp(testConfig([origin.url]));
    await app.request('/v1/vod/movie1/master.m3u8');
    const res = await app.request('/v1/vod/movie1/master.m3u8', { headers: { 'x-request-id': 'req-42' } });
    expect(res.headers.get('x-request-id')).toBe('req-42');
    const metrics = await (await app.request('/metrics')).text();
    expect(
      metricValue(metrics, 'meridian_http_requests_total', { route: '/v1/vod/:assetId/master.m3u8', status: '200' }),
    ).toBe(2);
    expect(
      metricValue(metrics, 'meridian_cache_lookups_total', { cache: 'l1_metadata', result: 'hit' }),
    ).toBeGreaterThanOrEqual(1);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { 'origin:primary': 'ok' } });
    void deps;
  });

  it('reports not ready when no origin is reachable', async () => {
    const { app } = buildApp(testConfig([await refusedUrl()]));
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, checks: { 'origin:primary': 'down' } });
  });

  it('serves only its role: a playback zone has no upload routes, an all-role zone without a bucket answers uploads with 503', async () => {
    const playbackOnly = buildApp(testConfig([origin.url], { ROLE: 'playback' }));
    expect((await playbackOnly.app.request('/v1/uploads', { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await playbackOnly.app.request('/v1/vod/movie1/master.m3u8')).status).toBe(200);
    const noBucket = buildApp(testConfig([origin.url]));
    const res = await noBucket.app.request('/v1/uploads', {
      method: 'POST',
      body: JSON.stringify({ filename: 'a.mp4', size: 10, contentType: 'video/mp4' }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'DEPENDENCY_UNAVAILABLE' } });
  });
});
