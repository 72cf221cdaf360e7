/** @module Maps a caller's path or URL onto a configured origin, refusing anything that would reach another host or escape the base path (SSRF). */
import { OriginError } from './errors.ts';
import type { RequestClass, ResolvedOrigin } from './options.ts';

/** A request target: the path below every origin's base (with its query), ready to join to any origin. */
export interface RequestTarget {
  /** Path relative to the origin base, starting with `/`, plus `?query` when present. */
  path: string;
  /** When the caller passed an absolute URL: the origin it named. */
  pinnedOriginId?: string;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

// URL.origin is "null" for non-special schemes such as s3:, so compare scheme and host:port instead.
function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

function decodeSegment(segment: string): string {
  // Decode repeatedly so that %252e%252e is seen as `..` as well; malformed escapes are refused.
  let current = segment;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch (cause) {
      throw new OriginError('INVALID_PATH', {
        message: `malformed percent-encoding in path segment "${segment}"`,
        cause,
      });
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Throws INVALID_PATH when a relative path could climb out of an origin's base path. */
export function checkRelativePath(pathWithQuery: string): void {
  const pathOnly = pathWithQuery.split(/[?#]/, 1)[0] ?? '';
  if (!pathOnly.startsWith('/') || pathOnly.startsWith('//'))
    throw new OriginError('INVALID_PATH', { message: `path must start with a single "/": ${pathOnly}` });
  for (const segment of pathOnly.slice(1).split('/')) {
    const decoded = decodeSegment(segment);
    if (
      decoded === '..' ||
      decoded === '.' ||
      decoded.includes('/') ||
      decoded.includes('\\') ||
      segment.includes('\\') ||
      decoded.includes('\0')
    )
      throw new OriginError('INVALID_PATH', { message: `path segment "${segment}" is not allowed` });
  }
}

/**
 * Turns `input` into a target. A path is taken as is; an absolute URL must belong to a
 * configured origin (same scheme, host and port, below its base path) or
 * ORIGIN_NOT_CONFIGURED is thrown.
 */
export function resolveTarget(input: string | URL, origins: readonly ResolvedOrigin[]): RequestTarget {
  const text = typeof input === 'string' ? input : input.href;
  if (typeof input !== 'string' || SCHEME.test(text) || text.startsWith('//') || text.startsWith('\\')) {
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : input;
    } catch (cause) {
      throw new OriginError('ORIGIN_NOT_CONFIGURED', { message: `not a configured origin: ${text}`, cause });
    }
    const origin = origins.find((o) => sameOrigin(o.url, url) && url.pathname.startsWith(o.url.pathname));
    if (!origin)
      throw new OriginError('ORIGIN_NOT_CONFIGURED', {
        message: `URL ${url.protocol}//${url.host}${url.pathname} does not belong to a configured origin`,
      });
    const path = '/' + url.pathname.slice(origin.url.pathname.length) + url.search;
    checkRelativePath(path);
    return { path, pinnedOriginId: origin.id };
  }
  const path = text.startsWith('/') ? text : `/${text}`;
  checkRelativePath(path);
  return { path };
}

/** Joins a checked relative path to an origin, and re-checks that the result stays inside it. */
export function joinOrigin(origin: ResolvedOrigin, path: string): URL {
  const url = new URL(origin.url.href + path.slice(1).split('#', 1)[0]);
  if (!sameOrigin(url, origin.url) || !url.pathname.startsWith(origin.url.pathname))
    throw new OriginError('INVALID_PATH', { message: `path escapes origin ${origin.id}: ${path}` });
  return url;
}

/** Classifies a request by path: `.m3u8` is a playlist, anything else a segment (init, media, key). */
export function classifyPath(path: string): RequestClass {
  const pathOnly = path.split(/[?#]/, 1)[0] ?? '';
  return pathOnly.toLowerCase().endsWith('.m3u8') ? 'playlist' : 'segment';
}
