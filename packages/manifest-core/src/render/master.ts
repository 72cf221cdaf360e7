/**
 * @module Master (multivariant) playlist rendering from a ladder: per-viewer filtering (height,
 * bandwidth, codecs), Apple's start-variant ordering, AUDIO/SUBTITLES groups, I-frame streams,
 * content steering with one copy of the ladder per pathway, EXT-X-SESSION-KEY and a VERSION
 * chosen from the features used. Ladders come from transcode-gpu's asset.json or an origin master.
 */
import type { AssetManifest } from '../asset/index.ts';
import { ManifestError } from '../errors.ts';
import type { ManifestWarning } from '../errors.ts';
import { serializePlaylist } from '../playlist/index.ts';
import type {
  IFrameVariant,
  MasterPlaylist,
  Rendition,
  RenditionType,
  SessionKey,
  Variant,
} from '../playlist/index.ts';
import { appendQuery, isAbsoluteUri, joinUrl, resolveUri } from './url.ts';
import type { QueryParams } from './url.ts';

// ————————————————————————————————————————————————————————————————— ladder

/** One variant stream (EXT-X-STREAM-INF) of a ladder. */
export interface LadderVariant {
  /** Stable id of the rendition (written as STABLE-VARIANT-ID with pathways; `{id}` in URI templates), e.g. `720p`. */
  id: string;
  /** Media playlist URI at the origin, e.g. `720p/index.m3u8` (`{uri}` in templates). Default `<id>.m3u8`. */
  uri?: string;
  /** Peak bits per second (BANDWIDTH). */
  bandwidthBps: number;
  /** Average bits per second (AVERAGE-BANDWIDTH). */
  averageBandwidthBps?: number;
  /** CODECS as written: every codec of the variant, video and audio, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs?: string;
  /** Pixels. */
  width?: number;
  /** Pixels. */
  height?: number;
  /** Frames per second. */
  frameRate?: number;
  /** AUDIO group id (an EXT-X-MEDIA group of the ladder). */
  audioGroupId?: string;
  /** SUBTITLES group id. */
  subtitlesGroupId?: string;
  /** CLOSED-CAPTIONS group id, or `NONE`. */
  closedCaptions?: string;
  /** VIDEO-RANGE: `SDR`, `HLG` or `PQ`. */
  videoRange?: string;
  /** HDCP-LEVEL: `TYPE-0`, `TYPE-1` or `NONE`. */
  hdcpLevel?: string;
  /** SUPPLEMENTAL-CODECS as written (e.g. Dolby Vision over HEVC). */
  supplementalCodecs?: string;
}

/** One I-frame stream (EXT-X-I-FRAME-STREAM-INF) of a ladder. */
export interface LadderIFrameVariant {
  /** Stable id (STABLE-VARIANT-ID with pathways). */
  id: string;
  /** I-frame playlist URI at the origin. Default `<id>.m3u8`. */
  uri?: string;
  /** Peak bits per second. */
  bandwidthBps: number;
  /** Average bits per second. */
  averageBandwidthBps?: number;
  codecs?: string;
  width?: number;
  height?: number;
  videoRange?: string;
  hdcpLevel?: string;
}

/** One alternative rendition (EXT-X-MEDIA) of a ladder. */
export interface LadderMedia {
  type: 'AUDIO' | 'SUBTITLES' | 'CLOSED-CAPTIONS' | 'VIDEO';
  /** Stable id (STABLE-RENDITION-ID with pathways; `{id}` in URI templates). */
  id: string;
  groupId: string;
  /** NAME: human-readable, unique within its group. */
  name: string;
  /** BCP 47 LANGUAGE. */
  language?: string;
  assocLanguage?: string;
  /** DEFAULT=YES (at most one per group). */
  default?: boolean;
  /** AUTOSELECT=YES. */
  autoselect?: boolean;
  /** FORCED=YES (subtitles). */
  forced?: boolean;
  /** Media playlist URI at the origin; absent for closed captions and media muxed into the variants. */
  uri?: string;
  /** CHANNELS as written, e.g. `2` or `16/JOC`. */
  channels?: string;
  /** CHARACTERISTICS as written. */
  characteristics?: string;
  /** INSTREAM-ID (closed captions), e.g. `CC1` or `SERVICE1`. */
  instreamId?: string;
}

