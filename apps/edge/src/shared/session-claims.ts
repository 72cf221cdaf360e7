/**
 * @module SHARED — the signed session id both apps read: claims, their short wire form and
 * sign/verify over manifest-core's tokens. Byte-compatible with regional-origin's
 * `sessions/service.ts` (which keeps its own copy today); candidate to move into manifest-core.
 */
import { signToken, verifyToken, type Keyring } from '@meridian/manifest-core';

/** Everything needed to render a session with no stored record: carried, signed, in the session id. */
export interface SessionClaims {
  /** Random id (also regional-origin's store key). */
  id: string;
  /** VOD asset or live channel. */
  kind: 'vod' | 'live';
  /** Asset id (VOD) or channel id (live). */
  contentId: string;
  /** How ads are delivered. */
  mode: 'stitched' | 'interstitials';
  /** `ads.*` parameters given at session start, without the prefix. */
  adParams: Record<string, string>;
  /** Viewer country (ISO 3166-1 alpha-2), if known. */
  country: string | undefined;
  /** Session start, Unix seconds. */
  createdAtSeconds: number;
  /** Seed for per-session deterministic choices. */
  seed: number;
}

/** The short-keyed form inside the token (session ids travel in every URL). */
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

/** Longest session id accepted, in characters (regional-origin uses the same bound). */
export const MAX_SESSION_TOKEN_LENGTH = 2048;

/** Thrown (as a plain value check by callers) when a token's claims are malformed. */
export class SessionClaimsError extends Error {
  override readonly name = 'SessionClaimsError';
}

function toWire(c: SessionClaims): WireClaims {
  const wire: WireClaims = { i: c.id, k: c.kind === 'vod' ? 'v' : 'l', c: c.contentId, m: c.mode === 'stitched' ? 's' : 'i', t: c.createdAtSeconds, s: c.seed };
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
    (x.p === undefined || (typeof x.p === 'object' && x.p !== null && Object.values(x.p).every((v) => typeof v === 'string'))) &&
    (x.g === undefined || typeof x.g === 'string');
  if (!ok) throw new SessionClaimsError('session id carries malformed claims');
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

/** Signs claims into a session id that expires `ttlSeconds` after `claims.createdAtSeconds`. */
export function signSessionToken(claims: SessionClaims, keyring: Keyring, ttlSeconds: number): Promise<string> {
  return signToken(toWire(claims), { keyring, expiresAtSeconds: claims.createdAtSeconds + ttlSeconds });
}

/**
 * Verifies a session id and returns its claims; throws manifest-core's ManifestError
 * INVALID_SIGNATURE when forged or expired, SessionClaimsError when the payload is malformed.
 */
export async function verifySessionToken(token: string, keyring: Keyring, nowMs: number): Promise<SessionClaims> {
  const verified = await verifyToken<WireClaims>(token, { keyring, nowMs, maxLength: MAX_SESSION_TOKEN_LENGTH });
  return fromWire(verified.payload);
}

/** Builds new claims from random bytes (20 bytes: 16 for the id, 4 for the seed), as regional-origin does. */
export function newSessionClaims(
  input: Pick<SessionClaims, 'kind' | 'contentId' | 'mode' | 'adParams' | 'country'>,
  nowMs: number,
  randomBytes: (n: number) => Uint8Array,
): SessionClaims {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (const b of randomBytes(16)) id += alphabet[b % alphabet.length];
  const s = randomBytes(4);
  return {
    id,
    ...input,
    createdAtSeconds: Math.floor(nowMs / 1000),
    seed: ((s[0] ?? 0) << 24) | ((s[1] ?? 0) << 16) | ((s[2] ?? 0) << 8) | (s[3] ?? 0),
  };
}
