/**
 * @module AssetManifest: the shape of `asset.json` that transcode-gpu writes beside master.m3u8,
 * and a validating parser for the edge Worker and the regional origin. Pure: no I/O.
 */
import { ManifestError } from '../errors.ts';

/** The asset.json schema version this module reads and writes. */
export const ASSET_MANIFEST_VERSION = 1;

/** Lifecycle of an asset: encoding, playable, or given up on. */
export type AssetStatus = 'processing' | 'ready' | 'failed';

/** One video rung as encoded and measured. */
export interface AssetRendition {
  /** Rendition name and folder, e.g. `720p`. */
  name: string;
  /** Media playlist path relative to the master, e.g. `720p/index.m3u8`. */
  playlist: string;
  /** RFC 6381 video codec string, e.g. `avc1.64001f` or `hvc1.1.6.L93.B0`. */
  codecs: string;
  width: number;
  height: number;
  /** Frames per second. */
  frameRate: number;
  /** Target average bitrate the rung was encoded at, bits per second. */
  targetBitrateBps: number;
  /** Measured peak segment bitrate of the video alone, bits per second. */
  peakBitrateBps: number;
  /** Measured average bitrate of the video alone, bits per second. */
  averageBitrateBps: number;
  /** Master BANDWIDTH (video + audio peak), bits per second. */
  bandwidthBps: number;
  /** Master AVERAGE-BANDWIDTH (video + audio average), bits per second. */
  averageBandwidthBps: number;
  segmentCount: number;
  /** Sum of EXTINF durations, seconds. */
  durationSeconds: number;
  /** AES-128 key id of the segments, when encrypted. */
  keyId?: string;
  /**
   * AES-128 IV the segments were encrypted with, as written in EXT-X-KEY IV (`0x` + 32 hex
   * digits); servers that re-signal the key must write it back. Absent in asset.json files
   * written before it was recorded.
   */
  keyIv?: string;
  /** Store URLs that hold this rendition completely (marker verified), preferred first. */
  locations: string[];
}

/** The audio rendition (one AAC-LC stereo group). */
export interface AssetAudio {
  name: string;
  playlist: string;
  /** e.g. `mp4a.40.2` */
  codecs: string;
  /** BCP 47 language tag. */
  language: string;
  groupId: string;
  channels: number;
  sampleRateHz: number;
  peakBitrateBps: number;
  averageBitrateBps: number;
  segmentCount: number;
  durationSeconds: number;
  /** AES-128 key id of the segments, when encrypted. */
  keyId?: string;
  /** AES-128 IV as written in EXT-X-KEY IV (`0x` + 32 hex digits), when encrypted and recorded. */
  keyIv?: string;
  locations: string[];
}

/** One thumbnail size: images at `pattern` with `%04d` = 1-based index, `count` of them. */
export interface AssetThumbnailSize {
  name: string;
  width: number;
  height: number;
  /** Path relative to the master, e.g. `thumbs/small/%04d.jpg`. */
  pattern: string;
  count: number;
}

/** Keyframe thumbnails and the scrubbing sprite. */
export interface AssetThumbnails {
  /** Seconds between thumbnails. */
  intervalSeconds: number;
  sizes: AssetThumbnailSize[];
  /** The sprite sheet and its WebVTT index (`sprite.jpg#xywh=x,y,w,h` cues). */
  sprite: { image: string; vtt: string; tileWidth: number; tileHeight: number; columns: number; rows: number } | null;
  locations: string[];
}

/** The contents of asset.json. */
export interface AssetManifest {
  version: 1;
  assetId: string;
  status: AssetStatus;
  /** Master playlist path relative to asset.json, normally `master.m3u8`. */
  master: string;
  /** Source duration, seconds. */
  durationSeconds: number;
  /** Video codec family of every rung (null for audio-only assets). */
  codec: 'h264' | 'hevc' | null;
  container: 'fmp4' | 'ts';
  segmentSeconds: number;
  /** Encoder family and ffmpeg encoder name used for the video rungs. */
  encoder: { kind: 'nvenc' | 'cpu'; name: string; fallbackReason?: string } | null;
  /** Video rungs, lowest first. */
  renditions: AssetRendition[];
  audio: AssetAudio | null;
  thumbnails: AssetThumbnails | null;
  /** Every AES-128 key id the asset uses (empty when clear). */
  keyIds: string[];
  /** Every destination configured for the job, primary first (see each rendition for where it really lives). */
  locations: string[];
  /** ISO 8601 time the asset became ready (or failed). */
  updatedAt: string;
}

