/** @module Ads against a local VAST server: templating, wrappers, creative matching and transcode enqueue, slate on hang/error, SSRF allow-list. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultyServer, type FaultyServer } from '@meridian/testkit';
import { buildApp, metricValue, publishAsset, startOrigin, testConfig } from './helpers.ts';
import { adAssetIdFor } from '../src/ads/decisions.ts';
import { createMemoryTranscodeQueue } from '../src/jobs.ts';

const MEDIA_A = 'http://media.example/ads/a-1080p.mp4';
const MEDIA_B = 'http://media.example/ads/b-1080p.mp4';

function inline(only?: 'ad-a'): string {
  const ad = (id: string, seq: number, media: string, duration: string) => `
  <Ad id="${id}" sequence="${seq}"><InLine><AdSystem>test</AdSystem><AdTitle>${id}</AdTitle>
    <Impression><![CDATA[http://beacons.example/imp/${id}]]></Impression>
    <Creatives><Creative id="cr-${id}"><Linear><Duration>${duration}</Duration>
      <TrackingEvents><Tracking event="start">http://beacons.example/start/${id}</Tracking><Tracking event="complete">http://beacons.example/complete/${id}</Tracking></TrackingEvents>
      <MediaFiles><MediaFile delivery="progressive" type="video/mp4" width="1920" height="1080" bitrate="5000"><![CDATA[${media}]]></MediaFile>
        <MediaFile delivery="progressive" type="video/mp4" width="640" height="360" bitrate="800"><![CDATA[${media.replace('1080p', '360p')}]]></MediaFile></MediaFiles>
    </Linear></Creative></Creatives></InLine></Ad>`;
  if (only) return `<VAST version="4.0">${ad('ad-a', 1, MEDIA_A, '00:00:15')}</VAST>`;
  return `<?xml version="1.0"?><VAST version="4.0">${ad('ad-b', 2, MEDIA_B, '00:00:10.000')}${ad('ad-a', 1, MEDIA_A, '00:00:15')}</VAST>`;
}

let vast: Server;
let vastUrl = '';
let origin: FaultyServer;
let elsewhere: FaultyServer;
const seen: Array<{ path: string; query: URLSearchParams }> = [];

beforeAll(async () => {
  origin = await startOrigin();
  elsewhere = await startFaultyServer({ '*': { kind: 'ok', body: inline() } });
  publishAsset(origin, 'movie1');
  vast = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: url.pathname, query: url.searchParams });
    const xml = (body: string) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(body);
    };
    switch (url.pathname) {
      case '/vast':
        return xml(`<VAST version="4.0"><Ad id="w1"><Wrapper><AdSystem>w</AdSystem><Impression>http://beacons.example/imp/wrapper</Impression>
          <VASTAdTagURI><![CDATA[${vastUrl}/inline]]></VASTAdTagURI><Creatives><Creative><Linear><TrackingEvents><Tracking event="start">http://beacons.example/start/wrapper</Tracking></TrackingEvents></Linear></Creative></Creatives></Wrapper></Ad></VAST>`);
      case '/inline':
        return xml(inline());
      case '/vmap':
        return xml(`<?xml version="1.0"?><vmap:VMAP xmlns:vmap="http://www.iab.net/videosuite/vmap" version="1.0">
          <vmap:AdBreak timeOffset="start" breakType="linear" breakId="pre"><vmap:AdSource id="pre" allowMultipleAds="true" followRedirects="true">
            <vmap:VASTAdData>${inline('ad-a')}</vmap:VASTAdData></vmap:AdSource></vmap:AdBreak>
          <vmap:AdBreak timeOffset="00:00:10.000" breakType="linear" breakId="mid"><vmap:AdSource id="mid" allowMultipleAds="true" followRedirects="true">
            <vmap:AdTagURI templateType="vast4"><![CDATA[${vastUrl}/inline]]></vmap:AdTagURI></vmap:AdSource></vmap:AdBreak>
        </vmap:VMAP>`);
      case '/hang':
        return; // never answers
      case '/bad':
        return xml('<VAST version="4.0"><Ad id="x"><InLine>');
      case '/evil':
        return xml(
          `<VAST version="4.0"><Ad id="e"><Wrapper><VASTAdTagURI>${elsewhere.url}/steal</VASTAdTagURI></Wrapper></Ad></VAST>`,
        );
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => vast.listen(0, '127.0.0.1', resolve));
  const address = vast.address();
  vastUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  vast?.closeAllConnections();
  await new Promise((r) => vast?.close(r));
  await origin?.close();
  await elsewhere?.close();
});

const adsEnv = (path: string, extra: Record<string, string> = {}) => ({
  ADS_URL_TEMPLATE: `${vastUrl}${path}?sid=[session.id]&tier=[player_params.tier]&dur=[avail.duration]&geo=[viewer.country]&n=[avail.index]`,
  VOD_BREAK_OFFSETS_SECONDS: '0,10',
  AD_BREAK_DURATION_SECONDS: '30',
  SLATE_URL: 'http://slate.example/slate/master.m3u8',
  ADS_REQUEST_TIMEOUT_MS: '300',
  ADS_TOTAL_BUDGET_MS: '600',
  ...extra,
});

async function startSession(
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
  query = 'ads.tier=gold',
): Promise<string> {
  const res = await app.request(`/v1/vod/movie1/master.m3u8?${query}`, {
    headers: { 'cloudfront-viewer-country': 'de' },
  });
  expect(res.status).toBe(200);
  return res.headers.get('x-meridian-session') ?? '';
}

interface Tracking {
  avails: Array<{
    availId: string;
    fill: string;
    ads: Array<{
      adId: string;
      creativeId: string;
      uri: string;
      startTimeInSeconds: number;
      durationInSeconds: number;
      trackingEvents: Array<{ eventType: string; beaconUrls: string[] }>;
    }>;
  }>;
}

describe('ad decisions', () => {
  it('fills the template, follows the wrapper, enqueues unseen creatives and plays slate until they are transcoded, then stitches them', async () => {
    const queue = createMemoryTranscodeQueue();
    const { app, sessions } = buildApp(testConfig([origin.url], adsEnv('/vast')), { queue });
    const sid = await startSession(app);
    const claims = await sessions.verify(sid);

    const first = (await (await app.request(`/v1/sessions/${sid}/tracking`)).json()) as Tracking;
    expect(first.avails.map((a) => [a.availId, a.fill, a.ads.length])).toEqual([
      ['b0', 'slate', 0],
      ['b1', 'slate', 0],
    ]);
    const request = seen.find((s) => s.path === '/vast' && s.query.get('sid') === claims.id);
    expect(request?.query.get('tier')).toBe('gold');
    expect(request?.query.get('dur')).toBe('30');
    expect(request?.query.get('geo')).toBe('DE');
    // The highest-quality file of each creative is sent for transcoding, once.
    expect([...queue.jobs.values()].map((j) => [j.kind, j.source]).sort()).toEqual([
      ['ad', MEDIA_A],
      ['ad', MEDIA_B],
    ]);
    const slate = (await (await app.request(`/v1/sessions/${sid}/breaks/b0.json`)).json()) as unknown;
    expect(slate).toEqual({ ASSETS: [{ URI: 'http://slate.example/slate/master.m3u8', DURATION: 30 }] });

    // The transcodes finish: a new session gets both ads, in VAST sequence order, with every beacon.
    publishAsset(origin, adAssetIdFor(MEDIA_A));
    publishAsset(origin, adAssetIdFor(MEDIA_B));
    const sid2 = await startSession(app);
    const tracking = (await (await app.request(`/v1/sessions/${sid2}/tracking`)).json()) as Tracking;
    const ads = tracking.avails[0]?.ads ?? [];
    expect(ads.map((a) => [a.adId, a.creativeId, a.startTimeInSeconds, a.durationInSeconds])).toEqual([
      ['ad-a', 'cr-ad-a', 0, 15],
      ['ad-b', 'cr-ad-b', 15, 10],
    ]);
    expect(ads[0]?.uri).toBe(`${origin.url}/vod/${adAssetIdFor(MEDIA_A)}/master.m3u8`);
    const events = Object.fromEntries((ads[0]?.trackingEvents ?? []).map((e) => [e.eventType, e.beaconUrls]));
    expect(events.impression).toEqual(['http://beacons.example/imp/wrapper', 'http://beacons.example/imp/ad-a']);
    expect(events.start).toEqual(['http://beacons.example/start/wrapper', 'http://beacons.example/start/ad-a']);
    const assetList = (await (await app.request(`/v1/sessions/${sid2}/breaks/b1.json`)).json()) as {
      ASSETS: Array<{ DURATION: number }>;
    };
    expect(assetList.ASSETS.map((a) => a.DURATION)).toEqual([15, 10]);

    // Decisions are kept per session: asking again does not call the ADS again.
    const calls = seen.length;
    await app.request(`/v1/sessions/${sid2}/tracking`);
    expect(seen.length).toBe(calls);
    expect((await app.request(`/v1/sessions/${sid2}/breaks/b7.json`)).status).toBe(404);
  });

  it('a hanging ADS gets slate within the budget, and is counted as a timeout', async () => {
    const { app, deps } = buildApp(testConfig([origin.url], adsEnv('/hang')));
    const sid = await startSession(app);
    const started = Date.now();
    const res = await app.request(`/v1/sessions/${sid}/breaks/b0.json`);
    const elapsedMs = Date.now() - started;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ASSETS: [{ URI: 'http://slate.example/slate/master.m3u8', DURATION: 30 }] });
    // The player must not wait past the ADS budget (600 ms) plus scheduling slack.
    expect(elapsedMs).toBeLessThan(2_500);
    expect(metricValue(await deps.metrics.registry.metrics(), 'meridian_ads_timeouts_total')).toBeGreaterThanOrEqual(1);
    // Playback itself never depended on the ADS.
    expect((await app.request(`/v1/sessions/${sid}/v0.m3u8`)).status).toBe(200);
  });

  it('with ADS_FALLBACK=content a failing ADS leaves the content in place (empty asset list)', async () => {
    const { app } = buildApp(testConfig([origin.url], adsEnv('/hang', { ADS_FALLBACK: 'content' })));
    const sid = await startSession(app);
    expect(await (await app.request(`/v1/sessions/${sid}/breaks/b0.json`)).json()).toEqual({ ASSETS: [] });
  });

  it('malformed VAST gets slate, not an error', async () => {
    const { app, deps } = buildApp(testConfig([origin.url], adsEnv('/bad')));
    const sid = await startSession(app);
    const res = await app.request(`/v1/sessions/${sid}/tracking`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Tracking).avails.every((a) => a.fill === 'slate')).toBe(true);
    expect(
      metricValue(await deps.metrics.registry.metrics(), 'meridian_ads_requests_total', { outcome: 'error' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('never fetches a wrapper URL whose host is not on the allow-list (SSRF)', async () => {
    const { app, deps } = buildApp(testConfig([origin.url], adsEnv('/evil')));
    const sid = await startSession(app);
    const res = await app.request(`/v1/sessions/${sid}/breaks/b0.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ASSETS: [{ URI: 'http://slate.example/slate/master.m3u8', DURATION: 30 }] });
    expect(elsewhere.requests.length).toBe(0);
    expect(
      metricValue(await deps.metrics.registry.metrics(), 'meridian_ads_requests_total', { outcome: 'blocked' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('takes each break ads from a VMAP answer: embedded VAST for the pre-roll, an AdTagURI for the mid-roll', async () => {
    publishAsset(origin, adAssetIdFor(MEDIA_A));
    publishAsset(origin, adAssetIdFor(MEDIA_B));
    const { app } = buildApp(testConfig([origin.url], adsEnv('/vmap')));
    const sid = await startSession(app);
    const tracking = (await (await app.request(`/v1/sessions/${sid}/tracking`)).json()) as Tracking;
    expect(tracking.avails.map((a) => [a.availId, a.fill, a.ads.map((ad) => ad.adId)])).toEqual([
      ['b0', 'ads', ['ad-a']],
      ['b1', 'ads', ['ad-a', 'ad-b']],
    ]);
  });

  it('stitches the decided ads into the media playlists: nearest ad rendition, discontinuities, clear ads, the content key after them, one DATERANGE per ad', async () => {
    publishAsset(origin, adAssetIdFor(MEDIA_A));
    publishAsset(origin, adAssetIdFor(MEDIA_B));
    publishAsset(origin, 'movie-enc', { keyId: 'k-enc' });
    const { app } = buildApp(testConfig([origin.url], adsEnv('/vmap')));
    const res = await app.request('/v1/vod/movie-enc/master.m3u8', { headers: { 'cloudfront-viewer-country': 'de' } });
    const sid = res.headers.get('x-meridian-session') ?? '';
    const media = await app.request(`/v1/sessions/${sid}/v1.m3u8`);
    expect(media.status).toBe(200);
    const text = await media.text();
    const lines = text.split('\n');
    const uris = lines.filter((l) => l !== '' && !l.startsWith('#'));
    const adA = `${origin.url}/vod/${adAssetIdFor(MEDIA_A)}/720p/`;
    const adB = `${origin.url}/vod/${adAssetIdFor(MEDIA_B)}/720p/`;
    // Pre-roll (ad-a) before the first content segment; the mid-roll (ad-a, ad-b) at the boundary nearest 10 s.
    expect(uris[0]?.startsWith(adA)).toBe(true);
    expect(uris.some((u) => u.startsWith(adB))).toBe(true);
    expect(uris.some((u) => u.includes('/240p/'))).toBe(false);
    expect(
      uris.filter((u) => u.startsWith(`${origin.url}/vod/movie-enc/720p/seg`) && u.includes(`session=${sid}`)),
    ).toHaveLength(3);
    expect(uris.some((u) => u.startsWith(`${origin.url}/vod/ad-`) && u.includes('session='))).toBe(false);
    expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length).toBeGreaterThanOrEqual(3);
    expect(text).toContain('#EXT-X-KEY:METHOD=NONE');
    const contentKey = lines.filter(
      (l) => l.startsWith('#EXT-X-KEY:METHOD=AES-128') && l.includes(`/v1/keys/k-enc?session=${sid}`),
    );
    expect(contentKey.length).toBe(2);
    expect(lines.filter((l) => l.startsWith('#EXT-X-DATERANGE')).length).toBeGreaterThanOrEqual(3);
    // Every reload and rendition agrees: the same ads, the same order.
    expect(await (await app.request(`/v1/sessions/${sid}/v1.m3u8`)).text()).toBe(text);
    const low = (await (await app.request(`/v1/sessions/${sid}/v0.m3u8`)).text())
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(low.length).toBe(uris.length);
    expect(low.some((u) => u.startsWith(`${origin.url}/vod/${adAssetIdFor(MEDIA_A)}/240p/`))).toBe(true);
  });

  it('a hanging or failing ADS gets slate in the stitched playlist within the budget: the break plays slate for its planned length, the content stays whole', async () => {
    publishAsset(origin, 'slate-on-origin');
    const slatePath = `${origin.url}/vod/slate-on-origin/`;
    for (const path of ['/hang', '/bad']) {
      const { app } = buildApp(testConfig([origin.url], adsEnv(path, { SLATE_URL: `${slatePath}master.m3u8` })));
      const sid = await startSession(app);
      const started = Date.now();
      const res = await app.request(`/v1/sessions/${sid}/v1.m3u8`);
      const elapsedMs = Date.now() - started;
      expect(res.status).toBe(200);
      if (path === '/hang') expect(elapsedMs).toBeLessThan(2_500); // ADS budget 600 ms plus slack
      const text = await res.text();
      const lines = text.split('\n');
      const uris = lines.filter((l) => l !== '' && !l.startsWith('#'));
      const content = uris.filter((u) => u.startsWith(`${origin.url}/vod/movie1/720p/seg`));
      const slate = uris.filter((u) => u.startsWith(`${slatePath}720p/seg`));
      expect(content).toHaveLength(3);
      // Two 30 s breaks (pre-roll and the mid-roll at 12 s, the boundary nearest 10 s) of 6 s slate segments.
      expect(slate).toHaveLength(10);
      expect(uris.slice(0, 5).every((u) => u.startsWith(slatePath))).toBe(true);
      expect(uris.slice(5, 7)).toEqual(content.slice(0, 2));
      expect(uris.slice(7, 12).every((u) => u.startsWith(slatePath))).toBe(true);
      expect(uris[12]).toBe(content[2]);
      const extinf = lines.filter((l) => l.startsWith('#EXTINF:')).map((l) => Number.parseFloat(l.slice(8)));
      expect(extinf.reduce((a, b) => a + b, 0)).toBeCloseTo(18 + 60, 3);
      // The 18 s slate loops within each break (its timestamps restart: a discontinuity), and around the content.
      expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(5);
      // Every rendition and reload agrees (the slate's 240p in the 240p playlist).
      expect(await (await app.request(`/v1/sessions/${sid}/v1.m3u8`)).text()).toBe(text);
      const low = (await (await app.request(`/v1/sessions/${sid}/v0.m3u8`)).text())
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'));
      expect(low.filter((u) => u.startsWith(`${slatePath}240p/seg`))).toHaveLength(10);
    }
  });

  it('keeps the content whole when the ADS fails and the fallback is content, or the slate cannot be read', async () => {
    const envs = [
      adsEnv('/hang', { ADS_FALLBACK: 'content' }),
      adsEnv('/bad') /* slate.example is not on the origin */,
    ];
    for (const env of envs) {
      const { app } = buildApp(testConfig([origin.url], env));
      const sid = await startSession(app);
      const res = await app.request(`/v1/sessions/${sid}/v1.m3u8`);
      expect(res.status).toBe(200);
      const text = await res.text();
      const uris = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(uris).toHaveLength(3);
      expect(uris.every((u) => u.startsWith(`${origin.url}/vod/movie1/720p/seg`))).toBe(true);
      expect(text).not.toContain('#EXT-X-DISCONTINUITY');
    }
  });

  it('interstitials mode signals each break with a DATERANGE whose X-ASSET-LIST is the session break URL', async () => {
    const { app } = buildApp(testConfig([origin.url], adsEnv('/vmap')));
    const sid = await startSession(app, 'mode=interstitials');
    const text = await (await app.request(`/v1/sessions/${sid}/v1.m3u8`)).text();
    const ranges = text.split('\n').filter((l) => l.startsWith('#EXT-X-DATERANGE'));
    expect(ranges).toHaveLength(2);
    expect(ranges[0]).toContain('CLASS="com.apple.hls.interstitial"');
    expect(ranges[0]).toContain(`X-ASSET-LIST="http://zone.test/v1/sessions/${sid}/breaks/b0.json"`);
    expect(ranges[1]).toContain(`X-ASSET-LIST="http://zone.test/v1/sessions/${sid}/breaks/b1.json"`);
    expect(text).not.toContain('#EXT-X-DISCONTINUITY');
    const assets = (await (await app.request(`/v1/sessions/${sid}/breaks/b1.json`)).json()) as {
      ASSETS: Array<{ URI: string }>;
    };
    expect(assets.ASSETS.length).toBeGreaterThan(0);
  });
});
