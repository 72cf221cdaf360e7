/**
 * @module Per-source media templates: without ads, a session's media playlist differs from
 * another session's of the same source only by the session id, so the playlist is rendered once
 * per source and URL base with a placeholder id, and each request joins the pieces with its own
 * id. Same bytes as {@link renderSessionMedia}, at a fraction of the CPU.
 */
import { renderSessionMedia, type SessionUrls, type SourcePlaylistText } from './playlist.ts';

/** Stands for the session id while rendering a template (a source or token that contains it is rendered directly, so it cannot collide). */
const PLACEHOLDER = '\u0001meridian-session\u0001';
/** Templates kept per source playlist (one per URL base and serving origin, normally one or two). */
const MAX_TEMPLATES_PER_SOURCE = 8;

/** Renders a session's media playlist through per-source templates. */
export interface SessionMediaRenderer {
  /**
   * The playlist text for `token`. `urlsFor` builds the session's URLs for any token (it is called
   * with a placeholder once per template); `templateKey` names everything else those URLs depend
   * on (URL base, serving origin), so one source can have several templates.
   */
  text(source: SourcePlaylistText, token: string, urlsFor: (token: string) => SessionUrls, templateKey: string): string;
  /** The same playlist as UTF-8 bytes, joined from pre-encoded parts (no per-request encoding). */
  bytes(
    source: SourcePlaylistText,
    token: string,
    urlsFor: (token: string) => SessionUrls,
    templateKey: string,
  ): Uint8Array;
}

interface Template {
  parts: string[];
  encoded?: Uint8Array[];
}

const encoder = new TextEncoder();

/** Options of {@link createSessionMediaRenderer}. */
export interface SessionMediaRendererOptions {
  /**
   * Allocates the output of `bytes` (every byte is written, so it may hold old data). Default
   * `new Uint8Array(size)`. A server can hand out reused buffers from a pool instead: a fresh
   * ~100 KB array per request is among the costliest parts of serving a playlist.
   */
  allocate?: (size: number) => Uint8Array;
}

/**
 * Creates a renderer whose templates live as long as the source playlist object (a WeakMap: when
 * the caller's source cache drops a playlist, its templates go with it).
 * @example
 * const media = createSessionMediaRenderer();
 * const text = media.text(source, token, (t) => urlsFor(base, t), base);
 */
export function createSessionMediaRenderer(options: SessionMediaRendererOptions = {}): SessionMediaRenderer {
  const allocate = options.allocate ?? ((size: number) => new Uint8Array(size));
  const templates = new WeakMap<SourcePlaylistText, Map<string, Template>>();
  const templateFor = (
    source: SourcePlaylistText,
    urlsFor: (token: string) => SessionUrls,
    templateKey: string,
  ): Template => {
    let bySource = templates.get(source);
    if (!bySource) templates.set(source, (bySource = new Map()));
    let template = bySource.get(templateKey);
    if (!template) {
      template = { parts: renderSessionMedia(source, urlsFor(PLACEHOLDER)).split(PLACEHOLDER) };
      if (bySource.size >= MAX_TEMPLATES_PER_SOURCE) bySource.clear();
      bySource.set(templateKey, template);
    }
    return template;
  };
  // A token that could collide with the placeholder, or a source that contains it, is rendered directly.
  const direct = (source: SourcePlaylistText, token: string): boolean =>
    source.text.includes('\u0001') || token.includes('\u0001');
  return {
    text(source, token, urlsFor, templateKey) {
      if (direct(source, token)) return renderSessionMedia(source, urlsFor(token));
      return templateFor(source, urlsFor, templateKey).parts.join(token);
    },
    bytes(source, token, urlsFor, templateKey) {
      if (direct(source, token)) return encoder.encode(renderSessionMedia(source, urlsFor(token)));
      const template = templateFor(source, urlsFor, templateKey);
      const parts = (template.encoded ??= template.parts.map((p) => encoder.encode(p)));
      const id = encoder.encode(token);
      let size = 0;
      for (const p of parts) size += p.length;
      const out = allocate(size + id.length * (parts.length - 1));
      let offset = 0;
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) {
          out.set(id, offset);
          offset += id.length;
        }
        const p = parts[i]!;
        out.set(p, offset);
        offset += p.length;
      }
      return out;
    },
  };
}
