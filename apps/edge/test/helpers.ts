/** @module Test fixtures: a local origin, regional zones started in-process, and the edge bundle in workerd. */
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { sampleAssetManifest, startFaultyServer, type FaultyServer } from '@meridian/testkit';
import { loadConfig, startServer, type RunningServer } from '@meridian/regional-origin';
import type { AssetManifest } from '@meridian/manifest-core';

/** The bundled Worker every test runs. */
export const SCRIPT_PATH = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
/** Signing keys shared by the edge and the zones (kid:secret). */
export const SIGNING_KEYS = 'k1:edge-test-secret-0123456789abcdef';
/** The keyring form of {@link SIGNING_KEYS}. */
export const KEYRING = { activeKid: 'k1', keys: { k1: 'edge-test-secret-0123456789abcdef' } };
/** Where players reach the edge (and what zones write into their playlists too). */
export const PUBLIC_BASE_URL = 'https://edge.meridian.test';

/** A valid asset.json with two rungs and an optional AES-128 key. */
export function assetJson(assetId: string, keyId?: string): AssetManifest {
  return sampleAssetManifest(assetId, keyId ? { keyId } : {});
}

/** The source master of {@link assetJson}, with an audio group and an I-frame stream. */
export const MASTER = [
  '#EXTM3U',
  '#EXT-X-VERSION:6',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="audio/index.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=628000,RESOLUTION=427x240,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"',
  '240p/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"',
  '720p/index.m3u8',
  '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,CODECS="avc1.64001f",URI="240p/iframes.m3u8"',
  '',
].join('\n');

/** A VOD media playlist of `segments` 6-second segments, AES-128 encrypted with `keyId` when given. */
export function vodMedia(segments = 3, keyId?: string): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MEDIA-SEQUENCE:0',
  ];
  if (keyId) lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="../keys/${keyId}.key",IV=0x00000000000000000000000000000001`);
  for (let i = 0; i < segments; i++) lines.push('#EXTINF:6.000,', `seg${i}.ts`);
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

/** A VOD media playlist whose URIs exercise every resolution rule. */
export function oddMedia(): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MAP:URI="init.mp4"',
    '#EXTINF:6.000,',
    '../720p/seg0.m4s',
    '#EXTINF:6.000,',
    'sub/./seg1.m4s',
    '#EXTINF:6.000,',
    'seg%202.m4s?token=a%2Fb&x=1',
    '#EXT-X-BYTERANGE:1000@0',
    '#EXTINF:6.000,',
    '/abs/seg3.m4s',
    '#EXTINF:6.000,',
    'https://other.example/ads/seg4.m4s',
    '#EXT-X-UNKNOWN-TAG:KEPT=1',
    '#EXTINF:6.000,',
    'seg.5~x_y-z.m4s',
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/** A live media playlist window starting at `sequence`. */
export function liveMedia(sequence: number): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:4', `#EXT-X-MEDIA-SEQUENCE:${sequence}`];
  for (let i = 0; i < 3; i++) lines.push('#EXTINF:4.000,', `s${sequence + i}.ts`);
  lines.push('');
  return lines.join('\n');
}

const playlist = (body: string) => ({
  kind: 'ok' as const,
  body,
  headers: { 'content-type': 'application/vnd.apple.mpegurl' },
});

/** Starts an origin serving asset `a1` (clear) and `enc1` (AES-128 key `k-enc1`) and live channel `ch1`. */
export async function startOrigin(): Promise<FaultyServer> {
  const origin = await startFaultyServer({ '/': { kind: 'ok', body: 'origin' } });
  for (const [assetId, keyId] of [
    ['a1', undefined],
    ['enc1', 'k-enc1'],
  ] as const) {
    origin.set(`/vod/${assetId}/asset.json`, {
      kind: 'ok',
      body: JSON.stringify(assetJson(assetId, keyId)),
      headers: { 'content-type': 'application/json' },
    });
    origin.set(`/vod/${assetId}/master.m3u8`, playlist(MASTER));
    for (const r of ['240p', '720p', 'audio'])
      origin.set(`/vod/${assetId}/${r}/index.m3u8`, playlist(vodMedia(3, keyId)));
    origin.set(`/vod/${assetId}/240p/iframes.m3u8`, playlist(vodMedia(1)));
  }
  // Odd but valid URIs: dot segments, escapes, absolute URLs, byte ranges and an init section.
  origin.set('/vod/odd1/asset.json', {
    kind: 'ok',
    body: JSON.stringify(assetJson('odd1')),
    headers: { 'content-type': 'application/json' },
  });
  origin.set('/vod/odd1/master.m3u8', playlist(MASTER));
  for (const r of ['240p', '720p', 'audio']) origin.set(`/vod/odd1/${r}/index.m3u8`, playlist(oddMedia()));
  origin.set('/vod/odd1/240p/iframes.m3u8', playlist(oddMedia()));
  origin.set(
    '/live/ch1/master.m3u8',
    playlist(['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=800000', '480p.m3u8', ''].join('\n')),
  );
  origin.set('/live/ch1/480p.m3u8', playlist(liveMedia(100)));
  return origin;
}

/** A regional zone running in this process with in-memory sessions (no Valkey). */
export interface Zone {
  id: string;
  port: number;
  url: string;
  server: RunningServer;
}

/** Starts a regional-origin zone on `port` (0: any free port); `env` adds zone settings (ads). */
export async function startZone(
  id: string,
  originUrl: string,
  port = 0,
  env: Record<string, string> = {},
): Promise<Zone> {
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: String(port),
    ZONE: id,
    PUBLIC_BASE_URL,
    SIGNING_KEYS,
    ORIGIN_URLS: originUrl,
    LOG_REQUESTS: 'false',
    SHUTDOWN_GRACE_MS: '0',
    ...env,
  });
  const server = await startServer(config, { info: () => undefined, warn: () => undefined, error: () => undefined });
  const actualPort = Number(new URL(server.url).port);
  return { id, port: actualPort, url: server.url, server };
}

/** Starts the edge bundle in workerd with the given bindings. */
export async function startEdge(bindings: Record<string, unknown>): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    scriptPath: SCRIPT_PATH,
    compatibilityDate: '2025-09-01',
    bindings: { SIGNING_KEYS, PUBLIC_BASE_URL, ...bindings },
  });
  await mf.ready;
  return mf;
}
