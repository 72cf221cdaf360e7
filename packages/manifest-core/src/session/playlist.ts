/**
 * @module Session playlists: a session's master and media playlists rendered from the source
 * (origin) playlists — the one pure function the edge and every zone share, so that any of them
 * answers the same bytes for the same session. On the lossless parser and serializer it
 * personalises URLs only (variants → the session's media playlists, one copy per steering
 * pathway; segments/maps/parts/preload hints → absolute origin or CDN URLs with the session
 * appended, through the render module's URI rewriter; AES-128 keys → the session key endpoint).
 */
import type { Key, MasterPlaylist, MediaPlaylist, Rendition } from '../playlist/index.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from '../playlist/parse.ts';
import { serializePlaylist } from '../playlist/serialize.ts';
import { rewriteMediaUris, type MediaUriKind } from '../render/media.ts';
import { resolveUri } from '../render/url.ts';
import { applySessionAds, type SessionAds } from './ads.ts';
import { applySessionBlackout, type SessionBlackout } from './blackout.ts';
import type { RequestCheck } from './request.ts';

/** A source playlist as read from an origin. */
export interface SourcePlaylistText {
  /** Origin path it was read from, starting with `/` (relative URIs resolve against it). */
  path: string;
  /** The playlist text. */
  text: string;
}

/** A source playlist as the apps cache it: its text plus what serving it needs to know. */
export interface SessionSourcePlaylist extends SourcePlaylistText {
  /** Id of the origin that served it (segment URLs point at that origin unless a CDN is configured). */
  originId: string;
  /** True for a live media playlist (no EXT-X-ENDLIST, not PLAYLIST-TYPE:VOD) or a live master. */
  live: boolean;
  /** EXT-X-TARGETDURATION in seconds (media playlists only). */
  targetDurationSeconds: number | undefined;
}

/** EXT-X-TARGETDURATION, found without parsing the whole playlist. */
const TARGET_DURATION = /^#EXT-X-TARGETDURATION:\s*(\d+(?:\.\d+)?)/m;

/**
 * Describes playlist text read from an origin: live or VOD (a media playlist says so itself; a
 * master is live when it was read as a live channel's, `liveMaster`) and its target duration.
 * Undefined when the text is not an HLS playlist (callers answer 502).
 */