type Json = Record<string, unknown>;

function fail(path: string, expected: string): never {
  throw new ManifestError('INVALID_STATE', `asset.json: ${path} must be ${expected}`);
}

function obj(v: unknown, path: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object');
  return v as Json;
}

function str(o: Json, k: string, path: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v === '') fail(`${path}.${k}`, 'a non-empty string');
  return v;
}

function num(o: Json, k: string, path: string, opts: { integer?: boolean; positive?: boolean } = {}): number {
  const v = o[k];
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    v < 0 ||
    (opts.integer && !Number.isInteger(v)) ||
    (opts.positive && v === 0)
  )
    fail(`${path}.${k}`, `a ${opts.positive ? 'positive' : 'non-negative'} ${opts.integer ? 'integer' : 'number'}`);
  return v;
}

function strArray(o: Json, k: string, path: string): string[] {
  const v = o[k];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(`${path}.${k}`, 'an array of strings');
  return [...(v as string[])];
}

/** RFC 8216 §4.3.2.4: the IV is a 128-bit hexadecimal-sequence. */
const KEY_IV = /^0[xX][0-9a-fA-F]{32}$/;

function optKeyId(o: Json, path: string): { keyId?: string; keyIv?: string } {
  if (o.keyId === undefined) {
    if (o.keyIv !== undefined) fail(`${path}.keyIv`, 'absent when there is no keyId');
    return {};
  }
  const keyId = str(o, 'keyId', path);
  if (o.keyIv === undefined) return { keyId };
  if (typeof o.keyIv !== 'string' || !KEY_IV.test(o.keyIv))
    fail(`${path}.keyIv`, 'a 128-bit hexadecimal-sequence (0x + 32 hex digits)');
  return { keyId, keyIv: o.keyIv };
}

function oneOf<T extends string>(o: Json, k: string, path: string, allowed: readonly T[]): T {
  const v = o[k];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    fail(`${path}.${k}`, `one of ${allowed.join(', ')}`);
  return v as T;
}

function parseRendition(v: unknown, path: string): AssetRendition {
  const o = obj(v, path);
  return {
    name: str(o, 'name', path),
    playlist: str(o, 'playlist', path),
    codecs: str(o, 'codecs', path),
    width: num(o, 'width', path, { integer: true, positive: true }),
    height: num(o, 'height', path, { integer: true, positive: true }),
    frameRate: num(o, 'frameRate', path, { positive: true }),
    targetBitrateBps: num(o, 'targetBitrateBps', path, { integer: true }),
    peakBitrateBps: num(o, 'peakBitrateBps', path, { integer: true }),
    averageBitrateBps: num(o, 'averageBitrateBps', path, { integer: true }),
    bandwidthBps: num(o, 'bandwidthBps', path, { integer: true, positive: true }),
    averageBandwidthBps: num(o, 'averageBandwidthBps', path, { integer: true, positive: true }),
    segmentCount: num(o, 'segmentCount', path, { integer: true, positive: true }),
    durationSeconds: num(o, 'durationSeconds', path, { positive: true }),
    ...optKeyId(o, path),
    locations: strArray(o, 'locations', path),
  };
}

function parseAudio(v: unknown, path: string): AssetAudio {
  const o = obj(v, path);
  return {
    name: str(o, 'name', path),
    playlist: str(o, 'playlist', path),
    codecs: str(o, 'codecs', path),
    language: str(o, 'language', path),
    groupId: str(o, 'groupId', path),
    channels: num(o, 'channels', path, { integer: true, positive: true }),
    sampleRateHz: num(o, 'sampleRateHz', path, { integer: true, positive: true }),
    peakBitrateBps: num(o, 'peakBitrateBps', path, { integer: true }),
    averageBitrateBps: num(o, 'averageBitrateBps', path, { integer: true }),
    segmentCount: num(o, 'segmentCount', path, { integer: true, positive: true }),
    durationSeconds: num(o, 'durationSeconds', path, { positive: true }),
    ...optKeyId(o, path),
    locations: strArray(o, 'locations', path),
  };
}

