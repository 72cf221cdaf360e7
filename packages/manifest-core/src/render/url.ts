/**
 * @module URI helpers for rewriting playlists: RFC 3986 reference resolution and query appends
 * done on strings, so signed query strings (CloudFront, Akamai) survive byte for byte.
 */
import { ManifestError } from '../errors.ts';

/**
 * Query parameters to append: a record (keys and values are percent-encoded with
 * encodeURIComponent) or a string that is already encoded (`a=1&b=2`) and is appended verbatim.
 */
export type QueryParams = Readonly<Record<string, string | number>> | string;

/** Matches a URI scheme (RFC 3986 §3.1); only applied to short prefixes, so it cannot backtrack. */
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** True when `uri` starts with a scheme (`https:`, `data:`, `skd:`), i.e. is not a relative reference. */
export function isAbsoluteUri(uri: string): boolean {
  return SCHEME.test(uri.slice(0, 64));
}

/** True for URIs that carry their content or name a key system rather than a location (`data:`, `skd:`): never rewritten. */
export function isOpaqueUri(uri: string): boolean {
  const lower = uri.slice(0, 5).toLowerCase();
  return lower === 'data:' || lower.startsWith('skd:');
}

interface BaseParts {
  /** `https:` */
  scheme: string;
  /** `//host:port`, possibly empty. */
  authority: string;
  path: string;
  /** `?…` or empty. */
  query: string;
}

function splitBase(baseUrl: string): BaseParts {
  const scheme = SCHEME.exec(baseUrl.slice(0, 64))?.[0];
  if (scheme === undefined || !baseUrl.startsWith('//', scheme.length)) {
    throw new ManifestError(
      'INVALID_OPTIONS',
      `base URL ${JSON.stringify(baseUrl)} must be absolute (scheme://host/…)`,
    );
  }
  let rest = baseUrl.slice(scheme.length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const query = q >= 0 ? rest.slice(q) : '';
  if (q >= 0) rest = rest.slice(0, q);
  const slash = rest.indexOf('/', 2);
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash) : '';
  return { scheme, authority, path, query };
}

/** RFC 3986 §5.2.4 remove_dot_segments, on `/`-separated segments. */
function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '.' || s === '..') {
      // Never pop the leading empty segment of an absolute path.
      if (s === '..' && out.length > 1) out.pop();
      if (i === segments.length - 1) out.push('');
      continue;
    }
    out.push(s);
  }
  return out.join('/');
}

/** Needs RFC 3986 §5.2.4 dot-segment removal: a `.` or `..` segment somewhere in the path. */
function hasDotSegment(path: string): boolean {
  return path.startsWith('.') || path.includes('/.');
}

/**
 * Returns a resolver of URI references against one base URL (the base is split once; see
 * {@link resolveUri}). Throws ManifestError INVALID_OPTIONS when `baseUrl` is not `scheme://authority/…`.
 */
export function createUriResolver(baseUrl: string): (uri: string) => string {
  const base = splitBase(baseUrl);
  const prefix = base.scheme + base.authority;
  // RFC 3986 §5.2.3 merge: the base path up to its last '/', or '/' when the base has no path.
  const dir = base.path === '' ? '/' : base.path.slice(0, base.path.lastIndexOf('/') + 1);
  return (uri: string): string => {
    if (isAbsoluteUri(uri)) return uri;
    if (uri.startsWith('//')) return base.scheme + uri;
    let cut = uri.length;
    const q = uri.indexOf('?');
    const h = uri.indexOf('#');
    if (q >= 0) cut = q;
    if (h >= 0 && h < cut) cut = h;
    const refPath = uri.slice(0, cut);
    const refRest = uri.slice(cut);
    if (refPath === '') {
      // RFC 3986 §5.2.2: an empty path keeps the base path, and the base query unless the reference has one.
      return prefix + base.path + (refRest.startsWith('?') ? refRest : base.query + refRest);
    }
    const path = refPath.startsWith('/') ? refPath : dir + refPath;
    return prefix + (hasDotSegment(path) ? removeDotSegments(path) : path) + refRest;
  };
}