/** A bitrate ladder: what the master playlist advertises before per-viewer filtering. */
export interface Ladder {
  variants: LadderVariant[];
  /** EXT-X-MEDIA renditions. Default none. */
  media?: LadderMedia[];
  /** I-frame streams. Default none. */
  iFrameVariants?: LadderIFrameVariant[];
}

/** Options of {@link ladderFromAsset}. */
export interface LadderFromAssetOptions {
  /** NAME of the audio rendition. Default: the audio's `name` from asset.json. */
  audioName?: string;
}

/**
 * Converts transcode-gpu's asset.json into a ladder: one variant per video rendition (CODECS =
 * video + audio codecs, BANDWIDTH / AVERAGE-BANDWIDTH as measured), the audio as a DEFAULT
 * AUTOSELECT EXT-X-MEDIA group, or a single audio-only variant for audio-only assets. URIs are
 * the asset's relative playlist paths. Throws ManifestError INVALID_OPTIONS when the asset is not ready.
 * @example
 * const { text } = renderMasterPlaylist(ladderFromAsset(asset), viewer, { uri: `/v1/play/${sid}/{id}.m3u8` });
 */
export function ladderFromAsset(asset: AssetManifest, options: LadderFromAssetOptions = {}): Ladder {
  if (asset.status !== 'ready')
    throw new ManifestError('INVALID_OPTIONS', `asset ${asset.assetId} is ${asset.status}, not ready`);
  const audio = asset.audio;
  const variants: LadderVariant[] = asset.renditions.map((r) => {
    const v: LadderVariant = {
      id: r.name,
      uri: r.playlist,
      bandwidthBps: r.bandwidthBps,
      averageBandwidthBps: r.averageBandwidthBps,
      codecs: audio === null ? r.codecs : `${r.codecs},${audio.codecs}`,
      width: r.width,
      height: r.height,
      frameRate: r.frameRate,
    };
    if (audio !== null) v.audioGroupId = audio.groupId;
    return v;
  });
  if (audio === null) return { variants };
  if (variants.length === 0) {
    return {
      variants: [
        {
          id: audio.name,
          uri: audio.playlist,
          bandwidthBps: audio.peakBitrateBps,
          averageBandwidthBps: audio.averageBitrateBps,
          codecs: audio.codecs,
        },
      ],
    };
  }
  const media: LadderMedia = {
    type: 'AUDIO',
    id: audio.name,
    groupId: audio.groupId,
    name: options.audioName ?? audio.name,
    language: audio.language,
    default: true,
    autoselect: true,
    uri: audio.playlist,
    channels: String(audio.channels),
  };
  return { variants, media: [media] };
}

/** Options of {@link ladderFromMaster}. */
export interface LadderFromMasterOptions {
  /** URL the origin master was fetched from: relative URIs are resolved against it. Default: URIs kept as written. */
  baseUrl?: string;
}

/**
 * Converts a parsed origin master into a ladder (ids from STABLE-VARIANT-ID / STABLE-RENDITION-ID,
 * else `v<n>`, `i<n>`, `m<n>`). When the origin master already lists several pathways, only the
 * first pathway's variants and renditions are taken, since rendering adds pathways itself.
 */
