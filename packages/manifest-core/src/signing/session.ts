/**
 * @module Session ids shared by the edge Worker and the regional zones: the claims a session
 * carries, their short wire form, and sign/verify over the signed tokens — so any zone (or the
 * edge) can rebuild a session from its id alone.
 */
import { ManifestError } from '../errors.ts';
import type { Keyring } from './keyring.ts';
import { signToken, verifyToken } from './token.ts';

/** Everything needed to rebuild a session with no stored record: carried, signed, in the session id. */
export interface SessionClaims {
  /** Random id (also the zones' store key). */
  id: string;
  /** VOD asset or live channel. */
  kind: 'vod' | 'live';
  /** Asset id (VOD) or channel id (live). */
  contentId: string;
  /** How ads are delivered: stitched into media playlists or as HLS Interstitials. */
  mode: 'stitched' | 'interstitials';
  /** `ads.*` parameters given at session start, without the prefix. */
  adParams: Record<string, string>;
  /** Viewer country (ISO 3166-1 alpha-2), if known. */
  country: string | undefined;
  /** Session start, Unix seconds. */
  createdAtSeconds: number;
  /** Seed for per-session deterministic choices (ad selection, `[avail.random]`). */
  seed: number;
}

/** The short-keyed form inside the token: session ids travel in every playlist URL. */
interface WireClaims {
  i: string;
  k: 'v' | 'l';
  c: string;
  m: 's' | 'i';
  p?: Record<string, string>;
  g?: string;
  t: number;
  s: number;
}

/** Longest session id accepted, in characters. */
export const MAX_SESSION_TOKEN_LENGTH = 2048;

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function toWire(c: SessionClaims): WireClaims {
  const wire: WireClaims = {
    i: c.id,
    k: c.kind === 'vod' ? 'v' : 'l',
    c: c.contentId,
    m: c.mode === 'stitched' ? 's' : 'i',
    t: c.createdAtSeconds,
    s: c.seed,
  };
  if (Object.keys(c.adParams).length > 0) wire.p = c.adParams;
  if (c.country !== undefined) wire.g = c.country;
  return wire;
}

function fromWire(w: unknown): SessionClaims {
  const x = w as Partial<WireClaims> | null;
  const ok =
    typeof x === 'object' &&
    x !== null &&
    typeof x.i === 'string' &&
    (x.k === 'v' || x.k === 'l') &&
    typeof x.c === 'string' &&
    (x.m === 's' || x.m === 'i') &&
    Number.isSafeInteger(x.t) &&
    Number.isSafeInteger(x.s) &&
    (x.p === undefined ||
      (typeof x.p === 'object' &&
        x.p !== null &&
        !Array.isArray(x.p) &&
        Object.values(x.p).every((v) => typeof v === 'string'))) &&
    (x.g === undefined || typeof x.g === 'string');
  // Only a holder of the key can sign malformed claims, but a rotated-in format must still fail typed.
  if (!ok) throw new ManifestError('INVALID_SIGNATURE', 'session id carries malformed claims');
  return {
    id: x.i as string,
    kind: x.k === 'v' ? 'vod' : 'live',
    contentId: x.c as string,
    mode: x.m === 's' ? 'stitched' : 'interstitials',
    adParams: x.p ?? {},
    country: x.g,
    createdAtSeconds: x.t as number,
    seed: x.s as number,
  };
}

/**
 * Signs claims into a session id that expires `ttlSeconds` after `claims.createdAtSeconds`.
 * @example
 * const sid = await signSessionToken(newSessionClaims({ kind: 'vod', contentId: 'a1', mode: 'stitched', adParams: {}, country: 'FR' }, Date.now(), rand), keyring, 14_400);
 */
export function signSessionToken(claims: SessionClaims, keyring: Keyring, ttlSeconds: number): Promise<string> {
  return signToken(toWire(claims), { keyring, expiresAtSeconds: claims.createdAtSeconds + ttlSeconds });
}

/** Verifies a session id and returns its claims; forged, altered, expired or malformed → ManifestError INVALID_SIGNATURE. */
export async function verifySessionToken(
  token: string,
  keyring: Keyring,
  nowMs: number,
): Promise<SessionClaims & { expiresAtSeconds: number }> {
  const verified = await verifyToken<WireClaims>(token, { keyring, nowMs, maxLength: MAX_SESSION_TOKEN_LENGTH });
  return { ...fromWire(verified.payload), expiresAtSeconds: verified.expiresAtSeconds };
}

/** Builds new claims from injected randomness (16 bytes for the id, 4 for the seed) and clock. */
export function newSessionClaims(
  input: Pick<SessionClaims, 'kind' | 'contentId' | 'mode' | 'adParams' | 'country'>,
  nowMs: number,
  randomBytes: (n: number) => Uint8Array,
): SessionClaims {
  let id = '';
  for (const b of randomBytes(16)) id += ID_ALPHABET[b % ID_ALPHABET.length];
  const s = randomBytes(4);
  return {
    id,
    ...input,
    createdAtSeconds: Math.floor(nowMs / 1000),
    seed: (((s[0] ?? 0) << 24) | ((s[1] ?? 0) << 16) | ((s[2] ?? 0) << 8) | (s[3] ?? 0)) >>> 0,
  };
}
