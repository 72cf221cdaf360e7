/** @module URL helpers for rendering: origin-path resolution, key ids from key URIs, appending the session token. */

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
