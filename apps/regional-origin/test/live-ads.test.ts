/**
 * @module Live SSAI against real parts: testkit's simulated live channel (SCTE-35 cue-outs, a
 * sliding window on an injected clock), a local VAST server, transcoded ad and slate assets on an
 * HTTP origin, and a real redis-server shared by two zones that is stopped mid-playback.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sleep,
  startLiveChannel,
  startRedis,
  startVastServer,
  type FaultyServer,
  type LiveChannel,
  type RedisHandle,
  type VastServer,
} from '@meridian/testkit';
import { buildApp, publishAsset, startOrigin, testConfig } from './helpers.ts';
import {
  checkSequence,
  writeChannelLadder,
  publishLadder,
  reload,
  vodMedia,
  type Reload,
  type Requester,
} from './live-helpers.ts';
import { adAssetIdFor } from '../src/ads/decisions.ts';
import { createValkeyClient, type ValkeyClient } from '../src/valkey.ts';
import { createValkeySessionStore } from '../src/sessions/valkey-store.ts';
import { createMemoryLogger } from '../src/log.ts';
import { createMemoryKeyStore } from '../src/keys.ts';

const AD_MEDIA = 'http://media.example/ads/live-ad-1080p.mp4';
const AD_ID = adAssetIdFor(AD_MEDIA);
const AD2_MEDIA = 'http://media.example/ads/live-ad-two-1080p.mp4';
const AD2_ID = adAssetIdFor(AD2_MEDIA);
/** Segments per loop of the channel (1 s each). */
const LOOP = 12;
/** The zone caches a live window for half a target duration (500 ms here): each clock step waits that long. */
const CACHE_MS = 520;

const isAd = (uri: string): boolean => uri.includes(`/vod/${AD_ID}/`);
const isSlate = (uri: string): boolean => uri.includes('/vod/slate/');

let dir: string;
let origin: FaultyServer;
let channel: LiveChannel;
/** A second channel whose segments are AES-128 encrypted, with a key rotation inside the window. */
let encrypted: LiveChannel;
let vast: VastServer;
let clockMs = Date.UTC(2026, 10, 22, 6, 0, 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-live-ads-'));
  writeChannelLadder(dir, 'ch1', LOOP);
  channel = await startLiveChannel({
    dir,
    masterName: 'ch1/master.m3u8',
    windowSegments: 6,
    now: () => clockMs,
    breaks: [
      // 3 s: filled exactly by the 3 s ad.
      { offsetSeconds: 3, durationSeconds: 3 },
      // 2 s, signalled with SCTE-35 splice_insert DATERANGEs: the 3 s ad does not fit, so slate (or content).
      { offsetSeconds: 8, durationSeconds: 2, style: 'daterange-splice-insert' },
    ],
  });
  mkdirSync(join(dir, 'ch2', '720p'), { recursive: true });
  writeFileSync(
    join(dir, 'ch2', 'master.m3u8'),
    [
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720',
      '720p/index.m3u8',
      '',
    ].join('\n'),
  );
  const keyLine = (id: string): string => `#EXT-X-KEY:METHOD=AES-128,URI="../keys/${id}.key"`;
  writeFileSync(
    join(dir, 'ch2', '720p', 'index.m3u8'),
    vodMedia(LOOP, 'content')
      .replace('#EXTINF', `${keyLine('lk1')}\n#EXTINF`)
      .replace('#EXTINF:1.000,\ncontent3.m4s', `${keyLine('lk2')}\n#EXTINF:1.000,\ncontent3.m4s`),
  );
  encrypted = await startLiveChannel({ dir, masterName: 'ch2/master.m3u8', windowSegments: 6, now: () => clockMs });
  origin = await startOrigin();
  publishAsset(origin, 'movie1');
  publishLadder(origin, AD_ID, 3);
  publishLadder(origin, AD2_ID, 3);
  publishLadder(origin, 'slate', 1);
  vast = await startVastServer({ ads: [{ id: 'live-ad', mediaUrl: AD_MEDIA, durationSeconds: 3, height: 1080 }] });
});

