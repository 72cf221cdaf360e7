/** @module Signed opaque tokens (session ids): base64url(JSON envelope) "." base64url(HMAC-SHA256), with expiry and key id. */
import { ManifestError } from '../errors.ts';
import { bytesToBase64Url, base64UrlToBytes, base64UrlToText, textToBase64Url } from './base64url.ts';
import { assertKeyring, hmacSha256, secretFor, timingSafeEqual, type Keyring } from './keyring.ts';

/** Options for {@link signToken}. */
export interface SignTokenOptions {
  /** Keyring whose active key signs. */
  keyring: Keyring;
  /** Expiry as Unix time in seconds. */
  expiresAtSeconds: number;
}

/** Options for {@link verifyToken}. */
export interface VerifyTokenOptions {
  /** Keyring holding every key id still accepted. */
  keyring: Keyring;
  /** The current time in ms since the epoch. */
  nowMs: number;
  /** Longest token accepted, in characters (default 4096), so hostile input is bounded before any work. */
  maxLength?: number;
}

/** A verified token's contents. */
export interface VerifiedToken<T> {
  /** The payload that was signed. */
  payload: T;
  /** Key id that signed it. */
  kid: string;
  /** Expiry, Unix seconds. */
  expiresAtSeconds: number;
}

/** The signed JSON envelope: short field names because session ids travel in every playlist URL. */
interface Envelope {
  /** key id */
  k: string;
  /** expiry, Unix seconds */
  e: number;
  /** payload */
  d: unknown;
}

/**
 * Signs `payload` (any JSON value) into a URL-safe opaque token that carries it.
 * The payload is readable by whoever holds the token; put no secrets in it.
 * @example
 * const sid = await signToken({ assetId: 'a1' }, { keyring, expiresAtSeconds: now + 14_400 });
 */
export async function signToken(payload: unknown, options: SignTokenOptions): Promise<string> {
  assertKeyring(options.keyring);
  if (!Number.isSafeInteger(options.expiresAtSeconds) || options.expiresAtSeconds <= 0) {
    throw new ManifestError('INVALID_OPTIONS', 'expiresAtSeconds must be a positive integer (Unix seconds)');
  }
  const kid = options.keyring.activeKid;
  const envelope: Envelope = { k: kid, e: options.expiresAtSeconds, d: payload };
  const body = textToBase64Url(JSON.stringify(envelope));
  const mac = await hmacSha256(secretFor(options.keyring, kid), body);
  return `${body}.${bytesToBase64Url(mac)}`;
}

/**
 * Verifies a token from {@link signToken} and returns its payload; a malformed,
 * forged, altered, expired or unknown-key token throws a ManifestError INVALID_SIGNATURE.
 * The payload's shape is the caller's to check.
 */
export async function verifyToken<T = unknown>(token: string, options: VerifyTokenOptions): Promise<VerifiedToken<T>> {
  if (typeof token !== 'string' || token.length > (options.maxLength ?? 4096)) {
    throw new ManifestError('INVALID_SIGNATURE', 'token is missing or too long');
  }
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) throw new ManifestError('INVALID_SIGNATURE', 'token is malformed');
  const body = token.slice(0, dot);
  const given = base64UrlToBytes(token.slice(dot + 1));
  let envelope: Envelope;
  try {
    envelope = JSON.parse(base64UrlToText(body)) as Envelope;
  } catch (cause) {
    throw new ManifestError('INVALID_SIGNATURE', 'token payload is not JSON', { cause });
  }
  if (
    typeof envelope !== 'object' ||
    envelope === null ||
    typeof envelope.k !== 'string' ||
    !Number.isSafeInteger(envelope.e)
  ) {
    throw new ManifestError('INVALID_SIGNATURE', 'token envelope is malformed');
  }
  const expected = await hmacSha256(secretFor(options.keyring, envelope.k), body);
  if (!timingSafeEqual(given, expected)) throw new ManifestError('INVALID_SIGNATURE', 'token signature does not match');
  if (envelope.e * 1000 <= options.nowMs) throw new ManifestError('INVALID_SIGNATURE', 'token has expired');
  return { payload: envelope.d as T, kid: envelope.k, expiresAtSeconds: envelope.e };
}
