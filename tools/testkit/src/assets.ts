/** @module sampleAssetManifest: a valid transcode-gpu asset.json for tests of the apps (two rungs, optional AES-128 key). */
import type { AssetManifest } from '@meridian/manifest-core';

/** Options of {@link sampleAssetManifest}. */
export interface SampleAssetOptions {
  /** Default `ready`. */
  status?: AssetManifest['status'];
  /** AES-128 key id of every rung; default none (clear). */
  keyId?: string;
  /** Default 18. */
  durationSeconds?: number;
}

/** A valid asset.json for `assetId`: rungs `240p` and `720p` (`<name>/index.m3u8`), 6 s TS segments, `master.m3u8`. */
export function sampleAssetManifest(assetId: string, options: SampleAssetOptions = {}): AssetManifest {
  const durationSeconds = options.durationSeconds ?? 18;
  const rung = (name: string, height: number, bw: number) => ({
    name,
    playlist: `${name}/index.m3u8`,
    codecs: 'avc1.64001f',
    width: Math.round((height * 16) / 9),
    height,
    frameRate: 30,
    targetBitrateBps: bw,
    peakBitrateBps: bw,
    averageBitrateBps: bw,
    bandwidthBps: bw + 128_000,
    averageBandwidthBps: bw + 128_000,
    segmentCount: 3,
    durationSeconds,
    ...(options.keyId ? { keyId: options.keyId } : {}),
    locations: [],
  });
  return {
    version: 1,
    assetId,
    status: options.status ?? 'ready',
    master: 'master.m3u8',
    durationSeconds,
    codec: 'h264',
    container: 'ts',
    segmentSeconds: 6,
    encoder: { kind: 'cpu', name: 'libx264' },
    renditions: [rung('240p', 240, 500_000), rung('720p', 720, 3_000_000)],
    audio: null,
    thumbnails: null,
    keyIds: options.keyId ? [options.keyId] : [],
    locations: [],
    updatedAt: '2026-11-22T00:00:00Z',
  };
}