/**
 * Resolves a URI reference against an absolute base URL (RFC 3986 §5.2) with string operations
 * only: the reference's query and fragment are copied exactly as written (no percent-decoding or
 * re-encoding), absolute URIs are returned unchanged, and `..`/`.` path segments are removed.
 * Throws ManifestError INVALID_OPTIONS when `baseUrl` is not `scheme://authority/…`.
 * @example
 * resolveUri('seg-1.ts?sig=a%2Bb', 'https://origin.example/live/v1/index.m3u8')
 * // → 'https://origin.example/live/v1/seg-1.ts?sig=a%2Bb'
 */
export function resolveUri(uri: string, baseUrl: string): string {
  if (isAbsoluteUri(uri)) return uri;
  return createUriResolver(baseUrl)(uri);
}

/** The `scheme://authority` part of an absolute URL (string level); throws ManifestError INVALID_OPTIONS for a relative one. */
export function urlOrigin(url: string): string {
  const base = splitBase(url);
  return base.scheme + base.authority;
}

/** Formats query parameters as `k=v&k2=v2` (records are percent-encoded, strings kept as given). */
export function formatQuery(params: QueryParams): string {
  if (typeof params === 'string') return params.replace(/^[?&]+/, '');
  const parts: string[] = [];
  try {
    for (const [k, v] of Object.entries(params))
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  } catch (cause) {
    // encodeURIComponent throws URIError on lone surrogates.
    throw new ManifestError('INVALID_OPTIONS', 'query parameter is not well-formed Unicode', { cause });
  }
  return parts.join('&');
}

/**
 * Appends query parameters to a URI at string level: `?k=v` when it has no query, `&k=v` when it
 * has one, before any `#fragment`. The existing query is never parsed or re-serialized, so a
 * signed query (`Signature=a%2Bb~c`, `hdnts=exp=1~acl=%2F*~hmac=…`) survives byte for byte.
 * @example
 * appendQuery('https://cdn.example/a.ts?Policy=x%3D&Signature=y', { session: 's1' })
 * // → 'https://cdn.example/a.ts?Policy=x%3D&Signature=y&session=s1'
 */
export function appendQuery(uri: string, params: QueryParams): string {
  const query = formatQuery(params);
  if (query === '') return uri;
  const hash = uri.indexOf('#');
  const head = hash >= 0 ? uri.slice(0, hash) : uri;
  const fragment = hash >= 0 ? uri.slice(hash) : '';
  const q = head.indexOf('?');
  const joiner = q < 0 ? '?' : head.endsWith('?') || head.endsWith('&') ? '' : '&';
  return head + joiner + query + fragment;
}

/**
 * Replaces a leading `fromPrefix` of `url` with `toPrefix` (string level; everything after the
 * prefix is kept as written). URLs that do not start with `fromPrefix` at a path-segment boundary
 * are returned unchanged.
 */
export function replaceUrlPrefix(url: string, fromPrefix: string, toPrefix: string): string {
  if (fromPrefix === '' || !url.startsWith(fromPrefix)) return url;
  const rest = url.slice(fromPrefix.length);
  // Match whole path segments only: `https://o.example` is not a prefix of `https://o.example.evil/…`.
  if (!fromPrefix.endsWith('/') && rest !== '' && !'/?#'.includes(rest[0]!)) return url;
  if (toPrefix.endsWith('/') && rest.startsWith('/')) return toPrefix + rest.slice(1);
  if (!toPrefix.endsWith('/') && !rest.startsWith('/') && rest !== '' && fromPrefix.endsWith('/'))
    return `${toPrefix}/${rest}`;
  return toPrefix + rest;
}

/** Joins a base URL and a relative path with exactly one `/` between them (no resolution, no re-encoding). */
export function joinUrl(baseUrl: string, path: string): string {
  if (isAbsoluteUri(path) || baseUrl === '') return path;
  const a = baseUrl.endsWith('/') ? baseUrl.slice(0, -1) : baseUrl;
  const b = path.startsWith('/') ? path.slice(1) : path;
  return `${a}/${b}`;
}
