/** @module Zone steering and failover inside workerd: geography picks the zone, a zone killed mid-test costs no viewer an error, and steering manifests follow zone health. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { FaultyServer } from '@meridian/testkit';
import { PUBLIC_BASE_URL, startEdge, startOrigin, startZone, type Zone } from './helpers.ts';

const EU = { country: 'FR', continent: 'EU' } as const;
const NA = { country: 'US', continent: 'NA' } as const;
const AS = { country: 'JP', continent: 'AS' } as const;
type Place = typeof EU | typeof NA | typeof AS;

/** The claims inside a session id (its payload is readable; only the signature is secret). */
function claimsOf(token: string): { k: string; g?: string } {
  const body = token.split('.')[0] ?? '';
  return (JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { d: { k: string; g?: string } }).d;
}

describe('zone steering and failover (workerd)', () => {
  let origin: FaultyServer;
  let eu: Zone;
  let us: Zone;
  const edges: Miniflare[] = [];
  let edge: Miniflare;

  const zonesBinding = (): string =>
    JSON.stringify([
      { id: 'zone-eu', url: eu.url, publicUrl: 'https://eu.meridian.test', weight: 100, geo: ['continent:EU'] },
      { id: 'zone-us', url: us.url, publicUrl: 'https://us.meridian.test', weight: 100, geo: ['continent:NA', '*'] },
    ]);
  const newEdge = async (bindings: Record<string, unknown> = {}): Promise<Miniflare> => {
    const mf = await startEdge({
      ORIGIN_URLS: origin.url,
      ZONES: zonesBinding(),
      PROBE_INTERVAL_MS: '3600000',
      ...bindings,
    });
    edges.push(mf);
    return mf;
  };
  const at = (
    mf: Miniflare,
    place: Place,
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ) => mf.dispatchFetch(`${PUBLIC_BASE_URL}${path}`, { cf: place, ...init });
  const openLiveSession = async (mf: Miniflare, place: Place): Promise<{ token: string; zone: string | null }> => {
    const res = await at(mf, place, '/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ channelId: 'ch1' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    return { token: ((await res.json()) as { sessionId: string }).sessionId, zone: res.headers.get('x-meridian-zone') };
  };
  const steering = async (mf: Miniflare, place: Place, token: string, query = ''): Promise<string[]> => {
    const res = await at(mf, place, `/v1/steering/${token}.json${query}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      VERSION: number;
      TTL: number;
      'RELOAD-URI': string;
      'PATHWAY-PRIORITY': string[];
    };
    expect(body.VERSION).toBe(1);
    expect(body.TTL).toBe(300);
    expect(body['RELOAD-URI']).toBe(`${PUBLIC_BASE_URL}/v1/steering/${token}.json`);
    return body['PATHWAY-PRIORITY'];
  };

  beforeAll(async () => {
    origin = await startOrigin();
    eu = await startZone('zone-eu', origin.url);
    us = await startZone('zone-us', origin.url);
    edge = await newEdge();
  });
  afterAll(async () => {
    await Promise.all(edges.map((mf) => mf.dispose()));
    await eu?.server.shutdown();
    await us?.server.shutdown();
    await origin?.close();
  });

  it('forwards live sessions to the zone the viewer geography picks, with the viewer country from request.cf only', async () => {
    expect(await openLiveSession(edge, EU)).toMatchObject({ zone: 'zone-eu' });
    expect(await openLiveSession(edge, NA)).toMatchObject({ zone: 'zone-us' });
    // No record for Asia: the default location answers.
    expect(await openLiveSession(edge, AS)).toMatchObject({ zone: 'zone-us' });
    const res = await at(edge, EU, '/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ channelId: 'ch1' }),
      headers: { 'content-type': 'application/json', 'cloudfront-viewer-country': 'US' },
    });
    const { sessionId } = (await res.json()) as { sessionId: string };
    expect(claimsOf(sessionId)).toMatchObject({ k: 'l', g: 'FR' });

    const master = await at(edge, NA, '/v1/live/ch1/master.m3u8');
    expect(master.status).toBe(200);
    expect(master.headers.get('x-meridian-zone')).toBe('zone-us');
    expect(master.headers.get('access-control-allow-origin')).toBe('*');
    const liveToken = master.headers.get('x-meridian-session') ?? '';
    const masterText = await master.text();
    // The zone opened the session; the master carries every pathway, the viewer's zones in preference order.
    expect(masterText).toContain(
      `#EXT-X-CONTENT-STEERING:SERVER-URI="${PUBLIC_BASE_URL}/v1/steering/${liveToken}.json",PATHWAY-ID="edge"`,
    );
    expect([...masterText.matchAll(/#EXT-X-STREAM-INF:.*PATHWAY-ID="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'edge',
      'zone-us',
      'zone-eu',
    ]);
    expect(masterText).toContain(`\nhttps://us.meridian.test/v1/sessions/${liveToken}/v0.m3u8`);
    const sessionMaster = await at(edge, NA, `/v1/sessions/${liveToken}/master.m3u8`);
    expect(sessionMaster.headers.get('x-meridian-zone')).toBe('edge');
    expect(await sessionMaster.text()).toBe(masterText);
    const media = await at(edge, NA, `/v1/sessions/${liveToken}/v0.m3u8`);
    expect(media.headers.get('x-meridian-zone')).toBe('zone-us');
    expect(media.status).toBe(200);
    expect(media.headers.get('cache-control')).toBe('private, max-age=2');
    expect(await media.text()).toContain('/live/ch1/s100.ts?session=');
  });

  it('weights zones: weight 0 drains a zone, all-zero weights spread requests over every zone', async () => {
    const zonesAt = async (mf: Miniflare): Promise<Set<string | null>> => {
      const served = new Set<string | null>();
      for (let i = 0; i < 20; i++) {
        const res = await at(mf, EU, '/v1/live/ch1/master.m3u8');
        expect(res.status).toBe(200);
        await res.text();
        served.add(res.headers.get('x-meridian-zone'));
      }
      return served;
    };
    const drained = await newEdge({
      ZONES: JSON.stringify([
        { id: 'zone-eu', url: eu.url, weight: 0 },
        { id: 'zone-us', url: us.url, weight: 255 },
      ]),
    });
    expect(await zonesAt(drained)).toEqual(new Set(['zone-us']));
    const spread = await newEdge({
      ZONES: JSON.stringify([
        { id: 'zone-eu', url: eu.url, weight: 0 },
        { id: 'zone-us', url: us.url, weight: 0 },
      ]),
    });
    expect(await zonesAt(spread)).toEqual(new Set(['zone-eu', 'zone-us']));
  });

  it("keeps a session's forwarded requests on one zone, sessions still spread by weight; live asset lists are forwarded", async () => {
    const even = await newEdge({
      ZONES: JSON.stringify([
        { id: 'zone-eu', url: eu.url, weight: 100 },
        { id: 'zone-us', url: us.url, weight: 100 },
      ]),
    });
    // Masters open sessions on weighted zones at random; each session's own requests then stick to one zone.
    const firstZones = new Set<string | null>();
    for (let i = 0; i < 16; i++) {
      const master = await at(even, EU, '/v1/live/ch1/master.m3u8');
      await master.text();
      const token = master.headers.get('x-meridian-session') ?? '';
      const served = new Set<string | null>();
      for (let k = 0; k < 8; k++) {
        const media = await at(even, EU, `/v1/sessions/${token}/v0.m3u8`);
        expect(media.status).toBe(200);
        await media.text();
        served.add(media.headers.get('x-meridian-zone'));
      }
      expect(served.size, `session ${i}: ${[...served].join(',')}`).toBe(1);
      firstZones.add([...served][0]!);
      if (i === 0) {
        // A live break's asset list (ids `cue-<msn>`) reaches the session's zone, which answers for it.
        const assets = await at(even, EU, `/v1/sessions/${token}/breaks/cue-5.json`);
        expect(assets.headers.get('x-meridian-zone')).toBe([...served][0]);
        expect(await assets.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: 'no break cue-5' } });
      }
    }
    // Equal weights: over 16 sessions both zones get some (a wrong hash that always picks one would not).
    expect(firstZones).toEqual(new Set(['zone-eu', 'zone-us']));
  });

  it('orders steering pathways by zone preference and honours _HLS_pathway and _HLS_throughput', async () => {
    const { token } = await openLiveSession(edge, EU);
    expect(await steering(edge, EU, token)).toEqual(['edge', 'zone-eu', 'zone-us']);
    expect(await steering(edge, NA, token)).toEqual(['edge', 'zone-us', 'zone-eu']);
    // A player on a healthy pathway stays there; one that reports too little throughput is moved off it.
    expect(await steering(edge, EU, token, '?_HLS_pathway=zone-us&_HLS_throughput=6000000')).toEqual([
      'zone-us',
      'edge',
      'zone-eu',
    ]);
    expect(await steering(edge, EU, token, '?_HLS_pathway=zone-us&_HLS_throughput=200000')).toEqual([
      'edge',
      'zone-us',
      'zone-eu',
    ]);
    expect(await steering(edge, EU, token, '?_HLS_pathway=nowhere')).toEqual(['edge', 'zone-eu', 'zone-us']);
  });

  it('serves every request when a zone is killed mid-test: the request in flight fails over, later ones skip the dead zone, steering drops it', async () => {
    const live = await openLiveSession(edge, EU);
    expect(live.zone).toBe('zone-eu');
    const vodMaster = await at(edge, EU, '/v1/vod/enc1/master.m3u8');
    const vodToken = vodMaster.headers.get('x-meridian-session') ?? '';
    await vodMaster.text();

    await eu.server.shutdown();

    const first = await at(edge, EU, `/v1/sessions/${live.token}/v0.m3u8`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-meridian-zone')).toBe('zone-us');
    expect(first.headers.get('x-meridian-zone-attempts')).toBe('zone-eu:unreachable,zone-us:200');
    expect(await first.text()).toContain('#EXT-X-MEDIA-SEQUENCE:100');

    const next = await at(edge, EU, `/v1/sessions/${live.token}/v0.m3u8`);
    expect(next.status).toBe(200);
    expect(next.headers.get('x-meridian-zone-attempts')).toBe('zone-us:200');
    await next.text();

    for (const path of [
      `/v1/sessions/${vodToken}/tracking`,
      `/v1/keys/k-enc1?session=${vodToken}`,
      '/v1/live/ch1/master.m3u8',
    ]) {
      const res = await at(edge, EU, path);
      expect(res.headers.get('x-meridian-zone')).toBe('zone-us');
      // The key store of the test zones is empty: the zone answers 403 for the key, which is its answer, not a failover.
      expect(res.status).toBe(path.startsWith('/v1/keys/') ? 403 : 200);
      await res.text();
    }
    // VOD media playlists never needed the zone.
    const vodMedia = await at(edge, EU, `/v1/sessions/${vodToken}/v0.m3u8`);
    expect(vodMedia.status).toBe(200);
    expect(vodMedia.headers.get('x-meridian-zone')).toBe('edge');

    expect(await steering(edge, EU, live.token)).toEqual(['edge', 'zone-us']);
    expect(await steering(edge, EU, live.token, '?_HLS_pathway=zone-eu')).toEqual(['edge', 'zone-us']);
    const health = (await (await at(edge, EU, '/healthz')).json()) as {
      zones: Array<{ id: string; healthy: boolean }>;
    };
    expect(health.zones).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'zone-eu', healthy: false }),
        expect.objectContaining({ id: 'zone-us', healthy: true }),
      ]),
    );
    // The edge itself stays ready (VOD needs no zone); /readyz reports the dead zone.
    const ready = await at(edge, EU, '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      zone: 'edge',
      checks: { 'zone:zone-eu': 'down', 'zone:zone-us': 'ok' },
    });
  });

  it('brings a zone back once its health probe succeeds again', async () => {
    const probing = await newEdge({ PROBE_INTERVAL_MS: '150', PROBE_TIMEOUT_MS: '500' });
    const { token } = await openLiveSession(probing, EU);
    // The first request's probe round finds zone-eu down.
    await new Promise((r) => setTimeout(r, 300));
    expect(await steering(probing, EU, token)).toEqual(['edge', 'zone-us']);

    eu = await startZone('zone-eu', origin.url, eu.port);
    const deadline = Date.now() + 10_000;
    let priority: string[] = [];
    while (Date.now() < deadline) {
      priority = await steering(probing, EU, token);
      if (priority.includes('zone-eu')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(priority).toEqual(['edge', 'zone-eu', 'zone-us']);
    expect((await openLiveSession(probing, EU)).zone).toBe('zone-eu');
  });

  it('answers a JSON 502 when no zone is left', async () => {
    await eu.server.shutdown();
    await us.server.shutdown();
    const res = await at(edge, NA, '/v1/live/ch1/master.m3u8');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'ZONE_UNAVAILABLE' } });
  });
});