afterAll(async () => {
  await vast?.close();
  await channel?.stop();
  await encrypted?.stop();
  await origin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const liveEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  ADS_URL_TEMPLATE: `${vast.vastUrl}?sid=[session.id]&dur=[avail.duration]`,
  SLATE_URL: `${origin.url}/vod/slate/master.m3u8`,
  ADS_REQUEST_TIMEOUT_MS: '300',
  ADS_TOTAL_BUDGET_MS: '600',
  ...extra,
});

async function startLive(app: Requester): Promise<string> {
  const res = await app.request('/v1/live/ch1/master.m3u8');
  expect(res.status).toBe(200);
  return res.headers.get('x-meridian-session') ?? '';
}

/** Moves the channel one segment on and waits out the zone's live window cache. */
async function step(seconds = 1): Promise<void> {
  clockMs += seconds * 1000;
  await sleep(CACHE_MS);
}

/** Moves the channel's clock on until its newest segment is loop segment `lastInLoop` (new apps have cold caches, so no wait). */
function alignWindow(lastInLoop: number): void {
  while (channel.window(clockMs).lastSequence % LOOP !== lastInLoop) clockMs += 1000;
}

describe('live SSAI', () => {
  it('replaces each break with ads (the last ad cut to fit), MSN/DSN monotonic and identical across renditions over a loop of reloads', async () => {
    const { app } = buildApp(testConfig([origin.url, channel.baseUrl], liveEnv()));
    const adsCallsBefore = vast.requests.length;
    alignWindow(5);
    const sid = await startLive(app);
    const renditions = ['v0', 'v1', 'r0'];
    const runs: Record<string, Reload[]> = { v0: [], v1: [], r0: [] };
    for (let i = 0; i < LOOP + 8; i++) {
      // Each step a different rendition reloads first (players reload audio and video independently).
      const order = i % 2 === 0 ? ['r0', 'v0', 'v1'] : ['v1', 'r0', 'v0'];
      const got: Record<string, Reload> = {};
      for (const r of order) got[r] = await reload(app, sid, r);
      const now = renditions.map((r) => got[r]!);
      // The same instant: the same MSN, DSN and discontinuity positions in every rendition.
      for (const r of now) {
        expect([r.msn, r.dsn], `step ${i}`).toEqual([now[0]!.msn, now[0]!.dsn]);
        // (An audio window may end a segment earlier: a replacement appears once the content it replaces is out in that rendition.)
        const common = Math.min(r.segments.length, now[0]!.segments.length);
        expect(common).toBeGreaterThanOrEqual(now[0]!.segments.length - 1);
        expect(r.segments.slice(0, common).map((s) => s.discontinuity)).toEqual(
          now[0]!.segments.slice(0, common).map((s) => s.discontinuity),
        );
      }
      renditions.forEach((r, k) => runs[r]!.push(now[k]!));
      // A second reload of the same window answers the same playlist.
      expect((await reload(app, sid, 'v1')).text).toBe(now[1]!.text);
      await step();
    }
    const v1 = checkSequence(runs.v1!, 'v1');
    checkSequence(runs.v0!, 'v0');
    checkSequence(runs.r0!, 'r0');

    const uris = [...v1.values()];
    // Both breaks of both loops the session saw got the ad, each ad segment served once (at one MSN):
    // 3 s into the 3 s break, and cut at a segment boundary to fill the 2 s break.
    const ads = uris.filter(isAd);
    const byBreak = new Map<string, string[]>();
    for (const u of ads) {
      const breakId = /mbk=([^&]+)\.\d+$/.exec(u)?.[1] ?? '?';
      byBreak.set(breakId, [...(byBreak.get(breakId) ?? []), u.replace(/\?.*$/, '')]);
    }
    expect([...byBreak.values()].map((list) => list.length)).toEqual([3, 2, 3, 2]);
    expect([...byBreak.values()][0]).toEqual([0, 1, 2].map((k) => `${origin.url}/vod/${AD_ID}/720p/seg${k}.m4s`));
    expect(uris.filter(isSlate)).toEqual([]);
    // The content under the first break (loop segments 3–5) is never served.
    for (const k of [3, 4, 5])
      expect(
        uris.some((u) => u.endsWith(`/ch1/720p/content${k}.m4s`)),
        `content${k}`,
      ).toBe(false);
    // The content around the breaks is.
    for (const k of [2, 6, 7, 10])
      expect(
        uris.some((u) => u.endsWith(`/ch1/720p/content${k}.m4s`)),
        `content${k}`,
      ).toBe(true);
    // The audio rendition got the ad's audio.
    expect([...checkSequence(runs.r0!, 'r0').values()].some((u) => u.includes(`/vod/${AD_ID}/audio/`))).toBe(true);
    // One ADS request per break (decided once per session: two breaks per loop), not one per reload or rendition.
    expect(vast.requests.length - adsCallsBefore).toBe(4);

    // Tracking: the avails with ads, on the PROGRAM-DATE-TIME clock, with the ad's beacons.
    const tracking = (await (await app.request(`/v1/sessions/${sid}/tracking`)).json()) as {
      avails: Array<{
        availId: string;
        ads: Array<{
          adId: string;
          durationInSeconds: number;
          trackingEvents: Array<{ eventType: string; beaconUrls: string[] }>;
        }>;
      }>;
    };
    expect(tracking.avails.length).toBeGreaterThanOrEqual(1);
    const ad = tracking.avails[0]!.ads[0]!;
    expect([ad.adId, ad.durationInSeconds]).toEqual(['live-ad', 3]);
    expect(ad.trackingEvents.find((e) => e.eventType === 'impression')?.beaconUrls[0]).toContain('/track/impression');
  }, 60_000);

  it('an ADS that hangs gets slate within the budget, or keeps the content with ADS_FALLBACK=content — never a failed playlist', async () => {
    vast.set({ kind: 'hang' });
    try {
      for (const fallback of ['slate', 'content'] as const) {
        const { app } = buildApp(testConfig([origin.url, channel.baseUrl], liveEnv({ ADS_FALLBACK: fallback })));
        alignWindow(5);
        const sid = await startLive(app);
        // The first window already holds the first break (loop segments 3–5): this reload waits for the ADS.
        const started = Date.now();
        const first = await reload(app, sid, 'v1');
        // The ADS budget is 600 ms; the rest is scheduling slack on a busy machine.
        expect(Date.now() - started).toBeLessThan(2_500);
        expect(first.status).toBe(200);
        await step();
        const next = await reload(app, sid, 'v1');
        expect(next.msn).toBeGreaterThanOrEqual(first.msn);
        const text = first.text + next.text;
        const underBreak = [3, 4, 5].map((k) => `/ch1/720p/content${k}.m4s`);
        if (fallback === 'slate') {
          expect(first.segments.filter((s) => isSlate(s.uri)).length).toBe(3);
          for (const u of underBreak) expect(text).not.toContain(u);
        } else {
          expect(text).not.toMatch(/\/vod\/slate\//);
          for (const u of underBreak) expect(text).toContain(u);
        }
        expect(text).not.toContain(`/vod/${AD_ID}/`);
      }
    } finally {
      vast.set({ kind: 'ok' });
    }
  }, 60_000);

  it('in interstitials mode signals each live break as an HLS interstitial (same DATERANGE in every rendition and reload) whose asset list holds the ad', async () => {
    const { app } = buildApp(testConfig([origin.url, channel.baseUrl], liveEnv()));
    alignWindow(5);
    const res = await app.request('/v1/live/ch1/master.m3u8?mode=interstitials');
    expect(res.status).toBe(200);
    const sid = res.headers.get('x-meridian-session') ?? '';
    const interstitials = (text: string): string[] =>
      text.split('\n').filter((l) => l.includes('CLASS="com.apple.hls.interstitial"'));
    const seen = new Map<string, string>();
    for (let i = 0; i < 4; i++) {
      for (const r of ['v1', 'r0']) {
        const got = await reload(app, sid, r);
        expect(got.status).toBe(200);
        // The content is untouched: no ad segments, no added discontinuities.
        expect(got.segments.some((x) => isAd(x.uri))).toBe(false);
        for (const line of interstitials(got.text)) {
          const id = /ID="([^"]+)"/.exec(line)![1]!;
          expect(line).toContain('X-SNAP="OUT,IN"');
          if (seen.has(id)) expect(line, `${r} step ${i}`).toBe(seen.get(id));
          seen.set(id, line);
        }
      }
      await step();
    }
    expect(seen.size).toBeGreaterThanOrEqual(1);
    const [id, line] = [...seen][0]!;
    expect(line).toContain('X-RESUME-OFFSET=3');
    const assetListUrl = /X-ASSET-LIST="([^"]+)"/.exec(line)![1]!;
    expect(assetListUrl).toBe(`http://zone.test/v1/sessions/${sid}/breaks/${id}.json`);
    const listRes = await app.request(new URL(assetListUrl).pathname);
    const list = (await listRes.json()) as { ASSETS: Array<{ URI: string; DURATION: number }> };
    expect(listRes.status, JSON.stringify(list)).toBe(200);
    expect(list.ASSETS).toEqual([{ URI: `${origin.url}/vod/${AD_ID}/master.m3u8`, DURATION: 3 }]);
    expect((await app.request(`/v1/sessions/${sid}/breaks/cue-999999.json`)).status).toBe(404);
  }, 30_000);

  it("serves a live channel's AES-128 keys (rotated ones too) only to sessions of that channel", async () => {
    const keys = createMemoryKeyStore();
    const lk1 = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const lk2 = Uint8Array.from({ length: 16 }, (_, i) => 100 + i);
    await keys.put('lk1', lk1);
    await keys.put('lk2', lk2);
    const { app } = buildApp(testConfig([origin.url, channel.baseUrl, encrypted.baseUrl], liveEnv()), { keys });
    alignWindow(5);
    const res = await app.request('/v1/live/ch2/master.m3u8');
    expect(res.status).toBe(200);
    const sid = res.headers.get('x-meridian-session') ?? '';
    const media = await reload(app, sid, 'v0');
    expect(media.status).toBe(200);
    // Both keys of the window point at the session key endpoint.
    expect(media.text).toContain(`/v1/keys/lk1?session=${sid}`);
    expect(media.text).toContain(`/v1/keys/lk2?session=${sid}`);
    const key = async (keyId: string, session: string): Promise<Response> =>
      app.request(`/v1/keys/${keyId}?session=${session}`);
    const first = await key('lk1', sid);
    expect(first.status).toBe(200);
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(lk1);
    expect(new Uint8Array(await (await key('lk2', sid)).arrayBuffer())).toEqual(lk2);
    // A key the channel does not use, and the channel's keys for sessions of other content: 403.
    expect((await key('lk3', sid)).status).toBe(403);
    const otherLive = (await app.request('/v1/live/ch1/master.m3u8')).headers.get('x-meridian-session') ?? '';
    expect((await key('lk1', otherLive)).status).toBe(403);
    const vod = (await app.request('/v1/vod/movie1/master.m3u8')).headers.get('x-meridian-session') ?? '';
    expect((await key('lk1', vod)).status).toBe(403);
    expect((await app.request('/v1/keys/lk1')).status).toBe(403);
    // A zone that has not served the channel's playlists yet reads them to check the binding.
    const { app: fresh } = buildApp(testConfig([origin.url, channel.baseUrl, encrypted.baseUrl], liveEnv()), { keys });
    expect((await fresh.request(`/v1/keys/lk2?session=${sid}`)).status).toBe(200);
  });

  describe('with Valkey', () => {
    let redis: RedisHandle;
    const clients: ValkeyClient[] = [];
    let stopped = false;

    beforeAll(async () => {
      redis = await startRedis();
    });

    afterAll(async () => {
      for (const c of clients) c.disconnect();
      if (!stopped) await redis?.stop();
    });

    const zone = (name: string) => {
      const config = testConfig(
        [origin.url, channel.baseUrl],
        liveEnv({ VALKEY_URL: redis.url, VALKEY_COMMAND_TIMEOUT_MS: '200', ZONE: name }),
      );
      const valkey = createValkeyClient(config.valkey, createMemoryLogger()) as ValkeyClient;
      clients.push(valkey);
      return buildApp(config, { valkey, sessionStore: createValkeySessionStore(valkey, config.valkey.keyPrefix) });
    };

    it('zones that decide the same break at once play the first decision stored, whatever the ADS answers the second', async () => {
      const a = zone('zone-a');
      const b = zone('zone-b');
      for (const app of [a, b]) while ((await app.deps.valkey!.ping().catch(() => '')) !== 'PONG') await sleep(50);
      alignWindow(5);
      const sid = await startLive(a.app);
      const fromA = await reload(a.app, sid, 'v1');
      expect(fromA.segments.some((x) => isAd(x.uri))).toBe(true);
      // Zone B decides on its own — as if zone A's record write had not landed yet — while the ADS now answers another ad.
      const { id } = await a.sessions.verify(sid);
      const breaksKey = `meridian:session:{${id}}:breaks`;
      await a.deps.valkey!.del(`meridian:session:{${id}}:live`);
      const answers = (await a.deps.valkey!.hkeys(breaksKey)).filter((field) => !field.startsWith('live:'));
      expect(answers.length).toBeGreaterThan(0);
      await a.deps.valkey!.hdel(breaksKey, ...answers);
      vast.setAds([{ id: 'live-ad-two', mediaUrl: AD2_MEDIA, durationSeconds: 3, height: 1080 }]);
      try {
        const fromB = await reload(b.app, sid, 'v1');
        expect(fromB.segments).toEqual(fromA.segments);
        expect([fromB.msn, fromB.dsn]).toEqual([fromA.msn, fromA.dsn]);
        expect(fromB.text).not.toContain(AD2_ID);
      } finally {
        vast.setAds([{ id: 'live-ad', mediaUrl: AD_MEDIA, durationSeconds: 3, height: 1080 }]);
      }
    });

    it('another zone renders the same window from the stored record, and playback keeps its ads and sequence with 200s when Valkey is stopped', async () => {
      const a = zone('zone-a');
      const b = zone('zone-b');
      for (const app of [a, b]) while ((await app.deps.valkey!.ping().catch(() => '')) !== 'PONG') await sleep(50);
      alignWindow(5);
      const sid = await startLive(a.app);
      const runs: Reload[] = [];
      for (let i = 0; i < 3; i++) {
        runs.push(await reload(a.app, sid, 'v1'));
        await step();
      }
      // Zone B has never seen this session: it reads the record zone A stored and answers the same.
      const [fromA, fromB] = await Promise.all([reload(a.app, sid, 'v1'), reload(b.app, sid, 'v1')]);
      expect(fromB.segments).toEqual(fromA.segments);
      expect([fromB.msn, fromB.dsn]).toEqual([fromA.msn, fromA.dsn]);
      expect(fromA.segments.some((s) => isAd(s.uri))).toBe(true);
      runs.push(fromA, fromB);

      await redis.stop();
      stopped = true;
      for (let i = 0; i < LOOP; i++) {
        await step();
        runs.push(await reload(i % 2 === 0 ? a.app : b.app, sid, 'v1'));
      }
      checkSequence(runs, 'v1 across zones and a Valkey stop');
      // The next loop's 3 s break was decided with Valkey gone, and replaced all the same.
      const seenBefore = new Set(runs.slice(0, 5).flatMap((r) => r.segments.map((x) => x.uri)));
      const newAds = new Map<string, Set<string>>();
      for (const r of runs.slice(5)) {
        for (const x of r.segments) {
          if (!isAd(x.uri) || seenBefore.has(x.uri)) continue;
          const breakId = /mbk=([^&]+)\.\d+$/.exec(x.uri)?.[1] ?? '?';
          newAds.set(breakId, (newAds.get(breakId) ?? new Set()).add(x.uri));
        }
      }
      const fullBreak = [...newAds.values()].some((uris) => uris.size === 3);
      expect(fullBreak, JSON.stringify([...newAds].map(([id, uris]) => [id, uris.size]))).toBe(true);
    }, 60_000);
  });
});