export function ladderFromMaster(master: MasterPlaylist, options: LadderFromMasterOptions = {}): Ladder {
  const resolve = (uri: string): string => (options.baseUrl === undefined ? uri : resolveUri(uri, options.baseUrl));
  const firstPathway = master.variants.find((v) => v.pathwayId !== undefined)?.pathwayId;
  const inPathway = (p: string | undefined): boolean =>
    firstPathway === undefined || p === undefined || p === firstPathway;
  const variants = master.variants.filter((v) => inPathway(v.pathwayId));
  const groups = new Set(
    variants.flatMap((v) => [v.audio, v.subtitles, v.closedCaptions, v.video].filter((g) => g !== undefined)),
  );
  const ladder: Ladder = {
    variants: variants.map((v, i) => {
      const out: LadderVariant = { id: v.stableVariantId ?? `v${i}`, uri: resolve(v.uri), bandwidthBps: v.bandwidth };
      if (v.averageBandwidth !== undefined) out.averageBandwidthBps = v.averageBandwidth;
      if (v.codecs !== undefined) out.codecs = v.codecs;
      if (v.resolution !== undefined) {
        out.width = v.resolution.width;
        out.height = v.resolution.height;
      }
      if (v.frameRate !== undefined) out.frameRate = v.frameRate;
      if (v.audio !== undefined) out.audioGroupId = v.audio;
      if (v.subtitles !== undefined) out.subtitlesGroupId = v.subtitles;
      if (v.closedCaptions !== undefined) out.closedCaptions = v.closedCaptions;
      if (v.videoRange !== undefined) out.videoRange = v.videoRange;
      if (v.hdcpLevel !== undefined) out.hdcpLevel = v.hdcpLevel;
      if (v.supplementalCodecs !== undefined) out.supplementalCodecs = v.supplementalCodecs;
      return out;
    }),
  };
  const media = master.renditions
    .filter((r) => firstPathway === undefined || groups.has(r.groupId))
    .filter((r): r is Rendition & { type: LadderMedia['type'] } =>
      ['AUDIO', 'SUBTITLES', 'CLOSED-CAPTIONS', 'VIDEO'].includes(r.type),
    )
    .map((r, i) => {
      const out: LadderMedia = { type: r.type, id: r.stableRenditionId ?? `m${i}`, groupId: r.groupId, name: r.name };
      if (r.language !== undefined) out.language = r.language;
      if (r.assocLanguage !== undefined) out.assocLanguage = r.assocLanguage;
      if (r.default !== undefined) out.default = r.default;
      if (r.autoselect !== undefined) out.autoselect = r.autoselect;
      if (r.forced !== undefined) out.forced = r.forced;
      if (r.uri !== undefined) out.uri = resolve(r.uri);
      if (r.channels !== undefined) out.channels = r.channels;
      if (r.characteristics !== undefined) out.characteristics = r.characteristics;
      if (r.instreamId !== undefined) out.instreamId = r.instreamId;
      return out;
    });
  if (media.length > 0) ladder.media = media;
  const iFrames = master.iFrameVariants.filter((v) => inPathway(v.pathwayId));
  if (iFrames.length > 0) {
    ladder.iFrameVariants = iFrames.map((v, i) => {
      const out: LadderIFrameVariant = {
        id: v.stableVariantId ?? `i${i}`,
        uri: resolve(v.uri),
        bandwidthBps: v.bandwidth,
      };
      if (v.averageBandwidth !== undefined) out.averageBandwidthBps = v.averageBandwidth;
      if (v.codecs !== undefined) out.codecs = v.codecs;
      if (v.resolution !== undefined) {
        out.width = v.resolution.width;
        out.height = v.resolution.height;
      }
      if (v.videoRange !== undefined) out.videoRange = v.videoRange;
      if (v.hdcpLevel !== undefined) out.hdcpLevel = v.hdcpLevel;
      return out;
    });
  }
  return ladder;
}

// ————————————————————————————————————————————————————————————————— codecs

/** Codec families a viewer can declare unsupported. */
export type CodecFamily =
  'h264' | 'hevc' | 'dolby-vision' | 'av1' | 'vp9' | 'aac' | 'ac3' | 'ec3' | 'ac4' | 'opus' | 'flac' | 'mp3' | 'other';

/** RFC 6381 sample-entry prefixes (the part before the first `.`) of each family. */
const FAMILY_BY_ENTRY: Readonly<Record<string, CodecFamily>> = {
  avc1: 'h264',
  avc3: 'h264',
  hvc1: 'hevc',
  hev1: 'hevc',
  dvh1: 'dolby-vision',
  dvhe: 'dolby-vision',
  dva1: 'dolby-vision',
  dvav: 'dolby-vision',
  av01: 'av1',
  vp09: 'vp9',
  mp4a: 'aac',
  'ac-3': 'ac3',
  'ec-3': 'ec3',
  'ac-4': 'ac4',
  opus: 'opus',
  Opus: 'opus',
  fLaC: 'flac',
};

