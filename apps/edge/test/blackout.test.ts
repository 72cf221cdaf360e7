/**
 * @module Blackout through the edge (workerd) with a real zone: the edge renders VOD media
 * playlists itself, except a blacked-out viewer's, which it forwards to a zone that puts the slate
 * over the rule's window — so a viewer a rule applies to never gets the content from the edge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { FaultyServer } from '@meridian/testkit';
import { PUBLIC_BASE_URL, SIGNING_KEYS, startEdge, startOrigin, startZone, type Zone } from './helpers.ts';
import { loadEdgeConfig } from '../src/config.ts';

const RULES = JSON.stringify([
  {
    id: 'de-rights',
    audience: { countries: ['DE'], match: 'ANY' },
    trigger: { kind: 'mediaTime', startSeconds: 6, endSeconds: 12 },
    replacementId: 'slate',
  },
]);

describe('blackout through the edge (workerd)', () => {
  let origin: FaultyServer;
  let zone: Zone;
  let edge: Miniflare;

  const get = (path: string, country: 'DE' | 'FR') =>
    edge.dispatchFetch(`${PUBLIC_BASE_URL}${path}`, { cf: { country, continent: 'EU' } });
  const mediaFor = async (
    country: 'DE' | 'FR',
  ): Promise<{ status: number; text: string; zone: string | null; uris: string[] }> => {
    const master = await get('/v1/vod/enc1/master.m3u8', country);
    expect(master.status).toBe(200);
    await master.text();
    const token = master.headers.get('x-meridian-session') ?? '';
    const res = await get(`/v1/sessions/${token}/v1.m3u8`, country);
    const text = await res.text();
    return {
      status: res.status,
      text,
      zone: res.headers.get('x-meridian-zone'),
      uris: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')),
    };
  };

  beforeAll(async () => {
    origin = await startOrigin();
    zone = await startZone('zone-eu', origin.url, 0, {
      BLACKOUT_RULES: RULES,
      SLATE_URL: `${origin.url}/vod/a1/master.m3u8`,
    });
    edge = await startEdge({
      ORIGIN_URLS: origin.url,
      BLACKOUT_RULES: RULES,
      ZONES: JSON.stringify([{ id: 'zone-eu', url: zone.url, publicUrl: 'https://eu.meridian.test', geo: ['*'] }]),
    });
  });
  afterAll(async () => {
    await edge?.dispose();
    await zone?.server.shutdown();
    await origin?.close();
  });

  it("forwards a blacked-out viewer's media playlist to the zone (slate over the window) and renders everyone else's itself", async () => {
    const de = await mediaFor('DE');
    expect(de.status).toBe(200);
    expect(de.zone).toBe('zone-eu');
    expect(de.uris.map((u) => new URL(u).pathname)).toEqual([
      '/vod/enc1/720p/seg0.ts',
      '/vod/a1/720p/seg0.ts',
      '/vod/enc1/720p/seg2.ts',
    ]);
    expect(de.text).toContain('mbk=blackout%3Ade-rights%3A');

    const fr = await mediaFor('FR');
    expect(fr.status).toBe(200);
    expect(fr.zone).not.toBe('zone-eu');
    expect(fr.uris.map((u) => new URL(u).pathname)).toEqual([
      '/vod/enc1/720p/seg0.ts',
      '/vod/enc1/720p/seg1.ts',
      '/vod/enc1/720p/seg2.ts',
    ]);
  });

  it('refuses bad BLACKOUT_RULES at start, naming the setting and the rule', () => {
    const env = { SIGNING_KEYS, ORIGIN_URLS: origin.url };
    expect(() => loadEdgeConfig({ ...env, BLACKOUT_RULES: '[{"id": 1}]' })).toThrow(/BLACKOUT_RULES: .*\$\[0\]/);
    expect(() => loadEdgeConfig({ ...env, BLACKOUT_RULES: '[' })).toThrow(/BLACKOUT_RULES: .*not JSON/);
    expect(loadEdgeConfig({ ...env, BLACKOUT_RULES: RULES }).blackoutRules.map((r) => r.id)).toEqual(['de-rights']);
    // The same rules the zones read (a zone refuses what the edge refuses).
    expect(loadEdgeConfig(env).blackoutRules).toEqual([]);
  });
});