function parseThumbnails(v: unknown, path: string): AssetThumbnails {
  const o = obj(v, path);
  if (!Array.isArray(o.sizes)) fail(`${path}.sizes`, 'an array');
  const sizes = (o.sizes as unknown[]).map((s, i) => {
    const p = `${path}.sizes[${i}]`;
    const so = obj(s, p);
    return {
      name: str(so, 'name', p),
      width: num(so, 'width', p, { integer: true, positive: true }),
      height: num(so, 'height', p, { integer: true, positive: true }),
      pattern: str(so, 'pattern', p),
      count: num(so, 'count', p, { integer: true }),
    };
  });
  let sprite: AssetThumbnails['sprite'] = null;
  if (o.sprite !== null && o.sprite !== undefined) {
    const p = `${path}.sprite`;
    const so = obj(o.sprite, p);
    sprite = {
      image: str(so, 'image', p),
      vtt: str(so, 'vtt', p),
      tileWidth: num(so, 'tileWidth', p, { integer: true, positive: true }),
      tileHeight: num(so, 'tileHeight', p, { integer: true, positive: true }),
      columns: num(so, 'columns', p, { integer: true, positive: true }),
      rows: num(so, 'rows', p, { integer: true, positive: true }),
    };
  }
  return {
    intervalSeconds: num(o, 'intervalSeconds', path, { positive: true }),
    sizes,
    sprite,
    locations: strArray(o, 'locations', path),
  };
}

/**
 * Validates parsed asset.json and returns a typed AssetManifest; throws ManifestError
 * INVALID_STATE naming the first bad field (e.g. `asset.json: renditions[1].width must be …`).
 * @example
 * const asset = parseAssetManifest(await (await fetch(`${base}/asset.json`)).json());
 */
export function parseAssetManifest(json: unknown): AssetManifest {
  const o = obj(json, 'asset');
  if (o.version !== ASSET_MANIFEST_VERSION) fail('asset.version', `${ASSET_MANIFEST_VERSION}`);
  if (!Array.isArray(o.renditions)) fail('asset.renditions', 'an array');
  const codec = o.codec === null ? null : oneOf(o, 'codec', 'asset', ['h264', 'hevc'] as const);
  let encoder: AssetManifest['encoder'] = null;
  if (o.encoder !== null) {
    const e = obj(o.encoder, 'asset.encoder');
    encoder = {
      kind: oneOf(e, 'kind', 'asset.encoder', ['nvenc', 'cpu'] as const),
      name: str(e, 'name', 'asset.encoder'),
    };
    if (e.fallbackReason !== undefined) encoder.fallbackReason = str(e, 'fallbackReason', 'asset.encoder');
  }
  const manifest: AssetManifest = {
    version: ASSET_MANIFEST_VERSION,
    assetId: str(o, 'assetId', 'asset'),
    status: oneOf(o, 'status', 'asset', ['processing', 'ready', 'failed'] as const),
    master: str(o, 'master', 'asset'),
    durationSeconds: num(o, 'durationSeconds', 'asset'),
    codec,
    container: oneOf(o, 'container', 'asset', ['fmp4', 'ts'] as const),
    segmentSeconds: num(o, 'segmentSeconds', 'asset', { positive: true }),
    encoder,
    renditions: (o.renditions as unknown[]).map((r, i) => parseRendition(r, `asset.renditions[${i}]`)),
    audio: o.audio === null ? null : parseAudio(o.audio, 'asset.audio'),
    thumbnails: o.thumbnails === null ? null : parseThumbnails(o.thumbnails, 'asset.thumbnails'),
    keyIds: strArray(o, 'keyIds', 'asset'),
    locations: strArray(o, 'locations', 'asset'),
    updatedAt: str(o, 'updatedAt', 'asset'),
  };
  if (manifest.status === 'ready' && manifest.renditions.length === 0 && manifest.audio === null)
    fail('asset.renditions', 'non-empty (or audio present) when status is ready');
  return manifest;
}