/** The family of one RFC 6381 codec string, e.g. `hvc1.2.4.L153.B0` → `hevc`, `mp4a.40.34` → `mp3`. */
export function codecFamily(codec: string): CodecFamily {
  const trimmed = codec.trim();
  // mp4a.40.34 and mp4a.6B are MPEG audio layer 3 in an mp4a sample entry.
  if (/^mp4a\.(40\.34|6b|69)$/i.test(trimmed)) return 'mp3';
  const entry = trimmed.split('.', 1)[0]!;
  return FAMILY_BY_ENTRY[entry] ?? FAMILY_BY_ENTRY[entry.toLowerCase()] ?? 'other';
}

// ————————————————————————————————————————————————————————————————— viewer and options

/** What one viewer's device can play; every field is optional (absent = no limit). */
export interface Viewer {
  /** Tallest picture in pixels (e.g. 720 for a phone on cellular). Default: no limit. */
  maxHeight?: number;
  /** Highest BANDWIDTH in bits per second. Default: no limit. */
  maxBandwidthBps?: number;
  /** Codec families the device cannot decode, e.g. `['hevc']`. Default none. */
  unsupportedCodecFamilies?: readonly CodecFamily[];
  /** Finer test per RFC 6381 codec string (e.g. from `MediaSource.isTypeSupported`); false drops the variant. Default: all supported. */
  supportsCodec?: (codec: string) => boolean;
}

/** A delivery path (CDN or region) for content steering (bis §4.4.6.6). */
export interface Pathway {
  /** PATHWAY-ID: `[a-zA-Z0-9._-]+`, e.g. `cdn-a`. */
  id: string;
  /** Prepended to relative URIs of this pathway's copy of the ladder, e.g. `https://cdn-a.example/v1/play/s1`. */
  baseUrl: string;
}

/** What a URI template or function is asked to name. */
export interface LadderItemRef {
  kind: 'variant' | 'iFrameVariant' | 'media';
  id: string;
  /** The ladder item's origin URI (or `<id>.m3u8`). */
  uri: string;
}

/** Options of {@link renderMasterPlaylist}. */
export interface RenderMasterOptions {
  /**
   * URI of each media playlist: a template (`{id}` and `{pathway}` are replaced percent-encoded,
   * `{uri}` as written) or a function. A relative result is joined to the pathway's `baseUrl`
   * when pathways are given. Default `'{uri}'` (the ladder's own URIs).
   */
  uri?: string | ((item: LadderItemRef, pathway: Pathway | undefined) => string);
  /** Query parameters appended to every URI (string-level append). Default none. */
  query?: QueryParams;
  /** Pathways; with two or more, the ladder is repeated per pathway with PATHWAY-ID and STABLE-VARIANT-ID. Default none. */
  pathways?: readonly Pathway[];
  /** EXT-X-CONTENT-STEERING: SERVER-URI and the initial PATHWAY-ID (default: the first pathway). Default none. */
  contentSteering?: { serverUri: string; pathwayId?: string };
  /** EXT-X-SESSION-KEY lines (see sessionKeysFor). Default none. */
  sessionKeys?: readonly SessionKey[];
  /** BANDWIDTH of the preferred start variant, bits per second (Apple HLS authoring spec 1.32). Default 2_000_000. */
  startBandwidthBps?: number;
  /** Write EXT-X-INDEPENDENT-SEGMENTS (every segment starts with an IDR, as transcode-gpu encodes). Default true. */
  independentSegments?: boolean;
}

/** Stable warning codes of {@link renderMasterPlaylist}. */
export type RenderWarningCode =
  /** No variant has codecs the viewer supports; the lowest-bandwidth variant is kept. */
  | 'NO_SUPPORTED_CODECS'
  /** Height or bandwidth limits removed every variant the viewer can decode; the lowest-bandwidth one of those is kept. */
  | 'ALL_VARIANTS_FILTERED';

