/**
 * @module The session keyring as the edge and every zone configure it: `SIGNING_KEYS`
 * (`kid:secret[,kid:secret…]`) and `SIGNING_ACTIVE_KID`. One parser, so a value that one side
 * accepts the other accepts too — session ids only work when every side holds the same keys.
 */
import type { Keyring } from '../signing/keyring.ts';

/** What {@link parseSigningKeys} found: the keyring, and each problem as a line for the configuration error. */
export interface ParsedSigningKeys {
  /** The keyring (empty `keys` when none were valid). */
  keyring: Keyring;
  /** Problems, each naming the setting; empty when the keyring is usable. */
  problems: string[];
}

/** A key id: what signed URLs' `kid` and session ids carry. */
const KID = /^[A-Za-z0-9._-]{1,64}$/;
/** Shortest secret accepted, in characters (HMAC-SHA256 with a guessable secret forges every session). */
const MIN_SECRET_LENGTH = 16;

/**
 * Parses `SIGNING_KEYS` (`kid:secret` pairs separated by commas; secrets of at least 16
 * characters; a secret may contain `:`) and `SIGNING_ACTIVE_KID` (default: the last kid, so a
 * new key is appended and becomes active while the old ones still verify).
 * @example
 * const { keyring, problems } = parseSigningKeys(env.SIGNING_KEYS, env.SIGNING_ACTIVE_KID);
 */
export function parseSigningKeys(signingKeys: string | undefined, activeKid: string | undefined): ParsedSigningKeys {
  const problems: string[] = [];
  const keys: Record<string, string> = {};
  for (const entry of (signingKeys ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (colon <= 0 || !KID.test(kid) || secret.length < MIN_SECRET_LENGTH)
      problems.push('SIGNING_KEYS: expected kid:secret pairs separated by commas, secrets of at least 16 characters');
    else keys[kid] = secret;
  }
  const kids = Object.keys(keys);
  if (kids.length === 0)
    problems.push('SIGNING_KEYS is required (kid:secret[,kid:secret…]); the edge and every zone must share it');
  const active = activeKid?.trim() || (kids[kids.length - 1] ?? '');
  if (kids.length > 0 && !Object.hasOwn(keys, active))
    problems.push(`SIGNING_ACTIVE_KID=${active}: not a kid of SIGNING_KEYS`);
  return { keyring: { activeKid: active, keys }, problems };
}
