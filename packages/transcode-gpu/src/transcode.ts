/**
 * @module transcode: one job end to end — probe, plan the ladder, skip renditions whose
 * completion marker verifies, encode the rest in one ffmpeg pass, thumbnails, optional
 * AES-128, upload per rendition (segments → playlist → marker), then master.m3u8 and asset.json.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AssetAudio, AssetManifest, AssetRendition, AssetThumbnails } from '@meridian/manifest-core';
import { ladderFromAsset, parseAssetManifest, renderMasterPlaylist } from '@meridian/manifest-core';
import { AUDIO_RENDITION, buildLadderArgs, type AudioOutput } from './args.ts';
import {
  createDestinations,
  markerKey,
  type CompletionMarker,
  type Destinations,
  type OutputFile,
} from './destinations.ts';
import { selectEncoder, type EncoderChoice, type EncoderSelection } from './encoder.ts';
import { TranscodeError, isTranscodeError } from './errors.ts';
import { runFfmpeg } from './ffmpeg.ts';
import {
  addKeyTag,
  DEFAULT_KEY_URI_TEMPLATE,
  encryptSegment,
  formatKeyIv,
  generateContentKey,
  type KeyStore,
} from './keys.ts';
import {
  DEFAULT_LADDER,
  fps,
  planLadder,
  type Container,
  type Rung,
  type RungSpec,
  type VideoCodec,
} from './ladder.ts';
import { AAC_LC_CODEC, measureBandwidth, readMediaPlaylist, videoCodecString } from './media.ts';
import { probeSource, type SourceInfo } from './probe.ts';
import { openStore, type S3StoreOptions } from './storage.ts';
import { generateThumbnails, type ThumbnailOptions } from './thumbnails.ts';

/** Options of one transcode job. Defaults follow SPEC §4. */
export interface TranscodeOptions {
  /** Local file path or URL ffmpeg can read. */
  input: string;
  /** Destinations, primary first: directories and/or `s3://bucket/prefix`. Replicas follow the primary. */
  output: string | readonly string[];
  /** How many destinations each rendition must land on; default all (primary + every replica). */
  copies?: number;
  /** Asset id recorded in asset.json; default the last path segment of the primary output. */
  assetId?: string;
  /** Default {@link DEFAULT_LADDER}. */
  ladder?: readonly RungSpec[];
  /** Default `h264`. */
  codec?: VideoCodec;
  /** Default `fmp4`. */
  container?: Container;
  /** Default `auto`. */
  encoder?: EncoderChoice;
  /** Segment length, seconds; default 6. */
  segmentSeconds?: number;
  /** Audio rendition options (bitrate default 128 kb/s, language default `und`). */
  audio?: AudioOutput;
  /** AES-128 segment encryption: keys go to `keyStore`, never to the outputs. */
  encryption?: { keyStore: KeyStore; keyUriTemplate?: string };
  /** Thumbnail options, or false to skip; default on (10 s interval, 3 sizes, sprite). */
  thumbnails?: ThumbnailOptions | false;
  /** libx264/libx265 preset; default `veryfast`. */
  cpuPreset?: string;
  /** NVENC preset; default `p5`. */
  nvencPreset?: string;
  /** S3 client options for `s3://` destinations (endpoint, credentials, timeoutMs). */
  s3?: S3StoreOptions;
  /** Scratch directory for ffmpeg output; default a fresh temp dir, removed afterwards. */
  workDir?: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Progress and stage events (the CLI renders them; the worker logs them). */
  onEvent?: (event: TranscodeEvent) => void;
  /** Aborting stops ffmpeg; the job rejects with ABORTED and can be resumed later. */
  signal?: AbortSignal;
}

