/**
 * @module Per-source render templates: a session's media playlist differs from another
 * session's of the same source only by the session id, so the shared renderer runs once per
 * source playlist and URL base with a placeholder id, and each request joins the pieces with its
 * own id. Same bytes as rendering directly (the parity tests compare with a zone), at a fraction
 * of the CPU: what keeps a rendered playlist well under a millisecond in a Worker.
 */
import { renderSessionMedia, type SessionUrls, type SourcePlaylistText } from './shared/session-playlist.ts';

/** Stands for the session id while rendering a template; control characters never occur in a playlist the parser accepts as URIs. */
const PLACEHOLDER = '\u0001meridian-session\u0001';
/** Templates kept per source playlist (one per URL base and serving origin, normally one or two). */
const MAX_TEMPLATES_PER_SOURCE = 8;

/** Renders a session's media playlist through templates. */
export type TemplatedMediaRenderer = (source: SourcePlaylistText, token: string, urlsFor: (token: string) => SessionUrls, templateKey: string) => string;

/**
 * Creates a renderer whose templates live as long as the source playlist object (a WeakMap:
 * when the source cache drops a playlist, its templates go with it).
 * @example
 * const render = createTemplatedMediaRenderer();
 * const text = render(source, token, (t) => urlsFor(base, t), base);
 */
export function createTemplatedMediaRenderer(): TemplatedMediaRenderer {
  const templates = new WeakMap<SourcePlaylistText, Map<string, string[]>>();
  return (source, token, urlsFor, templateKey) => {
    // A token that could collide with the placeholder, or a source that contains it, is rendered directly.
    if (source.text.includes('\u0001') || token.includes('\u0001')) return renderSessionMedia(source, urlsFor(token));
    let bySource = templates.get(source);
    if (!bySource) templates.set(source, (bySource = new Map()));
    let parts = bySource.get(templateKey);
    if (!parts) {
      parts = renderSessionMedia(source, urlsFor(PLACEHOLDER)).split(PLACEHOLDER);
      if (bySource.size >= MAX_TEMPLATES_PER_SOURCE) bySource.clear();
      bySource.set(templateKey, parts);
    }
    return parts.join(token);
  };
}
