/** @module Signed playback URLs: `exp`, `kid` and `sig` query parameters, HMAC-SHA256 over path + sorted query. */
import { ManifestError } from '../errors.ts';
import { bytesToBase64Url, base64UrlToBytes } from './base64url.ts';
import { assertKeyring, hmacSha256, secretFor, timingSafeEqual, type Keyring } from './keyring.ts';

/** Options for {@link signPlaybackUrl}. */
export interface SignPlaybackUrlOptions {
  /** Keyring whose active key signs. */
  keyring: Keyring;
  /** Expiry as Unix time in seconds. */
  expiresAtSeconds: number;
}

/** Options for {@link verifyPlaybackUrl}. */
export interface VerifyPlaybackUrlOptions {
  /** Keyring holding every key id still accepted. */
  keyring: Keyring;
  /** The current time in ms since the epoch (injected so tests and callers own the clock). */
  nowMs: number;
}

/** What a verified URL carried. */
export interface VerifiedPlaybackUrl {
  /** Key id that signed it. */
  kid: string;
  /** Expiry, Unix seconds. */
  expiresAtSeconds: number;
}

/** A placeholder base so that relative URLs (`/v1/…?x=1`) can be parsed; the host is never signed. */
const RELATIVE_BASE = 'http://relative.invalid';

function encodePair(key: string, value: string): string {
  return `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
}

/**
 * The canonical string a playback signature covers: the path, then every query
 * parameter except `sig`, sorted by name then value and re-encoded one way, so that
 * parameter order and equivalent encodings do not change the signature. The host is
 * left out on purpose: the same URL is valid at the edge, in any zone and via a CDN.
 */
export function canonicalPlaybackString(url: string): string {
  const parsed = new URL(url, RELATIVE_BASE);
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of parsed.searchParams) if (key !== 'sig') pairs.push([key, value]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return `${parsed.pathname}?${pairs.map(([k, v]) => encodePair(k, v)).join('&')}`;
}

/**
 * Signs a playback URL (absolute or path-only): appends `exp`, `kid` and `sig`
 * without re-encoding the query string it was given.
 * @example
 * const url = await signPlaybackUrl('/v1/vod/a1/master.m3u8?ads.gdpr=1', { keyring, expiresAtSeconds: now + 3600 });
 */
export async function signPlaybackUrl(url: string, options: SignPlaybackUrlOptions): Promise<string> {
  assertKeyring(options.keyring);
  if (!Number.isSafeInteger(options.expiresAtSeconds) || options.expiresAtSeconds <= 0) {
    throw new ManifestError('INVALID_OPTIONS', 'expiresAtSeconds must be a positive integer (Unix seconds)');
  }
  const parsed = new URL(url, RELATIVE_BASE);
  for (const reserved of ['exp', 'kid', 'sig']) {
    if (parsed.searchParams.has(reserved))
      throw new ManifestError('INVALID_OPTIONS', `URL already has a "${reserved}" parameter`);
  }
  const kid = options.keyring.activeKid;
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : url.slice(hashAt);
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  const unsigned = `${base}${separator}${encodePair('exp', String(options.expiresAtSeconds))}&${encodePair('kid', kid)}`;
  const sig = bytesToBase64Url(await hmacSha256(secretFor(options.keyring, kid), canonicalPlaybackString(unsigned)));
  return `${unsigned}&sig=${sig}${fragment}`;
}

/**
 * Verifies a signed playback URL; a missing, malformed, forged, altered, expired or
 * unknown-key signature throws a ManifestError with code INVALID_SIGNATURE.
 */
export async function verifyPlaybackUrl(url: string, options: VerifyPlaybackUrlOptions): Promise<VerifiedPlaybackUrl> {
  let parsed: URL;
  try {
    parsed = new URL(url, RELATIVE_BASE);
  } catch (cause) {
    throw new ManifestError('INVALID_SIGNATURE', 'URL cannot be parsed', { cause });
  }
  const params = parsed.searchParams;
  const sig = params.get('sig');
  const kid = params.get('kid');
  const exp = params.get('exp');
  if (sig === null || kid === null || exp === null)
    throw new ManifestError('INVALID_SIGNATURE', 'URL is not signed (exp, kid and sig are required)');
  if (params.getAll('sig').length > 1 || params.getAll('kid').length > 1 || params.getAll('exp').length > 1) {
    throw new ManifestError('INVALID_SIGNATURE', 'repeated signature parameters');
  }
  if (!/^\d{1,12}$/.test(exp)) throw new ManifestError('INVALID_SIGNATURE', 'exp is not Unix seconds');
  const expiresAtSeconds = Number(exp);
  const secret = secretFor(options.keyring, kid);
  const given = base64UrlToBytes(sig);
  const expected = await hmacSha256(secret, canonicalPlaybackString(url));
  // Checked before expiry so that an attacker learns nothing about the clock from a forgery.
  if (!timingSafeEqual(given, expected)) throw new ManifestError('INVALID_SIGNATURE', 'signature does not match');
  if (expiresAtSeconds * 1000 <= options.nowMs) throw new ManifestError('INVALID_SIGNATURE', 'URL has expired');
  return { kid, expiresAtSeconds };
}
