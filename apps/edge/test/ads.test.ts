/** @module Ads through the edge (workerd) with a real zone and a local VAST server: the zone renders ad sessions' media playlists, the edge serves the same bytes. */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { FaultyServer } from '@meridian/testkit';
import { adAssetIdFor } from '@meridian/regional-origin';
import {
  PUBLIC_BASE_URL,
  MASTER,
  assetJson,
  startEdge,
  startOrigin,
  startZone,
  vodMedia,
  type Zone,
} from './helpers.ts';

const EU = { country: 'FR', continent: 'EU' } as const;
const AD_MEDIA = 'http://media.example/ads/spot-1080p.mp4';

const vastXml = `<VAST version="4.0"><Ad id="spot"><InLine><AdSystem>test</AdSystem><AdTitle>spot</AdTitle>
  <Impression>http://beacons.example/imp</Impression>
  <Creatives><Creative id="cr-spot"><Linear><Duration>00:00:12</Duration>
    <MediaFiles><MediaFile delivery="progressive" type="video/mp4" width="1920" height="1080"><![CDATA[${AD_MEDIA}]]></MediaFile></MediaFiles>
  </Linear></Creative></Creatives></InLine></Ad></VAST>`;

describe('ads through the edge (workerd)', () => {
  let origin: FaultyServer;
  let vast: Server;
  let zone: Zone;
  let edge: Miniflare;
  const adAssetId = adAssetIdFor(AD_MEDIA);

  const get = (path: string) => edge.dispatchFetch(`${PUBLIC_BASE_URL}${path}`, { cf: EU });
  const startSession = async (query = ''): Promise<string> => {
    const res = await get(`/v1/vod/enc1/master.m3u8${query}`);
    expect(res.status).toBe(200);
    await res.text();
    return res.headers.get('x-meridian-session') ?? '';
  };

  beforeAll(async () => {
    origin = await startOrigin();
    const playlist = (body: string) => ({
      kind: 'ok' as const,
      body,
      headers: { 'content-type': 'application/vnd.apple.mpegurl' },
    });
    origin.set(`/vod/${adAssetId}/asset.json`, {
      kind: 'ok',
      body: JSON.stringify(assetJson(adAssetId)),
      headers: { 'content-type': 'application/json' },
    });
    origin.set(`/vod/${adAssetId}/master.m3u8`, playlist(MASTER));
    for (const r of ['240p', '720p', 'audio']) origin.set(`/vod/${adAssetId}/${r}/index.m3u8`, playlist(vodMedia(2)));
    vast = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(vastXml);
    });
    await new Promise<void>((resolve) => vast.listen(0, '127.0.0.1', resolve));
    const address = vast.address();
    const vastUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/vast`;
    zone = await startZone('zone-eu', origin.url, 0, {
      ADS_URL_TEMPLATE: `${vastUrl}?n=[avail.index]`,
      VOD_BREAK_OFFSETS_SECONDS: '0,6',
      AD_BREAK_DURATION_SECONDS: '30',
      ADS_FALLBACK: 'content',
    });
    edge = await startEdge({
      ORIGIN_URLS: origin.url,
      VOD_ADS: 'true',
      ZONES: JSON.stringify([{ id: 'zone-eu', url: zone.url, publicUrl: 'https://eu.meridian.test', geo: ['*'] }]),
    });
  });
  afterAll(async () => {
    await edge?.dispose();
    await zone?.server.shutdown();
    vast?.closeAllConnections();
    await new Promise((r) => vast?.close(r));
    await origin?.close();
  });

  it('serves stitched media playlists byte-for-byte as the zone renders them for the same session', async () => {
    const token = await startSession();
    const viaEdge = await get(`/v1/sessions/${token}/v1.m3u8`);
    expect(viaEdge.status).toBe(200);
    const text = await viaEdge.text();
    const direct = await (await fetch(`${zone.url}/v1/sessions/${token}/v1.m3u8`)).text();
    expect(text).toBe(direct);
    const uris = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    // Pre-roll and one mid-roll of the 720p ad rendition (2 segments each) around 3 content segments.
    expect(uris.filter((u) => u.startsWith(`${origin.url}/vod/${adAssetId}/720p/`))).toHaveLength(4);
    expect(
      uris.filter((u) => u.startsWith(`${origin.url}/vod/enc1/720p/`) && u.endsWith(`session=${token}`)),
    ).toHaveLength(3);
    expect(uris[0]?.startsWith(`${origin.url}/vod/${adAssetId}/`)).toBe(true);
    expect(text.split('\n').filter((l) => l === '#EXT-X-DISCONTINUITY').length).toBeGreaterThanOrEqual(3);
    expect(text).toContain('#EXT-X-KEY:METHOD=NONE');
    expect(text).toContain(`URI="${PUBLIC_BASE_URL}/v1/keys/k-enc1?session=${token}"`);
    expect(text).toMatch(/#EXT-X-DATERANGE:/);
  });

  it('serves interstitials sessions as the zone does: DATERANGEs pointing at the session break URLs', async () => {
    const token = await startSession('?mode=interstitials');
    const text = await (await get(`/v1/sessions/${token}/v0.m3u8`)).text();
    expect(text).toBe(await (await fetch(`${zone.url}/v1/sessions/${token}/v0.m3u8`)).text());
    expect(text).toContain(`X-ASSET-LIST="${PUBLIC_BASE_URL}/v1/sessions/${token}/breaks/b0.json"`);
    expect(text).toContain(`X-ASSET-LIST="${PUBLIC_BASE_URL}/v1/sessions/${token}/breaks/b1.json"`);
    const assets = (await (await get(`/v1/sessions/${token}/breaks/b1.json`)).json()) as {
      ASSETS: Array<{ URI: string; DURATION: number }>;
    };
    expect(assets.ASSETS).toEqual([{ URI: `${origin.url}/vod/${adAssetId}/master.m3u8`, DURATION: 12 }]);
  });
});
