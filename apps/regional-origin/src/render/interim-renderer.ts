/**
 * @module INTERIM PlaylistRenderer — replace with manifest-core's render/ssai modules once they
 * are exported. It does no modelling: it walks lines and rewrites URIs only (master variants to
 * session URLs, segment/map URIs to absolute origin/CDN URLs with the session appended, AES-128
 * key URIs to the session key endpoint). Unknown tags pass through untouched, in order.
 */
import type { SourcePlaylist } from '../catalog.ts';
import type { PlaylistRenderer } from './playlist-renderer.ts';

const URI_ATTRIBUTE = /URI="([^"]*)"/;

/** Resolves a playlist URI against the origin path of the playlist that contains it (origin paths stay paths). */
export function resolveOriginPath(uri: string, basePath: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) return uri;
  const resolved = new URL(uri, `http://origin.invalid${basePath}`);
  return resolved.host === 'origin.invalid' ? `${resolved.pathname}${resolved.search}` : resolved.href;
}

/** The key id of a source key URI: its last path segment without extension (`keys/k1.key` → `k1`). */
export function keyIdFromUri(uri: string): string {
  const path = uri.split(/[?#]/)[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return decodeURIComponent(last.replace(/\.[A-Za-z0-9]+$/, ''));
}

function withSession(url: string, token: string): string {
  // Appended, never re-encoded: a signed query string must stay byte-identical.
  return `${url}${url.includes('?') ? '&' : '?'}session=${token}`;
}

function* renditionsOf(master: SourcePlaylist): Generator<{ id: string; uri: string; line: number; inTag: boolean }> {
  const lines = master.text.split(/\r?\n/);
  let variants = 0;
  let media = 0;
  let iframes = 0;
  let pendingVariant = false;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('#EXT-X-STREAM-INF')) pendingVariant = true;
    else if (line.startsWith('#EXT-X-MEDIA:') || line.startsWith('#EXT-X-I-FRAME-STREAM-INF')) {
      const uri = URI_ATTRIBUTE.exec(line)?.[1];
      if (uri !== undefined) {
        const id = line.startsWith('#EXT-X-MEDIA:') ? `r${media++}` : `i${iframes++}`;
        yield { id, uri, line: i, inTag: true };
      }
    } else if (pendingVariant && line !== '' && !line.startsWith('#')) {
      pendingVariant = false;
      yield { id: `v${variants++}`, uri: line, line: i, inTag: false };
    }
  }
}

/** Creates the interim line-rewriting renderer. */
export function createInterimRenderer(): PlaylistRenderer {
  return {
    listRenditions(master) {
      const map = new Map<string, string>();
      for (const r of renditionsOf(master)) map.set(r.id, r.uri);
      return map;
    },

    renderMaster(master, context) {
      const lines = master.text.split(/\r?\n/);
      for (const r of renditionsOf(master)) {
        const url = context.mediaPlaylistUrl(r.id);
        const line = lines[r.line] ?? '';
        lines[r.line] = r.inTag ? line.replace(URI_ATTRIBUTE, `URI="${url}"`) : url;
      }
      const out: string[] = [];
      for (const raw of lines) {
        const line = raw.trim();
        if (line.startsWith('#EXT-X-CONTENT-STEERING')) continue;
        if (line.startsWith('#EXT-X-SESSION-KEY') && /METHOD=AES-128/.test(line)) {
          const uri = URI_ATTRIBUTE.exec(line)?.[1];
          out.push(uri === undefined ? raw : raw.replace(URI_ATTRIBUTE, `URI="${context.keyUrl(keyIdFromUri(uri))}"`));
          continue;
        }
        out.push(raw);
        if (line.startsWith('#EXTM3U') && context.steeringUrl) {
          out.push(`#EXT-X-CONTENT-STEERING:SERVER-URI="${context.steeringUrl}"`);
        }
      }
      return out.join('\n');
    },

    renderMedia(media, context) {
      const rewrite = (uri: string): string => {
        const resolved = resolveOriginPath(uri, media.path);
        return withSession(resolved.startsWith('/') ? context.segmentUrl(resolved) : resolved, context.sessionToken);
      };
      const out: string[] = [];
      for (const raw of media.text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === '') {
          out.push(raw);
        } else if (!line.startsWith('#')) {
          out.push(rewrite(line));
        } else if (line.startsWith('#EXT-X-KEY') || line.startsWith('#EXT-X-SESSION-KEY')) {
          const uri = URI_ATTRIBUTE.exec(line)?.[1];
          if (uri !== undefined && /METHOD=AES-128/.test(line)) out.push(line.replace(URI_ATTRIBUTE, `URI="${context.keyUrl(keyIdFromUri(uri))}"`));
          else out.push(raw);
        } else if (line.startsWith('#EXT-X-MAP') || line.startsWith('#EXT-X-PART:') || line.startsWith('#EXT-X-PRELOAD-HINT')) {
          const uri = URI_ATTRIBUTE.exec(line)?.[1];
          out.push(uri === undefined ? raw : line.replace(URI_ATTRIBUTE, `URI="${rewrite(uri)}"`));
        } else {
          out.push(raw);
        }
      }
      return out.join('\n');
    },
  };
}
