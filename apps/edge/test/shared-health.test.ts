/**
 * @module Zone health shared between isolates through the Cache API, inside workerd: two edge
 * isolates in one colo (two workers of one workerd, one `caches.default`); when one finds a zone
 * dead, the other skips it on its very first request instead of paying the zone timeout again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Miniflare } from 'miniflare';
import { startBlackHole, type BlackHole, type FaultyServer } from '@meridian/testkit';
import { PUBLIC_BASE_URL, SCRIPT_PATH, SIGNING_KEYS, startOrigin, startZone, type Zone } from './helpers.ts';

describe('zone health shared across isolates (workerd)', () => {
  let origin: FaultyServer;
  let dead: BlackHole;
  let alive: Zone;

  /** Two isolates of the edge bundle sharing one colo cache. */
  const startColo = async (shareMs: string): Promise<Miniflare> => {
    const bindings = {
      SIGNING_KEYS,
      PUBLIC_BASE_URL,
      ORIGIN_URLS: origin.url,
      ZONES: JSON.stringify([
        { id: 'zone-silent', url: dead.url, failover: 'PRIMARY' },
        { id: 'zone-ok', url: alive.url, failover: 'SECONDARY' },
      ]),
      // The probe of the silent zone cannot finish during the test: only forwarding and sharing decide.
      PROBE_TIMEOUT_MS: '20000',
      ZONE_TIMEOUT_MS: '400',
      ZONE_HEALTH_SHARE_MS: shareMs,
    };
    const mf = new Miniflare({
      workers: ['isolate-a', 'isolate-b'].map((name) => ({
        name,
        modules: true,
        scriptPath: SCRIPT_PATH,
        compatibilityDate: '2025-09-01',
        bindings,
      })),
    });
    await mf.ready;
    return mf;
  };
  const openAt = async (mf: Miniflare, isolate: string): Promise<string | null> => {
    const worker = await mf.getWorker(isolate);
    const res = await worker.fetch(`${PUBLIC_BASE_URL}/v1/sessions`, {
      method: 'POST',
      body: JSON.stringify({ channelId: 'ch1' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    await res.text();
    return res.headers.get('x-meridian-zone-attempts');
  };

  /** PATHWAY-PRIORITY a player of a new VOD session gets from `isolate`. */
  const steeringAt = async (mf: Miniflare, isolate: string): Promise<string[]> => {
    const worker = await mf.getWorker(isolate);
    const master = await worker.fetch(`${PUBLIC_BASE_URL}/v1/vod/a1/master.m3u8`);
    expect(master.status).toBe(200);
    await master.text();
    const res = await worker.fetch(
      `${PUBLIC_BASE_URL}/v1/steering/${master.headers.get('x-meridian-session') ?? ''}.json`,
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { 'PATHWAY-PRIORITY': string[] })['PATHWAY-PRIORITY'];
  };

  beforeAll(async () => {
    origin = await startOrigin();
    dead = await startBlackHole();
    alive = await startZone('zone-ok', origin.url);
  });
  afterAll(async () => {
    await alive?.server.shutdown();
    await dead?.close();
    await origin?.close();
  });

  it('skips a zone another isolate found dead, from its first request, in forwarding and in steering', async () => {
    const colo = await startColo('1000');
    try {
      expect(await openAt(colo, 'isolate-a')).toBe('zone-silent:timeout,zone-ok:201');
      expect(await openAt(colo, 'isolate-b')).toBe('zone-ok:201');
      const health = (await (await (await colo.getWorker('isolate-b')).fetch(`${PUBLIC_BASE_URL}/healthz`)).json()) as {
        zones: Array<{ id: string; healthy: boolean }>;
      };
      expect(health.zones.find((z) => z.id === 'zone-silent')).toMatchObject({ healthy: false });
      expect(await steeringAt(colo, 'isolate-b')).toEqual(['edge', 'zone-ok']);
    } finally {
      await colo.dispose();
    }
  });

  it('without sharing (ZONE_HEALTH_SHARE_MS=0) each isolate pays the dead zone once', async () => {
    const colo = await startColo('0');
    try {
      expect(await openAt(colo, 'isolate-a')).toBe('zone-silent:timeout,zone-ok:201');
      expect(await steeringAt(colo, 'isolate-b')).toEqual(['edge', 'zone-silent', 'zone-ok']);
      expect(await openAt(colo, 'isolate-b')).toBe('zone-silent:timeout,zone-ok:201');
    } finally {
      await colo.dispose();
    }
  });
});