export function describeSourcePlaylist(
  path: string,
  text: string,
  originId: string,
  liveMaster: boolean,
): SessionSourcePlaylist | undefined {
  if (!/^(\uFEFF)?#EXTM3U/.test(text)) return undefined;
  const target = TARGET_DURATION.exec(text);
  const targetDurationSeconds = target ? Number(target[1]) : undefined;
  const live =
    targetDurationSeconds === undefined
      ? liveMaster
      : !/^#EXT-X-ENDLIST/m.test(text) && !/^#EXT-X-PLAYLIST-TYPE:\s*VOD/m.test(text);
  return { path, text, originId, live, targetDurationSeconds };
}

/** Where a session's URLs point. */
export interface SessionUrls {
  /** The signed session id (appended to every segment URL as `session=<id>`). */
  sessionToken: string;
  /** URL of this session's media playlist for a rendition id (`v0`, `r0`, `i0`). */
  mediaPlaylistUrl(renditionId: string): string;
  /** URL of this session's key endpoint for a key id. */
  keyUrl(keyId: string): string;
  /** URL of the content-steering manifest; undefined leaves steering out. */
  steeringUrl: string | undefined;
  /**
   * Absolute URL that origin paths are appended to (no trailing `/`): the CDN base when one is
   * configured, else the origin that served the playlist. `''` leaves origin paths host-relative.
   */
  segmentBaseUrl: string;
}

/** One content-steering pathway of a session master (a CDN or a zone serving the same session URLs). */
export interface SessionPathway {
  /** PATHWAY-ID (`[A-Za-z0-9._-]`). */
  id: string;
  /** URL of this session's media playlist for a rendition id, served through this pathway. */
  mediaPlaylistUrl(renditionId: string): string;
}

/** Stands for the origin while resolving: origin paths resolve as URLs under it and become paths again. */
const ORIGIN_BASE = 'http://origin.invalid';
/** The URI kinds a session rewrites; rendition reports and interstitial assets are left as the origin wrote them. */
const SESSION_URI_KINDS: readonly MediaUriKind[] = ['segment', 'map', 'part', 'preloadHint'];

/** Parsed models by source object: a cached source playlist is parsed once, then only copied per viewer. */
const parsedMasters = new WeakMap<SourcePlaylistText, MasterPlaylist>();
const parsedMedia = new WeakMap<SourcePlaylistText, MediaPlaylist>();
const renditionMaps = new WeakMap<SourcePlaylistText, ReadonlyMap<string, string>>();

/** The parsed model of a source master (memoised per source object; throws ManifestError for a bad playlist). */
export function masterModelOf(source: SourcePlaylistText): MasterPlaylist {
  let parsed = parsedMasters.get(source);
  if (!parsed) {
    parsed = parseMasterPlaylist(source.text).playlist;
    parsedMasters.set(source, parsed);
  }
  return parsed;
}

/** The parsed model of a source media playlist (memoised per source object; throws ManifestError for a bad playlist). */
export function mediaModelOf(source: SourcePlaylistText): MediaPlaylist {
  let parsed = parsedMedia.get(source);
  if (!parsed) {
    parsed = parseMediaPlaylist(source.text).playlist;
    parsedMedia.set(source, parsed);
  }
  return parsed;
}

/**
 * Resolves a playlist URI against the origin path of the playlist that contains it (RFC 3986
 * §5.2 on strings: queries are kept byte for byte). Origin-relative results stay paths
 * (`/vod/a1/240p/index.m3u8`); URIs naming another host come back absolute, so callers that
 * fetch only origin paths can refuse them. Percent-encoded dots count as dots, as in WHATWG URL,
 * so `%2e%2e/` cannot climb past a check that only looks for `..`.
 * @example
 * resolveOriginPath('../720p/seg0.ts', '/vod/a1/240p/index.m3u8') // → '/vod/a1/720p/seg0.ts'
 */
export function resolveOriginPath(uri: string, basePath: string): string {
  let cut = uri.search(/[?#]/);
  if (cut < 0) cut = uri.length;
  const path = uri.slice(0, cut);
  const plain = /%2e/i.test(path) ? path.replace(/%2e/gi, '.') + uri.slice(cut) : uri;
  const resolved = resolveUri(plain, `${ORIGIN_BASE}${basePath.startsWith('/') ? '' : '/'}${basePath}`);
  return resolved.startsWith(`${ORIGIN_BASE}/`) ? resolved.slice(ORIGIN_BASE.length) : resolved;
}

/** The key id of a source key URI: its last path segment without extension (`keys/k1.key` → `k1`), percent-decoded. */
export function keyIdFromUri(uri: string): string {
  const path = uri.split(/[?#]/)[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1).replace(/\.[A-Za-z0-9]+$/, '');
  try {
    return decodeURIComponent(last);
  } catch {
    // A malformed escape is kept as written: the key endpoint's id check refuses it.
    return last;
  }
}

/** Rewrites an AES-128 key to the session key endpoint; other keys (SAMPLE-AES with `skd:` or `data:` URIs, NONE) are kept. */
export function rewriteSessionKey<K extends Key>(key: K, urls: Pick<SessionUrls, 'keyUrl'>): K {
  return key.method === 'AES-128' && key.uri !== undefined ? { ...key, uri: urls.keyUrl(keyIdFromUri(key.uri)) } : key;
}

/**
 * Rendition ids of a source master, each mapped to its URI as written: `v<n>` variants, `r<n>`
 * EXT-X-MEDIA with a URI, `i<n>` I-frame streams (memoised per source object).
 */
export function listSessionRenditions(source: SourcePlaylistText): ReadonlyMap<string, string> {
  const cached = renditionMaps.get(source);
  if (cached) return cached;
  const m = masterModelOf(source);
  const map = new Map<string, string>();
  m.variants.forEach((v, i) => map.set(`v${i}`, v.uri));
  m.renditions.filter((r) => r.uri !== undefined).forEach((r, i) => map.set(`r${i}`, r.uri ?? ''));
  m.iFrameVariants.forEach((v, i) => map.set(`i${i}`, v.uri));
  renditionMaps.set(source, map);
  return map;
}

/**
 * The origin path of a session's media playlist: NOT_FOUND for a rendition id the master does not
 * have, BAD_ORIGIN_RESPONSE when the master points at another host (following it would let an
 * origin's master make the server fetch arbitrary URLs).
 */
export function sessionMediaPath(master: SourcePlaylistText, renditionId: string): RequestCheck<string> {
  const uri = listSessionRenditions(master).get(renditionId);
  if (uri === undefined) return { ok: false, problem: 'NOT_FOUND', message: `no rendition ${renditionId}` };
  const path = resolveOriginPath(uri, master.path);
  return path.startsWith('/')
    ? { ok: true, value: path }
    : { ok: false, problem: 'BAD_ORIGIN_RESPONSE', message: 'master points outside the origin' };
}

/**
 * The session's master. With steering (`urls.steeringUrl`) and pathways, every variant, I-frame
 * stream and rendition group is written once per pathway with PATHWAY-ID and its own group ids
 * (hls.js clones groups the same way, so audio and subtitles follow the pathway), closed-caption
 * groups once, and EXT-X-CONTENT-STEERING names the first pathway (HLS bis §4.4.6.6, Content
 * Steering 1.2). Without pathways the variants point at the first pathway (else
 * `urls.mediaPlaylistUrl`) and steering, if any, names no pathway. Unknown tags are kept.
 * @example
 * renderSessionMaster(source, urls, [{ id: 'edge', mediaPlaylistUrl: (r) => `${edge}/v1/sessions/${sid}/${r}.m3u8` }]);
 */
export function renderSessionMaster(
  source: SourcePlaylistText,
  urls: SessionUrls,
  pathways: readonly SessionPathway[] = [],
): string {
  const m = masterModelOf(source);
  const first = pathways[0];
  if (!first || !urls.steeringUrl || pathways.length === 0)
    return renderSinglePathwayMaster(m, urls, first?.mediaPlaylistUrl ?? urls.mediaPlaylistUrl);
  const group = (id: string | undefined, p: SessionPathway): string | undefined =>
    id === undefined ? undefined : `${id}-${p.id}`;
  const renditions: Rendition[] = [];
  // Closed captions travel inside the video: their groups are shared, written once.
  for (const r of m.renditions) if (r.type === 'CLOSED-CAPTIONS') renditions.push(r);
  const out: MasterPlaylist = {
    ...m,
    renditions,
    variants: [],
    iFrameVariants: [],
    contentSteering: { serverUri: urls.steeringUrl, pathwayId: first.id },
  };
  for (const p of pathways) {
    let r = 0;
    for (const rendition of m.renditions) {
      if (rendition.type === 'CLOSED-CAPTIONS') continue;
      const copy: Rendition = { ...rendition, groupId: `${rendition.groupId}-${p.id}` };
      if (rendition.uri !== undefined) copy.uri = p.mediaPlaylistUrl(`r${r++}`);
      renditions.push(copy);
    }
    m.variants.forEach((v, i) => {
      const copy = { ...v, uri: p.mediaPlaylistUrl(`v${i}`), pathwayId: p.id };
      const audio = group(v.audio, p);
      const video = group(v.video, p);
      const subtitles = group(v.subtitles, p);
      if (audio !== undefined) copy.audio = audio;
      if (video !== undefined) copy.video = video;
      if (subtitles !== undefined) copy.subtitles = subtitles;
      out.variants.push(copy);
    });
    m.iFrameVariants.forEach((v, i) => {
      const copy = { ...v, uri: p.mediaPlaylistUrl(`i${i}`), pathwayId: p.id };
      const video = group(v.video, p);
      if (video !== undefined) copy.video = video;
      out.iFrameVariants.push(copy);
    });
  }
  if (m.sessionKeys) out.sessionKeys = m.sessionKeys.map((k) => rewriteSessionKey(k, urls));
  return serializePlaylist(out);
}

function renderSinglePathwayMaster(
  m: MasterPlaylist,
  urls: SessionUrls,
  mediaPlaylistUrl: (renditionId: string) => string,
): string {
  let r = 0;
  const out: MasterPlaylist = {
    ...m,
    variants: m.variants.map((v, i) => ({ ...v, uri: mediaPlaylistUrl(`v${i}`) })),
    renditions: m.renditions.map((rendition) =>
      rendition.uri === undefined ? rendition : { ...rendition, uri: mediaPlaylistUrl(`r${r++}`) },
    ),
    iFrameVariants: m.iFrameVariants.map((v, i) => ({ ...v, uri: mediaPlaylistUrl(`i${i}`) })),
  };
  if (m.sessionKeys) out.sessionKeys = m.sessionKeys.map((k) => rewriteSessionKey(k, urls));
  if (urls.steeringUrl) out.contentSteering = { serverUri: urls.steeringUrl };
  else delete out.contentSteering;
  return serializePlaylist(out);
}

/** URIs of the AES-128 keys of a playlist (only those go to the session key endpoint). */
function aes128KeyUris(m: MediaPlaylist): Set<string> {
  const uris = new Set<string>();
  const add = (keys: readonly Key[] | undefined): void => {
    for (const k of keys ?? []) if (k.method === 'AES-128' && k.uri !== undefined) uris.add(k.uri);
  };
  for (const s of m.segments) add(s.keys);
  add(m.tail?.keys);
  return uris;
}

/**
 * Personalises a parsed media playlist for a session (the model step of {@link renderSessionMedia}):
 * segment, map, part and preload-hint URIs become absolute (origin paths under
 * `urls.segmentBaseUrl`, other hosts kept) with `session=<id>` appended without re-encoding
 * their queries; AES-128 key URIs become the session key endpoint. The input is not modified.
 */
export function personalizeMediaPlaylist(m: MediaPlaylist, sourcePath: string, urls: SessionUrls): MediaPlaylist {
  const aesKeys = aes128KeyUris(m);
  return rewriteMediaUris(m, {
    baseUrl: `${ORIGIN_BASE}${sourcePath.startsWith('/') ? '' : '/'}${sourcePath}`,
    originPrefix: ORIGIN_BASE,
    cdnPrefix: urls.segmentBaseUrl,
    // A pre-formatted string is appended verbatim: tokens are base64url, and templates put a placeholder here.
    query: `session=${urls.sessionToken}`,
    queryKinds: SESSION_URI_KINDS,
    resolveKinds: SESSION_URI_KINDS,
    mapUri: (uri, kind) => (kind === 'key' && aesKeys.has(uri) ? urls.keyUrl(keyIdFromUri(uri)) : uri),
  });
}

/**
 * The session's media playlist for one rendition: a pure function of the source, the session's
 * URLs (see {@link personalizeMediaPlaylist}) and, optionally, the session's ads — stitched or
 * as HLS Interstitials by the session's mode (see applySessionAds) — and the viewer's blackouts
 * (VOD: slate or alternate content over blacked-out media time, composed with the ads; see
 * applySessionBlackout). Unknown tags are kept in place.
 * @example
 * const text = renderSessionMedia({ path: '/vod/a1/240p/index.m3u8', text }, urls);
 * const withAds = renderSessionMedia(source, urls, { mode: 'stitched', decisions, pods, rendition: { bandwidthBps: 3e6 } });
 * const blackedOut = renderSessionMedia(source, urls, undefined, { rules, viewer: { country: 'US' }, fillers: [slate], rendition });
 */
export function renderSessionMedia(
  source: SourcePlaylistText,
  urls: SessionUrls,
  ads?: SessionAds,
  blackout?: SessionBlackout,
): string {
  const personalized = personalizeMediaPlaylist(mediaModelOf(source), source.path, urls);
  if (blackout !== undefined) return serializePlaylist(applySessionBlackout(personalized, blackout, ads));
  return serializePlaylist(ads === undefined ? personalized : applySessionAds(personalized, ads));
}
