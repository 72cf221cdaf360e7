/** @module HMAC-SHA256 keyrings over WebCrypto (`crypto.subtle`), with key rotation and a constant-time compare. */
import { ManifestError } from '../errors.ts';

/**
 * A set of signing secrets by key id. New signatures use `activeKid`; every kid in
 * `keys` still verifies, so a secret can be rotated in before it signs and kept after
 * it stops signing until the URLs it signed have expired.
 */
export interface Keyring {
  /** The key id new signatures are made with; must be a key of `keys`. */
  activeKid: string;
  /** Secrets by key id (UTF-8 text; use at least 32 random bytes' worth). */
  keys: Readonly<Record<string, string>>;
}

const encoder = new TextEncoder();
/** Imported CryptoKeys by secret, so that each request does not re-import (bounded: keyrings are small). */
const importedKeys = new Map<string, Promise<CryptoKey>>();
const MAX_IMPORTED_KEYS = 64;

/** Checks a keyring's shape and throws INVALID_OPTIONS when it cannot sign. */
export function assertKeyring(keyring: Keyring): void {
  const kids = Object.keys(keyring.keys ?? {});
  if (kids.length === 0) throw new ManifestError('INVALID_OPTIONS', 'keyring has no keys');
  for (const kid of kids) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(kid))
      throw new ManifestError('INVALID_OPTIONS', `key id "${kid}" must match [A-Za-z0-9._-]{1,64}`);
    if (typeof keyring.keys[kid] !== 'string' || (keyring.keys[kid] ?? '').length < 16) {
      throw new ManifestError('INVALID_OPTIONS', `secret of key "${kid}" must be at least 16 characters`);
    }
  }
  if (!Object.hasOwn(keyring.keys, keyring.activeKid)) {
    throw new ManifestError('INVALID_OPTIONS', `active key id "${keyring.activeKid}" is not in the keyring`);
  }
}

function importKey(secret: string): Promise<CryptoKey> {
  let key = importedKeys.get(secret);
  if (!key) {
    if (importedKeys.size >= MAX_IMPORTED_KEYS) importedKeys.clear();
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    importedKeys.set(secret, key);
  }
  return key;
}

/** Returns the secret for `kid`, or throws INVALID_SIGNATURE for a kid the keyring does not hold. */
export function secretFor(keyring: Keyring, kid: string): string {
  const secret = Object.hasOwn(keyring.keys, kid) ? keyring.keys[kid] : undefined;
  if (secret === undefined) throw new ManifestError('INVALID_SIGNATURE', `unknown key id "${kid}"`);
  return secret;
}

/** HMAC-SHA256 of UTF-8 `data` under `secret`. */
export async function hmacSha256(secret: string, data: string): Promise<Uint8Array> {
  const key = await importKey(secret);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(data)));
}

/**
 * Compares two byte strings in time that depends only on their lengths, so a forger
 * cannot learn a valid signature byte by byte from response timing.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
