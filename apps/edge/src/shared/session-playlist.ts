/**
 * @module SHARED — renders a session's playlists from source playlists: the one pure function
 * both apps need so that the edge and any zone answer the same bytes for the same session. On
 * manifest-core's lossless parser and serializer it personalises URLs only (variants → session
 * media playlists, segments/maps/parts/preload hints → absolute origin or CDN URLs with the
 * session appended, AES-128 keys → the session key endpoint), exactly as regional-origin's
 * `render/manifest-core-renderer.ts` does today. Candidate to move into manifest-core's render
 * module so that regional-origin imports it instead of keeping its copy.
 */
import { parseMasterPlaylist, parseMediaPlaylist, serializePlaylist, type Key, type MasterPlaylist, type MediaPlaylist } from '@meridian/manifest-core';

/** A source playlist as read from an origin. */
export interface SourcePlaylistText {
  /** Origin path it was read from (relative URIs resolve against it). */
  path: string;
  /** The playlist text. */
  text: string;
}

/** Where a session's URLs point. */
export interface SessionUrls {
  /** The signed session id (appended to every segment URL). */
  sessionToken: string;
  /** URL of this session's media playlist for a rendition id. */
  mediaPlaylistUrl(renditionId: string): string;
  /** URL of this session's key endpoint for a key id. */
  keyUrl(keyId: string): string;
  /** URL of the content-steering manifest; undefined leaves steering out. */
  steeringUrl: string | undefined;
  /** Absolute URL for an origin path (the CDN when configured, else the origin that served it). */
  segmentUrl(originPath: string): string;
}

/** Parsed models by source object: a cached source playlist is parsed once, then only copied per viewer. */
const parsedMasters = new WeakMap<SourcePlaylistText, MasterPlaylist>();
const parsedMedia = new WeakMap<SourcePlaylistText, MediaPlaylist>();

/** The parsed model of a source master (memoised per source object). */
export function masterModelOf(source: SourcePlaylistText): MasterPlaylist {
  let parsed = parsedMasters.get(source);
  if (!parsed) {
    parsed = parseMasterPlaylist(source.text).playlist;
    parsedMasters.set(source, parsed);
  }
  return parsed;
}

/** The parsed model of a source media playlist (memoised per source object). */
export function mediaModelOf(source: SourcePlaylistText): MediaPlaylist {
  let parsed = parsedMedia.get(source);
  if (!parsed) {
    parsed = parseMediaPlaylist(source.text).playlist;
    parsedMedia.set(source, parsed);
  }
  return parsed;
}

/** A relative URI that is one plain path segment (no scheme, slash, dot segment, query or escape). */
const SIMPLE_NAME = /^[A-Za-z0-9_~-][A-Za-z0-9_.~-]*$/;
/** An absolute origin path URL resolution would leave as it is. */
const CLEAN_PATH = /^\/[A-Za-z0-9_.~/-]*$/;

/** Resolves a playlist URI against the origin path of the playlist that contains it (origin paths stay paths). */
export function resolveOriginPath(uri: string, basePath: string): string {
  // Fast path for the common case (`seg12.ts` beside a clean path): the same answer as URL resolution without parsing a URL per segment.
  if (SIMPLE_NAME.test(uri) && CLEAN_PATH.test(basePath) && !basePath.includes('/.') && !basePath.includes('//')) {
    return `${basePath.slice(0, basePath.lastIndexOf('/') + 1)}${uri}`;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) return uri;
  const resolved = new URL(uri, `http://origin.invalid${basePath}`);
  return resolved.host === 'origin.invalid' ? `${resolved.pathname}${resolved.search}` : resolved.href;
}

/** The key id of a source key URI: its last path segment without extension (`keys/k1.key` → `k1`). */
export function keyIdFromUri(uri: string): string {
  const path = uri.split(/[?#]/)[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last.replace(/\.[A-Za-z0-9]+$/, ''));
  } catch {
    return last;
  }
}

/** Appends `session=<token>` to a URL, never re-encoding its query (a signed query string must stay byte-identical). */
export function withSession(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}session=${token}`;
}

/** Rewrites an AES-128 key to the session key endpoint; other keys are kept. */
export function rewriteSessionKey<K extends Key>(key: K, urls: Pick<SessionUrls, 'keyUrl'>): K {
  return key.method === 'AES-128' && key.uri !== undefined ? { ...key, uri: urls.keyUrl(keyIdFromUri(key.uri)) } : key;
}

/** Rendition ids of a source master (`v<n>` variants, `r<n>` EXT-X-MEDIA with a URI, `i<n>` I-frame streams), each mapped to its URI. */
export function listSessionRenditions(source: SourcePlaylistText): Map<string, string> {
  const m = masterModelOf(source);
  const map = new Map<string, string>();
  m.variants.forEach((v, i) => map.set(`v${i}`, v.uri));
  m.renditions.filter((r) => r.uri !== undefined).forEach((r, i) => map.set(`r${i}`, r.uri ?? ''));
  m.iFrameVariants.forEach((v, i) => map.set(`i${i}`, v.uri));
  return map;
}

/** The session's master with one pathway: variants point at the session's media playlist URLs. */
export function renderSessionMaster(source: SourcePlaylistText, urls: SessionUrls): string {
  const m = masterModelOf(source);
  let r = 0;
  const out: MasterPlaylist = {
    ...m,
    variants: m.variants.map((v, i) => ({ ...v, uri: urls.mediaPlaylistUrl(`v${i}`) })),
    renditions: m.renditions.map((rendition) => (rendition.uri === undefined ? rendition : { ...rendition, uri: urls.mediaPlaylistUrl(`r${r++}`) })),
    iFrameVariants: m.iFrameVariants.map((v, i) => ({ ...v, uri: urls.mediaPlaylistUrl(`i${i}`) })),
  };
  if (m.sessionKeys) out.sessionKeys = m.sessionKeys.map((k) => rewriteSessionKey(k, urls));
  if (urls.steeringUrl) out.contentSteering = { serverUri: urls.steeringUrl };
  else delete out.contentSteering;
  return serializePlaylist(out);
}

/** The session's media playlist for one rendition: a pure function of the source and the session's URLs. */
export function renderSessionMedia(source: SourcePlaylistText, urls: SessionUrls): string {
  const m = mediaModelOf(source);
  const url = (uri: string): string => {
    const resolved = resolveOriginPath(uri, source.path);
    return withSession(resolved.startsWith('/') ? urls.segmentUrl(resolved) : resolved, urls.sessionToken);
  };
  const out: MediaPlaylist = {
    ...m,
    segments: m.segments.map((s) => {
      const copy = { ...s, uri: url(s.uri) };
      if (s.keys) copy.keys = s.keys.map((k) => rewriteSessionKey(k, urls));
      if (s.map) copy.map = { ...s.map, uri: url(s.map.uri) };
      if (s.parts) copy.parts = s.parts.map((p) => ({ ...p, uri: url(p.uri) }));
      return copy;
    }),
  };
  if (m.tail?.keys || m.tail?.map || m.tail?.parts) {
    const tail = { ...m.tail };
    if (tail.keys) tail.keys = tail.keys.map((k) => rewriteSessionKey(k, urls));
    if (tail.map) tail.map = { ...tail.map, uri: url(tail.map.uri) };
    if (tail.parts) tail.parts = tail.parts.map((p) => ({ ...p, uri: url(p.uri) }));
    out.tail = tail;
  }
  if (m.preloadHints) out.preloadHints = m.preloadHints.map((h) => ({ ...h, uri: url(h.uri) }));
  return serializePlaylist(out);
}
