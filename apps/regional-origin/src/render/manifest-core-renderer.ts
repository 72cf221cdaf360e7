/**
 * @module The PlaylistRenderer on manifest-core's parser and serializer (lossless: unknown tags
 * survive in place). Until manifest-core's render/SSAI modules are wired here it personalises
 * URLs only: variants → session media playlists, segments/maps/parts → absolute origin or CDN
 * URLs with the session appended, AES-128 keys → the session key endpoint. Ad breaks are served
 * as JSON (tracking, X-ASSET-LIST) and are not yet stitched into the media playlists.
 */
import { parseMasterPlaylist, parseMediaPlaylist, serializePlaylist, type Key, type MasterPlaylist, type MediaPlaylist } from '@meridian/manifest-core';
import type { SourcePlaylist } from '../catalog.ts';
import type { PlaylistRenderer, RenderContext } from './playlist-renderer.ts';
import { keyIdFromUri, resolveOriginPath, withSession } from './playlist-urls.ts';

/** Parsed models by source object: a cached source playlist is parsed once, then only copied per viewer. */
const parsedMasters = new WeakMap<SourcePlaylist, MasterPlaylist>();
const parsedMedia = new WeakMap<SourcePlaylist, MediaPlaylist>();

function master(source: SourcePlaylist): MasterPlaylist {
  let parsed = parsedMasters.get(source);
  if (!parsed) {
    parsed = parseMasterPlaylist(source.text).playlist;
    parsedMasters.set(source, parsed);
  }
  return parsed;
}

function media(source: SourcePlaylist): MediaPlaylist {
  let parsed = parsedMedia.get(source);
  if (!parsed) {
    parsed = parseMediaPlaylist(source.text).playlist;
    parsedMedia.set(source, parsed);
  }
  return parsed;
}

function rewriteKey(key: Key, context: RenderContext): Key {
  return key.method === 'AES-128' && key.uri !== undefined ? { ...key, uri: context.keyUrl(keyIdFromUri(key.uri)) } : key;
}

/** Creates the renderer. */
export function createManifestCoreRenderer(): PlaylistRenderer {
  return {
    listRenditions(source) {
      const m = master(source);
      const map = new Map<string, string>();
      m.variants.forEach((v, i) => map.set(`v${i}`, v.uri));
      m.renditions.filter((r) => r.uri !== undefined).forEach((r, i) => map.set(`r${i}`, r.uri ?? ''));
      m.iFrameVariants.forEach((v, i) => map.set(`i${i}`, v.uri));
      return map;
    },

    renderMaster(source, context) {
      const m = master(source);
      let r = 0;
      const out: MasterPlaylist = {
        ...m,
        variants: m.variants.map((v, i) => ({ ...v, uri: context.mediaPlaylistUrl(`v${i}`) })),
        renditions: m.renditions.map((rendition) => (rendition.uri === undefined ? rendition : { ...rendition, uri: context.mediaPlaylistUrl(`r${r++}`) })),
        iFrameVariants: m.iFrameVariants.map((v, i) => ({ ...v, uri: context.mediaPlaylistUrl(`i${i}`) })),
      };
      if (m.sessionKeys) out.sessionKeys = m.sessionKeys.map((k) => rewriteKey(k, context));
      if (context.steeringUrl) out.contentSteering = { serverUri: context.steeringUrl };
      else delete out.contentSteering;
      return serializePlaylist(out);
    },

    renderMedia(source, context) {
      const m = media(source);
      const url = (uri: string): string => {
        const resolved = resolveOriginPath(uri, source.path);
        return withSession(resolved.startsWith('/') ? context.segmentUrl(resolved) : resolved, context.sessionToken);
      };
      const out: MediaPlaylist = {
        ...m,
        segments: m.segments.map((s) => {
          const copy = { ...s, uri: url(s.uri) };
          if (s.keys) copy.keys = s.keys.map((k) => rewriteKey(k, context));
          if (s.map) copy.map = { ...s.map, uri: url(s.map.uri) };
          if (s.parts) copy.parts = s.parts.map((p) => ({ ...p, uri: url(p.uri) }));
          return copy;
        }),
      };
      if (m.tail?.keys || m.tail?.map || m.tail?.parts) {
        const tail = { ...m.tail };
        if (tail.keys) tail.keys = tail.keys.map((k) => rewriteKey(k, context));
        if (tail.map) tail.map = { ...tail.map, uri: url(tail.map.uri) };
        if (tail.parts) tail.parts = tail.parts.map((p) => ({ ...p, uri: url(p.uri) }));
        out.tail = tail;
      }
      if (m.preloadHints) out.preloadHints = m.preloadHints.map((h) => ({ ...h, uri: url(h.uri) }));
      return serializePlaylist(out);
    },
  };
}