/** What {@link renderMasterPlaylist} returns. */
export interface RenderMasterResult {
  /** The model, for further edits before serializing. */
  playlist: MasterPlaylist;
  /** `serializePlaylist(playlist)`. */
  text: string;
  /** Filtering fallbacks (ManifestWarning with a {@link RenderWarningCode}). */
  warnings: ManifestWarning[];
}

const ID_CHARS = /^[a-zA-Z0-9+/=._-]+$/;
const PATHWAY_CHARS = /^[a-zA-Z0-9._-]+$/;

function bad(message: string): never {
  throw new ManifestError('INVALID_OPTIONS', message);
}

function positive(n: number | undefined, what: string): void {
  if (n !== undefined && !(Number.isFinite(n) && n > 0)) bad(`${what} must be a positive number`);
}

/** Checks a ladder; throws ManifestError INVALID_OPTIONS naming the first problem. */
export function assertLadder(ladder: Ladder): void {
  if (!Array.isArray(ladder.variants) || ladder.variants.length === 0) bad('ladder.variants must be a non-empty array');
  const ids = new Set<string>();
  const groupsByType = new Map<string, Set<string>>();
  const defaults = new Set<string>();
  const names = new Set<string>();
  for (const m of ladder.media ?? []) {
    if (!ID_CHARS.test(m.id)) bad(`media id ${JSON.stringify(m.id)} must use [a-zA-Z0-9+/=._-]`);
    const key = `${m.type}\n${m.groupId}`;
    // RFC 8216 §4.3.4.1.1: names unique within a group, at most one DEFAULT=YES per group.
    if (names.has(`${key}\n${m.name}`))
      bad(`two ${m.type} renditions named ${JSON.stringify(m.name)} in group ${m.groupId}`);
    names.add(`${key}\n${m.name}`);
    if (m.default === true) {
      if (defaults.has(key)) bad(`${m.type} group ${m.groupId} has more than one DEFAULT rendition`);
      defaults.add(key);
    }
    if (!groupsByType.has(m.type)) groupsByType.set(m.type, new Set());
    groupsByType.get(m.type)!.add(m.groupId);
  }
  const hasGroup = (type: RenditionType, id: string | undefined, what: string): void => {
    // RFC 8216 §4.3.4.2: an AUDIO/SUBTITLES/CLOSED-CAPTIONS value must match an EXT-X-MEDIA GROUP-ID of that TYPE.
    if (id !== undefined && !(type === 'CLOSED-CAPTIONS' && id === 'NONE') && !groupsByType.get(type)?.has(id))
      bad(`${what} group ${JSON.stringify(id)} has no ${type} media`);
  };
  for (const v of [...ladder.variants, ...(ladder.iFrameVariants ?? [])]) {
    if (typeof v.id !== 'string' || !ID_CHARS.test(v.id))
      bad(`variant id ${JSON.stringify(v.id)} must use [a-zA-Z0-9+/=._-]`);
    if (ids.has(v.id)) bad(`variant id ${v.id} is used twice`);
    ids.add(v.id);
    positive(v.bandwidthBps, `variant ${v.id} bandwidthBps`);
    if (v.bandwidthBps === undefined) bad(`variant ${v.id} needs bandwidthBps`);
    positive(v.averageBandwidthBps, `variant ${v.id} averageBandwidthBps`);
    positive(v.width, `variant ${v.id} width`);
    positive(v.height, `variant ${v.id} height`);
    if ((v.width === undefined) !== (v.height === undefined))
      bad(`variant ${v.id} needs both width and height, or neither`);
  }
  for (const v of ladder.variants) {
    positive(v.frameRate, `variant ${v.id} frameRate`);
    hasGroup('AUDIO', v.audioGroupId, `variant ${v.id} audio`);
    hasGroup('SUBTITLES', v.subtitlesGroupId, `variant ${v.id} subtitles`);
    hasGroup('CLOSED-CAPTIONS', v.closedCaptions, `variant ${v.id} closed-captions`);
  }
}

