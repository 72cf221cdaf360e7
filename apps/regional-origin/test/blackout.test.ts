/** @module Blackout in the zone (BLACKOUT_RULES): a viewer in the blacked-out country gets the slate over the window, another viewer the content. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultyServer } from '@meridian/testkit';
import { ConfigError } from '../src/config.ts';
import { buildApp, publishAsset, startOrigin, testConfig } from './helpers.ts';

let origin: FaultyServer;
beforeAll(async () => {
  origin = await startOrigin();
  publishAsset(origin, 'movie1');
  publishAsset(origin, 'slate1');
  publishAsset(origin, 'movie-enc', { keyId: 'k-enc' });
});
afterAll(async () => {
  await origin?.close();
});

/** Media time 6–12 s (the second 6 s segment) is blacked out for viewers in Germany. */
const RULES = JSON.stringify({
  rules: [
    {
      id: 'de-rights',
      audience: { countries: ['DE'], match: 'ANY' },
      trigger: { kind: 'mediaTime', startSeconds: 6, endSeconds: 12 },
      replacementId: 'slate',
    },
  ],
});
const env = () => ({ BLACKOUT_RULES: RULES, SLATE_URL: `${origin.url}/vod/slate1/master.m3u8` });

async function mediaFor(
  app: ReturnType<typeof buildApp>['app'],
  country: string,
  asset = 'movie1',
): Promise<{ status: number; uris: string[]; text: string }> {
  const master = await app.request(`/v1/vod/${asset}/master.m3u8`, {
    headers: { 'cloudfront-viewer-country': country },
  });
  const sid = master.headers.get('x-meridian-session') ?? '';
  const res = await app.request(`/v1/sessions/${sid}/v1.m3u8`);
  const text = await res.text();
  return { status: res.status, text, uris: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')) };
}

describe('blackout', () => {
  it('replaces the blacked-out media time with slate for a viewer in the country, between discontinuities', async () => {
    const { app } = buildApp(testConfig([origin.url], env()));
    const de = await mediaFor(app, 'de');
    expect(de.status).toBe(200);
    expect(de.uris.map((u) => new URL(u).pathname)).toEqual([
      '/vod/movie1/720p/seg0.ts',
      '/vod/slate1/720p/seg0.ts',
      '/vod/movie1/720p/seg2.ts',
    ]);
    expect(de.text.split('\n').filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(2);
  });

  it('serves the content to a viewer the rule does not apply to', async () => {
    const { app } = buildApp(testConfig([origin.url], env()));
    const fr = await mediaFor(app, 'fr');
    expect(fr.uris.map((u) => new URL(u).pathname)).toEqual([
      '/vod/movie1/720p/seg0.ts',
      '/vod/movie1/720p/seg1.ts',
      '/vod/movie1/720p/seg2.ts',
    ]);
    expect(fr.text).not.toContain('#EXT-X-DISCONTINUITY');
  });

  it('keeps the content key around clear slate', async () => {
    const { app } = buildApp(testConfig([origin.url], env()));
    const de = await mediaFor(app, 'de', 'movie-enc');
    const keys = de.text.split('\n').filter((l) => l.startsWith('#EXT-X-KEY'));
    expect(keys[0]).toContain('METHOD=AES-128');
    expect(keys).toContain('#EXT-X-KEY:METHOD=NONE');
    expect(keys[keys.length - 1]).toContain('METHOD=AES-128');
  });

  it("fails the playlist (503), never the content, when a blacked-out viewer's slate cannot be read", async () => {
    const { app } = buildApp(
      testConfig([origin.url], { BLACKOUT_RULES: RULES, SLATE_URL: `${origin.url}/vod/missing-slate/master.m3u8` }),
    );
    expect((await mediaFor(app, 'de')).status).toBe(503);
    expect((await mediaFor(app, 'fr')).status).toBe(200);
  });

  it('refuses bad rules and rules without a slate at start, naming the setting', () => {
    expect(() => testConfig([origin.url], { BLACKOUT_RULES: '{"rules": [' })).toThrow(ConfigError);
    expect(() => testConfig([origin.url], { BLACKOUT_RULES: RULES })).toThrow(
      /SLATE_URL is required when BLACKOUT_RULES/,
    );
  });
});
