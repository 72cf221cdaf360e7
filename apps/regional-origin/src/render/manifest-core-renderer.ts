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
const renditionMaps = new WeakMap<SourcePlaylist, Map<string, string>>();
/**
 * Rendered media playlists by source, split around the session token. Without SSAI the only
 * per-viewer part of a media playlist is the session token (segment and key URLs), so a source
 * is rendered once and each viewer's copy is a join — what makes per-viewer playlists cheap.
 */
const mediaTemplates = new WeakMap<SourcePlaylist, Uint8Array[]>();
const encoder = new TextEncoder();
/** Stands in for the session token while rendering a template; cannot occur in a token (base64url + '.'). */
const TOKEN_PLACEHOLDER = '\u0000session\u0000';

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
      const cached = renditionMaps.get(source);
      if (cached) return cached;
      const m = master(source);
      const map = new Map<string, string>();
      m.variants.forEach((v, i) => map.set(`v${i}`, v.uri));
      m.renditions.filter((r) => r.uri !== undefined).forEach((r, i) => map.set(`r${i}`, r.uri ?? ''));
      m.iFrameVariants.forEach((v, i) => map.set(`i${i}`, v.uri));
      renditionMaps.set(source, map);
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
      let template = mediaTemplates.get(source);
      if (!template) {
        const token = context.sessionToken;
        template = renderMediaText(source, {
          ...context,
          sessionToken: TOKEN_PLACEHOLDER,
          keyUrl: (keyId) => context.keyUrl(keyId).split(token).join(TOKEN_PLACEHOLDER),
        })
          .split(TOKEN_PLACEHOLDER)
          .map((part) => encoder.encode(part));
        mediaTemplates.set(source, template);
      }
      // Bytes, not a string: one copy of each pre-encoded part, no per-request UTF-8 encoding.
      const token = encoder.encode(context.sessionToken);
      const first = template[0] ?? new Uint8Array(0);
      let size = first.length;
      for (let i = 1; i < template.length; i++) size += token.length + (template[i]?.length ?? 0);
      const out = new Uint8Array(size);
      out.set(first, 0);
      let offset = first.length;
      for (let i = 1; i < template.length; i++) {
        out.set(token, offset);
        offset += token.length;
        const part = template[i] ?? new Uint8Array(0);
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    },
  };
}

/** Renders one media playlist for a context (templates are built with this). */
function renderMediaText(source: SourcePlaylist, context: RenderContext): string {
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
}