/** Events a job reports while it runs. */
export type TranscodeEvent =
  | { type: 'probe'; durationSeconds: number; width: number | null; height: number | null; hasAudio: boolean }
  | { type: 'plan'; encode: string[]; complete: string[] }
  | { type: 'encoder'; kind: 'nvenc' | 'cpu'; name: string; fallbackReason?: string }
  | { type: 'ffmpeg'; pid: number; renditions: string[] }
  | { type: 'progress'; outTimeSeconds: number; durationSeconds: number; fraction: number; speed?: number }
  | { type: 'rendition'; rendition: string; locations: string[] }
  | { type: 'destination-down'; url: string; reason: string }
  | { type: 'thumbnails'; count: number }
  | { type: 'done'; uploads: number; skipped: boolean };

/** What a finished job returns. */
export interface TranscodeResult {
  asset: AssetManifest;
  /** Renditions encoded in this run (empty on a re-run of a finished job). */
  encoded: string[];
  /** Objects written in this run (zero on a re-run of a finished job). */
  uploads: number;
}

// What a rendition's completion marker records: asset.json's fields minus what the job adds when it
// assembles the asset (names, paths, master bandwidths, locations), so resumed renditions keep them.
type VideoInfo = { kind: 'video'; encoder: { kind: 'nvenc' | 'cpu'; name: string } } & Omit<
  AssetRendition,
  'name' | 'playlist' | 'bandwidthBps' | 'averageBandwidthBps' | 'locations'
>;
type AudioInfo = { kind: 'audio' } & Omit<AssetAudio, 'name' | 'playlist' | 'groupId' | 'locations'>;

interface ThumbsInfo {
  kind: 'thumbnails';
  thumbnails: Omit<AssetThumbnails, 'locations'>;
}

const THUMBS = 'thumbs';
const AUDIO_GROUP = 'aud';
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** EXT-X-MEDIA NAME of the audio group: the language tag, or `Audio` when it is undetermined. */
function audioName(language: string | undefined): string {
  return language === undefined || language === 'und' ? 'Audio' : language;
}

function defaultAssetId(output: string): string {
  const trimmed = output.replace(/\/+$/, '');
  return basename(trimmed) || 'asset';
}

/**
 * Runs one transcode job. Safe to re-run: finished renditions are skipped, unfinished ones
 * are re-encoded alone (their keyframes still line up), and a finished job writes nothing.
 * @example
 * const { asset } = await transcode({ input: 'in.mp4', output: ['s3://media-eu/a1', 's3://media-us/a1'], encoder: 'auto' });
 */
