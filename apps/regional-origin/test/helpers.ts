/** @module Shared fixtures for the zone server tests: asset.json, playlists, an origin and an app with in-memory parts. */
import { randomBytes } from 'node:crypto';
import { sampleAssetManifest, startFaultyServer, type FaultyServer, type SampleAssetOptions } from '@meridian/testkit';
import type { AssetManifest } from '@meridian/manifest-core';
import { createApp, type AppDependencies, type ZoneApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { createMemoryLogger } from '../src/log.ts';
import { createMetrics } from '../src/metrics.ts';
import { createOriginFetcher } from '../src/origin.ts';
import { createManifestCoreRenderer } from '../src/render/manifest-core-renderer.ts';
import { createVastClient } from '../src/ads/vast-client.ts';
import { parseVastDocument } from '../src/ads/vast-parser.ts';
import { createMemorySessionStore } from '../src/sessions/memory-store.ts';
import { createMemoryKeyStore } from '../src/keys.ts';
import { createMemoryAssetEvents, createMemoryTranscodeQueue } from '../src/jobs.ts';
import { createMemoryUploadStore } from '../src/uploads/store.ts';

/** Signing keys shared by the tests. */
export const SIGNING_KEYS = 'k1:test-secret-0123456789abcdef';

/** A valid asset.json for `assetId` (ladder of two rungs, optional AES-128 key). */
export function assetJson(assetId: string, options: SampleAssetOptions = {}): AssetManifest {
  return sampleAssetManifest(assetId, options);
}

/** The source master of {@link assetJson}. */
export const MASTER = [
  '#EXTM3U',
  '#EXT-X-VERSION:3',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-STREAM-INF:BANDWIDTH=628000,RESOLUTION=427x240,CODECS="avc1.64001f"',
  '240p/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720,CODECS="avc1.64001f"',
  '720p/index.m3u8',
  '',
].join('\n');

/** A VOD media playlist (optionally encrypted with key `keyId`). */
export function vodMedia(keyId?: string): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MEDIA-SEQUENCE:0',
    ...(keyId ? [`#EXT-X-KEY:METHOD=AES-128,URI="../keys/${keyId}.key",IV=0x00000000000000000000000000000001`] : []),
    '#EXTINF:6.000,',
    'seg0.ts',
    '#EXTINF:6.000,',
    'seg1.ts',
    '#EXTINF:6.000,',
    'seg2.ts',
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/** A live media playlist with a 4 s target duration starting at `sequence`. */
export function liveMedia(sequence: number): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:4',
    `#EXT-X-MEDIA-SEQUENCE:${sequence}`,
    '#EXTINF:4.0,',
    `s${sequence}.ts`,
    '#EXTINF:4.0,',
    `s${sequence + 1}.ts`,
    '',
  ].join('\n');
}

/** Serves `asset` (and its playlists) on `origin` under /vod/{assetId}/. */
export function publishAsset(
  origin: FaultyServer,
  assetId: string,
  options: { keyId?: string; status?: AssetManifest['status'] } = {},
): void {
  origin.set(`/vod/${assetId}/asset.json`, { kind: 'ok', body: JSON.stringify(assetJson(assetId, options)) });
  origin.set(`/vod/${assetId}/master.m3u8`, { kind: 'ok', body: MASTER });
  origin.set(`/vod/${assetId}/240p/index.m3u8`, { kind: 'ok', body: vodMedia(options.keyId) });
  origin.set(`/vod/${assetId}/720p/index.m3u8`, { kind: 'ok', body: vodMedia(options.keyId) });
}

/** Starts an origin (a real loopback HTTP server) that answers `/` for readiness. */
export async function startOrigin(): Promise<FaultyServer> {
  return startFaultyServer({ '/': { kind: 'ok', body: 'origin' } });
}

/** A validated config for tests; `env` overrides. */
export function testConfig(originUrls: string[], env: Record<string, string> = {}): Config {
  return loadConfig({
    SIGNING_KEYS,
    ORIGIN_URLS: originUrls.join(','),
    PUBLIC_BASE_URL: 'http://zone.test',
    ZONE: 'zone-a',
    ORIGIN_TIMEOUT_MS: '1000',
    LOG_REQUESTS: 'false',
    ...env,
  });
}

/** Builds an app with in-memory stores and real HTTP for origins and ADS; `overrides` replace parts. */
export function buildApp(
  config: Config,
  overrides: Partial<AppDependencies> = {},
): ZoneApp & { deps: AppDependencies; log: ReturnType<typeof createMemoryLogger> } {
  const metrics = overrides.metrics ?? createMetrics();
  const log = createMemoryLogger();
  const deps: AppDependencies = {
    config,
    sessionStore: createMemorySessionStore(),
    origin: createOriginFetcher({
      originUrls: config.originUrls,
      timeoutMs: config.originTimeoutMs,
      maxBytes: config.maxOriginBytes,
      metrics,
    }),
    renderer: createManifestCoreRenderer(),
    adClient: createVastClient({
      allowedHosts: config.ads.allowedHosts,
      requestTimeoutMs: config.ads.requestTimeoutMs,
      maxWrapperDepth: config.ads.maxWrapperDepth,
      parse: parseVastDocument,
    }),
    keys: createMemoryKeyStore(),
    queue: createMemoryTranscodeQueue(),
    uploadStore: createMemoryUploadStore(),
    s3: undefined,
    valkey: undefined,
    events: createMemoryAssetEvents(),
    metrics,
    log,
    nowMs: Date.now,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    ...overrides,
  };
  return Object.assign(createApp(deps), { deps, log });
}

/** The value of a metric line (`name{labels} value`) in Prometheus text, 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([^{\s]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) total += Number(m[3]);
  }
  return total;
}