// ————————————————————————————————————————————————————————————————— rendering

interface Filterable {
  bandwidthBps: number;
  codecs?: string;
  height?: number;
}

function codecsSupported(item: Filterable, viewer: Viewer): boolean {
  if (item.codecs === undefined) return true;
  const unsupported = viewer.unsupportedCodecFamilies ?? [];
  return item.codecs.split(',').every((c) => {
    const codec = c.trim();
    return codec === '' || (!unsupported.includes(codecFamily(codec)) && viewer.supportsCodec?.(codec) !== false);
  });
}

function withinLimits(item: Filterable, viewer: Viewer): boolean {
  return (
    (viewer.maxHeight === undefined || item.height === undefined || item.height <= viewer.maxHeight) &&
    (viewer.maxBandwidthBps === undefined || item.bandwidthBps <= viewer.maxBandwidthBps)
  );
}

function byBandwidth<T extends { bandwidthBps: number; averageBandwidthBps?: number; id: string }>(a: T, b: T): number {
  return (
    a.bandwidthBps - b.bandwidthBps ||
    (a.averageBandwidthBps ?? 0) - (b.averageBandwidthBps ?? 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * Orders variants for Apple's HLS authoring spec 1.32 (the first variant is where playback
 * starts): the variant whose BANDWIDTH is closest to `startBandwidthBps` (the lower one on a tie),
 * then the others by bandwidth ascending.
 */
export function orderVariants<T extends { bandwidthBps: number; averageBandwidthBps?: number; id: string }>(
  variants: readonly T[],
  startBandwidthBps = 2_000_000,
): T[] {
  const sorted = [...variants].sort(byBandwidth);
  let start = 0;
  for (let i = 1; i < sorted.length; i++) {
    if (
      Math.abs(sorted[i]!.bandwidthBps - startBandwidthBps) < Math.abs(sorted[start]!.bandwidthBps - startBandwidthBps)
    )
      start = i;
  }
  return [sorted[start]!, ...sorted.slice(0, start), ...sorted.slice(start + 1)];
}

/** FRAME-RATE is written with at most three decimals (RFC 8216 §4.3.4.2 rounds it to 3). */
function frameRate(fps: number): number {
  return Math.round(fps * 1000) / 1000;
}

/**
 * Renders a master playlist for one viewer from a ladder. Variants the viewer cannot play
 * (codec families, height, bandwidth) are dropped, but never all of them: when nothing is left
 * the lowest-bandwidth variant is kept and a warning says why. The variant closest to
 * `startBandwidthBps` comes first, then the rest by bandwidth. With pathways, each pathway gets
 * its own copy of the variants, I-frame streams and renditions (group ids suffixed with the
 * pathway id when there are several), with PATHWAY-ID, STABLE-VARIANT-ID and STABLE-RENDITION-ID.
 * Media groups no kept variant refers to are left out. Returns the model and its text.
 * Throws ManifestError INVALID_OPTIONS for a bad ladder or options.
 * @example
 * const { text } = renderMasterPlaylist(ladderFromAsset(asset), { maxHeight: 720, unsupportedCodecFamilies: ['hevc'] }, {
 *   uri: '/v1/play/s1/{id}.m3u8',
 *   pathways: [{ id: 'cdn-a', baseUrl: 'https://a.example' }, { id: 'cdn-b', baseUrl: 'https://b.example' }],
 *   contentSteering: { serverUri: '/v1/steering/s1.json' },
 *   sessionKeys: sessionKeysFor(drm),
 * });
 */
export function renderMasterPlaylist(
  ladder: Ladder,
  viewer: Viewer = {},
  options: RenderMasterOptions = {},
): RenderMasterResult {
  assertLadder(ladder);
  positive(viewer.maxHeight, 'viewer.maxHeight');
  positive(viewer.maxBandwidthBps, 'viewer.maxBandwidthBps');
  positive(options.startBandwidthBps, 'startBandwidthBps');
  const pathways = options.pathways ?? [];
  const seenPathways = new Set<string>();
  for (const p of pathways) {
    if (!PATHWAY_CHARS.test(p.id)) bad(`pathway id ${JSON.stringify(p.id)} must use [a-zA-Z0-9._-]`);
    if (seenPathways.has(p.id)) bad(`pathway ${p.id} is listed twice`);
    seenPathways.add(p.id);
  }
  if (options.contentSteering?.pathwayId !== undefined && !seenPathways.has(options.contentSteering.pathwayId)) {
    bad(`content steering pathway ${options.contentSteering.pathwayId} is not among the pathways`);
  }
  for (const k of options.sessionKeys ?? [])
    if (k.method === 'NONE') bad('EXT-X-SESSION-KEY cannot have METHOD=NONE (RFC 8216 §4.3.4.5)');

  const warnings: ManifestWarning[] = [];
  const playable = ladder.variants.filter((v) => codecsSupported(v, viewer));
  let kept = playable.filter((v) => withinLimits(v, viewer));
  if (kept.length === 0) {
    // Never an empty master: the lowest variant the viewer can decode (or the lowest of all) stays.
    const lowest = [...(playable.length > 0 ? playable : ladder.variants)].sort(byBandwidth)[0]!;
    warnings.push(
      playable.length === 0
        ? {
            code: 'NO_SUPPORTED_CODECS',
            message: `no variant has codecs the viewer supports; kept the lowest (${lowest.id})`,
          }
        : {
            code: 'ALL_VARIANTS_FILTERED',
            message: `height/bandwidth limits removed every variant; kept the lowest (${lowest.id})`,
          },
    );
    kept = [lowest];
  }
  const variants = orderVariants(kept, options.startBandwidthBps);
  const iFrames = (ladder.iFrameVariants ?? [])
    .filter((v) => codecsSupported(v, viewer) && withinLimits(v, viewer))
    .sort(byBandwidth);
  const usedGroups = new Set(
    variants.flatMap((v) => [
      `AUDIO\n${v.audioGroupId}`,
      `SUBTITLES\n${v.subtitlesGroupId}`,
      `CLOSED-CAPTIONS\n${v.closedCaptions}`,
    ]),
  );
  const media = (ladder.media ?? []).filter((m) => usedGroups.has(`${m.type}\n${m.groupId}`));

  const template = options.uri ?? '{uri}';
  const uriOf = (
    kind: LadderItemRef['kind'],
    item: { id: string; uri?: string },
    pathway: Pathway | undefined,
  ): string => {
    const ref: LadderItemRef = { kind, id: item.id, uri: item.uri ?? `${item.id}.m3u8` };
    let uri =
      typeof template === 'function'
        ? template(ref, pathway)
        : template.replace(/\{(id|uri|pathway)\}/g, (_, name: string) =>
            name === 'uri' ? ref.uri : encodeURIComponent(name === 'id' ? ref.id : (pathway?.id ?? '')),
          );
    if (pathway !== undefined && !isAbsoluteUri(uri)) uri = joinUrl(pathway.baseUrl, uri);
    return options.query === undefined ? uri : appendQuery(uri, options.query);
  };
  const several = pathways.length > 1;
  const group = (id: string | undefined, pathway: Pathway | undefined): string | undefined =>
    id === undefined || id === 'NONE' || !several || pathway === undefined ? id : `${id}-${pathway.id}`;

  const playlist: MasterPlaylist = { kind: 'master', renditions: [], variants: [], iFrameVariants: [] };
  if (options.independentSegments !== false) playlist.independentSegments = true;
  if (options.contentSteering !== undefined) {
    playlist.contentSteering = { serverUri: options.contentSteering.serverUri };
    const initial = options.contentSteering.pathwayId ?? pathways[0]?.id;
    if (initial !== undefined) playlist.contentSteering.pathwayId = initial;
  }
  if (options.sessionKeys !== undefined && options.sessionKeys.length > 0)
    playlist.sessionKeys = options.sessionKeys.map((k) => ({ ...k }));

  for (const pathway of pathways.length > 0 ? pathways : [undefined]) {
    for (const m of media) {
      const r: Rendition = { type: m.type, groupId: group(m.groupId, pathway)!, name: m.name };
      if (m.uri !== undefined) r.uri = uriOf('media', m, pathway);
      if (m.language !== undefined) r.language = m.language;
      if (m.assocLanguage !== undefined) r.assocLanguage = m.assocLanguage;
      if (pathway !== undefined) r.stableRenditionId = m.id;
      if (m.default === true) r.default = true;
      // RFC 8216 §4.3.4.1: AUTOSELECT must be YES when DEFAULT is YES.
      if (m.autoselect === true || m.default === true) r.autoselect = true;
      if (m.forced === true) r.forced = true;
      if (m.instreamId !== undefined) r.instreamId = m.instreamId;
      if (m.characteristics !== undefined) r.characteristics = m.characteristics;
      if (m.channels !== undefined) r.channels = m.channels;
      playlist.renditions.push(r);
    }
    for (const v of variants) {
      const out: Variant = { uri: uriOf('variant', v, pathway), bandwidth: Math.round(v.bandwidthBps) };
      if (v.averageBandwidthBps !== undefined) out.averageBandwidth = Math.round(v.averageBandwidthBps);
      if (v.codecs !== undefined) out.codecs = v.codecs;
      if (v.supplementalCodecs !== undefined) out.supplementalCodecs = v.supplementalCodecs;
      if (v.width !== undefined && v.height !== undefined) out.resolution = { width: v.width, height: v.height };
      if (v.frameRate !== undefined) out.frameRate = frameRate(v.frameRate);
      if (v.hdcpLevel !== undefined) out.hdcpLevel = v.hdcpLevel;
      if (v.videoRange !== undefined) out.videoRange = v.videoRange;
      if (pathway !== undefined) {
        out.stableVariantId = v.id;
        out.pathwayId = pathway.id;
      }
      const audio = group(v.audioGroupId, pathway);
      if (audio !== undefined) out.audio = audio;
      const subtitles = group(v.subtitlesGroupId, pathway);
      if (subtitles !== undefined) out.subtitles = subtitles;
      const cc = group(v.closedCaptions, pathway);
      if (cc !== undefined) out.closedCaptions = cc;
      playlist.variants.push(out);
    }
    for (const v of iFrames) {
      const out: IFrameVariant = { uri: uriOf('iFrameVariant', v, pathway), bandwidth: Math.round(v.bandwidthBps) };
      if (v.averageBandwidthBps !== undefined) out.averageBandwidth = Math.round(v.averageBandwidthBps);
      if (v.codecs !== undefined) out.codecs = v.codecs;
      if (v.width !== undefined && v.height !== undefined) out.resolution = { width: v.width, height: v.height };
      if (v.hdcpLevel !== undefined) out.hdcpLevel = v.hdcpLevel;
      if (v.videoRange !== undefined) out.videoRange = v.videoRange;
      if (pathway !== undefined) {
        out.stableVariantId = v.id;
        out.pathwayId = pathway.id;
      }
      playlist.iFrameVariants.push(out);
    }
  }
  const version = masterVersion(playlist);
  if (version > 1) playlist.version = version;
  return { playlist, text: serializePlaylist(playlist), warnings };
}

/**
 * The lowest EXT-X-VERSION a master playlist needs (RFC 8216 §7, bis §8): 7 for INSTREAM-ID
 * SERVICEn, 5 for KEYFORMAT / KEYFORMATVERSIONS in session keys, 4 for I-frame streams, 2 for
 * an IV; 1 otherwise.
 */
export function masterVersion(playlist: MasterPlaylist): number {
  let version = 1;
  if (playlist.renditions.some((r) => r.instreamId?.startsWith('SERVICE'))) version = 7;
  if ((playlist.sessionKeys ?? []).some((k) => k.keyFormat !== undefined || k.keyFormatVersions !== undefined))
    version = Math.max(version, 5);
  if (playlist.iFrameVariants.length > 0) version = Math.max(version, 4);
  if ((playlist.sessionKeys ?? []).some((k) => k.iv !== undefined)) version = Math.max(version, 2);
  return version;
}