export async function transcode(options: TranscodeOptions): Promise<TranscodeResult> {
  const emit = (e: TranscodeEvent): void => options.onEvent?.(e);
  const outputs = typeof options.output === 'string' ? [options.output] : [...options.output];
  if (outputs.length === 0) throw new TranscodeError('INVALID_OPTIONS', 'an output directory or s3:// URL is required');
  const codec = options.codec ?? 'h264';
  const container = options.container ?? 'fmp4';
  const segmentSeconds = options.segmentSeconds ?? 6;
  if (codec === 'hevc' && container !== 'fmp4')
    throw new TranscodeError('INVALID_OPTIONS', 'HEVC needs fMP4 segments (Apple HLS Authoring Spec 1.5)');
  if (!(segmentSeconds >= 2) || segmentSeconds % 2 !== 0)
    throw new TranscodeError(
      'INVALID_OPTIONS',
      `segment length ${segmentSeconds}s must be an even number of seconds (keyframes every 2 s)`,
    );
  const assetId = options.assetId ?? defaultAssetId(outputs[0] as string);
  const stores = outputs.map((u) => openStore(u, options.s3));
  const destinationOptions: Parameters<typeof createDestinations>[1] = {
    onDown: (url, reason) => emit({ type: 'destination-down', url, reason }),
  };
  if (options.copies !== undefined) destinationOptions.copies = options.copies;
  const dest = createDestinations(stores, destinationOptions);
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'meridian-transcode-')));
  try {
    const source = await probeSource(options.input, options.ffprobePath ? { ffprobePath: options.ffprobePath } : {});
    emit({
      type: 'probe',
      durationSeconds: source.durationSeconds,
      width: source.video?.width ?? null,
      height: source.video?.height ?? null,
      hasAudio: source.audio !== null,
    });
    const rungs = source.video ? planLadder(source.video, options.ladder ?? DEFAULT_LADDER, codec) : [];
    const wantThumbs = options.thumbnails !== false && source.video !== null;

    // Resume: a rendition whose marker verifies on enough stores is not encoded again.
    const complete = new Map<string, { marker: CompletionMarker; urls: string[] }>();
    const names = [
      ...rungs.map((r) => r.name),
      ...(source.audio ? [AUDIO_RENDITION] : []),
      ...(wantThumbs ? [THUMBS] : []),
    ];
    for (const name of names) {
      const found = await dest.findComplete(name);
      if (found) complete.set(name, found);
    }
    if (dest.copiesNeeded() === 0)
      throw new TranscodeError(
        'STORAGE_FAILED',
        `every destination is unreachable: ${[...dest.down].map(([u, r]) => `${u}: ${r}`).join('; ')}`,
      );
    const todoRungs = rungs.filter((r) => !complete.has(r.name));
    const todoAudio = source.audio !== null && !complete.has(AUDIO_RENDITION);
    const todoThumbs = wantThumbs && !complete.has(THUMBS);
    emit({
      type: 'plan',
      encode: [...todoRungs.map((r) => r.name), ...(todoAudio ? [AUDIO_RENDITION] : [])],
      complete: [...complete.keys()],
    });

    if (todoRungs.length === 0 && !todoAudio && !todoThumbs) {
      const existing = await readExistingAsset(dest);
      if (existing?.status === 'ready') {
        emit({ type: 'done', uploads: 0, skipped: true });
        return { asset: existing, encoded: [], uploads: 0 };
      }
    }

    let encoder: EncoderSelection | undefined;
    const encDir = join(workDir, 'enc');
    if (todoRungs.length > 0 || todoAudio) {
      if (todoRungs.length > 0) {
        encoder = await selectEncoder(options.encoder ?? 'auto', codec, options.ffmpegPath);
        emit({ type: 'encoder', ...encoder });
      }
      const args = buildLadderArgs({
        input: options.input,
        outDir: encDir,
        rungs: todoRungs,
        audio: todoAudio ? (options.audio ?? {}) : null,
        codec,
        container,
        encoder: encoder?.kind ?? 'cpu',
        frameRate: source.video?.frameRate ?? { num: 25, den: 1 },
        segmentSeconds,
        ...(options.cpuPreset ? { cpuPreset: options.cpuPreset } : {}),
        ...(options.nvencPreset ? { nvencPreset: options.nvencPreset } : {}),
      });
      const renditions = [...todoRungs.map((r) => r.name), ...(todoAudio ? [AUDIO_RENDITION] : [])];
      await runFfmpeg(args, {
        ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onSpawn: (pid) => emit({ type: 'ffmpeg', pid, renditions }),
        onProgress: (p) =>
          emit({
            type: 'progress',
            outTimeSeconds: p.outTimeSeconds,
            durationSeconds: source.durationSeconds,
            fraction: p.done ? 1 : Math.min(1, p.outTimeSeconds / source.durationSeconds),
            ...(p.speed !== undefined ? { speed: p.speed } : {}),
          }),
      });
    }

    // Thumbnails come before encryption, from a clear local rung when one was encoded now.
    let thumbsFiles: OutputFile[] = [];
    let thumbsInfo: ThumbsInfo | undefined;
    if (todoThumbs && source.video) {
      const thumbOptions = options.thumbnails === false ? {} : (options.thumbnails ?? {});
      const largest = Math.max(...(thumbOptions.sizes ?? [{ width: 640 }]).map((s) => s.width));
      const local = todoRungs.find((r) => r.width >= largest) ?? todoRungs[todoRungs.length - 1];
      const thumbs = await generateThumbnails({
        ...thumbOptions,
        input: local ? join(encDir, local.name, 'index.m3u8') : options.input,
        outDir: workDir,
        videoWidth: local?.width ?? source.video.width,
        videoHeight: local?.height ?? source.video.height,
        durationSeconds: source.durationSeconds,
        ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      thumbsInfo = { kind: 'thumbnails', thumbnails: thumbs.info };
      thumbsFiles = thumbs.files.map((key) => ({ key, body: { path: join(workDir, key) } }));
      emit({ type: 'thumbnails', count: thumbs.info.sizes[0]?.count ?? 0 });
    }

    // Upload per rendition: segments first, then the playlist, then the marker.
    const encoded: string[] = [];
    for (const rung of todoRungs) {
      const { phases } = await prepareRendition(join(encDir, rung.name), rung.name, options, {
        kind: 'video',
        rung,
        frameRate: fps(source.video?.frameRate ?? { num: 25, den: 1 }),
        encoder: encoder as EncoderSelection,
      });
      const urls = await dest.write(phases, `rendition ${rung.name}`);
      complete.set(rung.name, { marker: markerOf(phases), urls });
      encoded.push(rung.name);
      emit({ type: 'rendition', rendition: rung.name, locations: urls });
    }
    if (todoAudio && source.audio) {
      const { phases } = await prepareRendition(join(encDir, AUDIO_RENDITION), AUDIO_RENDITION, options, {
        kind: 'audio',
        source,
      });
      const urls = await dest.write(phases, 'the audio rendition');
      complete.set(AUDIO_RENDITION, { marker: markerOf(phases), urls });
      encoded.push(AUDIO_RENDITION);
      emit({ type: 'rendition', rendition: AUDIO_RENDITION, locations: urls });
    }
    if (thumbsInfo) {
      const marker = await buildMarker(THUMBS, thumbsFiles, thumbsInfo as unknown as Record<string, unknown>);
      const urls = await dest.write(
        [thumbsFiles, [{ key: markerKey(THUMBS), body: JSON.stringify(marker, null, 2) }]],
        'thumbnails',
      );
      complete.set(THUMBS, { marker, urls });
    }

    const asset = buildAsset({
      assetId,
      source,
      rungs,
      complete,
      codec: rungs.length > 0 ? codec : null,
      container,
      segmentSeconds,
      encoder,
      locations: stores.map((s) => s.url),
      options,
    });
    // manifest-core's renderer: the same ladder the manifest servers render per viewer from asset.json.
    const master = renderMasterPlaylist(ladderFromAsset(asset, { audioName: audioName(asset.audio?.language) })).text;
    await dest.write(
      [[{ key: 'master.m3u8', body: master }], [{ key: 'asset.json', body: `${JSON.stringify(asset, null, 2)}\n` }]],
      'master.m3u8 and asset.json',
    );
    emit({ type: 'done', uploads: dest.uploads, skipped: false });
    return { asset, encoded, uploads: dest.uploads };
  } finally {
    for (const s of stores) s.close();
    if (!options.workDir) await rm(workDir, { recursive: true, force: true });
  }
}

async function readExistingAsset(dest: Destinations): Promise<AssetManifest | undefined> {
  const bytes = await dest.read('asset.json');
  const master = await dest.read('master.m3u8');
  if (!bytes || !master) return undefined;
  try {
    return parseAssetManifest(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return undefined;
  }
}

function markerOf(phases: ReadonlyArray<readonly OutputFile[]>): CompletionMarker {
  const last = phases[phases.length - 1]?.[0];
  return JSON.parse(String(last?.body)) as CompletionMarker;
}

async function buildMarker(
  rendition: string,
  files: readonly OutputFile[],
  info: Record<string, unknown>,
): Promise<CompletionMarker> {
  const entries: CompletionMarker['files'] = [];
  for (const f of files) {
    const bytes =
      typeof f.body === 'object' && 'path' in f.body
        ? new Uint8Array(await readFile(f.body.path))
        : typeof f.body === 'string'
          ? new TextEncoder().encode(f.body)
          : f.body;
    entries.push({ key: f.key, bytes: bytes.byteLength, sha256: sha256(bytes) });
  }
  return { version: 1, rendition, files: entries, info };
}

type RenditionKind =
  { kind: 'video'; rung: Rung; frameRate: number; encoder: EncoderSelection } | { kind: 'audio'; source: SourceInfo };

/** Reads, measures and (optionally) encrypts one encoded rendition; returns its three upload phases. */
async function prepareRendition(
  dir: string,
  name: string,
  options: TranscodeOptions,
  what: RenditionKind,
): Promise<{ phases: OutputFile[][]; info: VideoInfo | AudioInfo }> {
  let playlistText: string;
  try {
    playlistText = await readFile(join(dir, 'index.m3u8'), 'utf8');
  } catch (cause) {
    throw new TranscodeError('OUTPUT_INVALID', `ffmpeg wrote no playlist for ${name}`, { cause });
  }
  const playlist = readMediaPlaylist(playlistText);
  if (!playlist.ended || playlist.segments.length === 0)
    throw new TranscodeError('OUTPUT_INVALID', `the ${name} playlist is unfinished`);
  const key = options.encryption ? generateContentKey() : undefined;
  if (key && options.encryption) {
    try {
      // The key is stored before any playlist that references it is published.
      await options.encryption.keyStore.put(key.keyId, key.key);
    } catch (cause) {
      throw isTranscodeError(cause)
        ? cause
        : new TranscodeError('KEY_STORE_FAILED', `cannot store key ${key.keyId}`, { cause });
    }
  }
  const segmentFiles: OutputFile[] = [];
  const sized: Array<{ bytes: number; durationSeconds: number }> = [];
  let codecs = AAC_LC_CODEC;
  if (playlist.mapUri) {
    const init = join(dir, playlist.mapUri);
    segmentFiles.push({ key: `${name}/${playlist.mapUri}`, body: { path: init } });
    if (what.kind === 'video') codecs = videoCodecString(new Uint8Array(await readFile(init)));
  }
  for (const [i, seg] of playlist.segments.entries()) {
    const path = join(dir, seg.uri);
    if (what.kind === 'video' && i === 0 && !playlist.mapUri)
      codecs = videoCodecString(new Uint8Array(await readFile(path)));
    if (key) {
      const enc = encryptSegment(await readFile(path), key);
      await writeFile(path, enc);
    }
    sized.push({ bytes: (await stat(path)).size, durationSeconds: seg.durationSeconds });
    segmentFiles.push({ key: `${name}/${seg.uri}`, body: { path } });
  }
  const bw = measureBandwidth(sized, playlist.targetDurationSeconds || options.segmentSeconds || 6);
  const durationSeconds = playlist.segments.reduce((s, x) => s + x.durationSeconds, 0);
  const finalPlaylist = key
    ? addKeyTag(playlistText, key, options.encryption?.keyUriTemplate ?? DEFAULT_KEY_URI_TEMPLATE)
    : playlistText;
  const playlistFile: OutputFile = { key: `${name}/index.m3u8`, body: finalPlaylist };
  const common = {
    codecs,
    peakBitrateBps: bw.peakBps,
    averageBitrateBps: bw.averageBps,
    segmentCount: playlist.segments.length,
    durationSeconds,
    ...(key ? { keyId: key.keyId, keyIv: formatKeyIv(key.iv) } : {}),
  };
  const info: VideoInfo | AudioInfo =
    what.kind === 'video'
      ? {
          kind: 'video',
          ...common,
          width: what.rung.width,
          height: what.rung.height,
          frameRate: what.frameRate,
          targetBitrateBps: what.rung.bitrateBps,
          encoder: { kind: what.encoder.kind, name: what.encoder.name },
        }
      : { kind: 'audio', ...common, language: options.audio?.language ?? 'und', channels: 2, sampleRateHz: 48_000 };
  const marker = await buildMarker(name, [...segmentFiles, playlistFile], info as unknown as Record<string, unknown>);
  return {
    phases: [segmentFiles, [playlistFile], [{ key: markerKey(name), body: JSON.stringify(marker, null, 2) }]],
    info,
  };
}

function buildAsset(o: {
  assetId: string;
  source: SourceInfo;
  rungs: Rung[];
  complete: Map<string, { marker: CompletionMarker; urls: string[] }>;
  codec: VideoCodec | null;
  container: Container;
  segmentSeconds: number;
  encoder: EncoderSelection | undefined;
  locations: string[];
  options: TranscodeOptions;
}): AssetManifest {
  const audioEntry = o.complete.get(AUDIO_RENDITION);
  const audioInfo = audioEntry?.marker.info as AudioInfo | undefined;
  const audio: AssetAudio | null =
    audioEntry && audioInfo
      ? {
          name: AUDIO_RENDITION,
          playlist: `${AUDIO_RENDITION}/index.m3u8`,
          codecs: audioInfo.codecs,
          language: audioInfo.language,
          groupId: AUDIO_GROUP,
          channels: audioInfo.channels,
          sampleRateHz: audioInfo.sampleRateHz,
          peakBitrateBps: audioInfo.peakBitrateBps,
          averageBitrateBps: audioInfo.averageBitrateBps,
          segmentCount: audioInfo.segmentCount,
          durationSeconds: audioInfo.durationSeconds,
          ...(audioInfo.keyId
            ? { keyId: audioInfo.keyId, ...(audioInfo.keyIv ? { keyIv: audioInfo.keyIv } : {}) }
            : {}),
          locations: audioEntry.urls,
        }
      : null;
  let firstEncoder: VideoInfo['encoder'] | undefined;
  const renditions: AssetRendition[] = o.rungs.map((rung) => {
    const entry = o.complete.get(rung.name);
    if (!entry) throw new TranscodeError('OUTPUT_INVALID', `rendition ${rung.name} is missing after the job`);
    const v = entry.marker.info as unknown as VideoInfo;
    firstEncoder ??= v.encoder;
    return {
      name: rung.name,
      playlist: `${rung.name}/index.m3u8`,
      codecs: v.codecs,
      width: v.width,
      height: v.height,
      frameRate: v.frameRate,
      targetBitrateBps: v.targetBitrateBps,
      peakBitrateBps: v.peakBitrateBps,
      averageBitrateBps: v.averageBitrateBps,
      // The variant carries the audio group, so its BANDWIDTH covers both (RFC 8216 §4.3.4.2).
      bandwidthBps: v.peakBitrateBps + (audio?.peakBitrateBps ?? 0),
      averageBandwidthBps: v.averageBitrateBps + (audio?.averageBitrateBps ?? 0),
      segmentCount: v.segmentCount,
      durationSeconds: v.durationSeconds,
      ...(v.keyId ? { keyId: v.keyId, ...(v.keyIv ? { keyIv: v.keyIv } : {}) } : {}),
      locations: entry.urls,
    };
  });
  const thumbsEntry = o.complete.get(THUMBS);
  const thumbnails: AssetThumbnails | null = thumbsEntry
    ? { ...(thumbsEntry.marker.info as unknown as ThumbsInfo).thumbnails, locations: thumbsEntry.urls }
    : null;
  const keyIds = [...renditions.map((r) => r.keyId), audio?.keyId].filter((k): k is string => typeof k === 'string');
  const encoder = o.encoder
    ? {
        kind: o.encoder.kind,
        name: o.encoder.name,
        ...(o.encoder.fallbackReason ? { fallbackReason: o.encoder.fallbackReason } : {}),
      }
    : (firstEncoder ?? null);
  return {
    version: 1,
    assetId: o.assetId,
    status: 'ready',
    master: 'master.m3u8',
    durationSeconds: o.source.durationSeconds,
    codec: o.codec,
    container: o.container,
    segmentSeconds: o.segmentSeconds,
    encoder: renditions.length > 0 ? encoder : null,
    renditions,
    audio,
    thumbnails,
    keyIds: [...new Set(keyIds)],
    locations: o.locations,
    updatedAt: new Date().toISOString(),
  };
}
