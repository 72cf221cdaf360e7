/** @module base64url (RFC 4648 §5, no padding) over bytes and UTF-8 text, without Buffer, for workerd, Node and browsers. */
import { ManifestError } from '../errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Encodes bytes as unpadded base64url. */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let binary = '';
  // Chunked so that String.fromCharCode never receives more arguments than the engine allows.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes unpadded (or padded) canonical base64url; anything else (including non-zero unused trailing bits) is an INVALID_SIGNATURE ManifestError. */
export function base64UrlToBytes(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new ManifestError('INVALID_SIGNATURE', 'not base64url');
  const base64 = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch (cause) {
    throw new ManifestError('INVALID_SIGNATURE', 'not base64url', { cause });
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  // RFC 4648 §3.5: the last character's unused bits must be zero. Accepting others would let a
  // token with an altered final character decode to the same signature bytes (and verify).
  if (bytesToBase64Url(out) !== text.replace(/=+$/, ''))
    throw new ManifestError('INVALID_SIGNATURE', 'not canonical base64url');
  return out;
}

/** Encodes UTF-8 text as base64url. */
export function textToBase64Url(text: string): string {
  return bytesToBase64Url(encoder.encode(text));
}

/** Decodes base64url to UTF-8 text; invalid UTF-8 is an INVALID_SIGNATURE ManifestError. */
export function base64UrlToText(text: string): string {
  try {
    return decoder.decode(base64UrlToBytes(text));
  } catch (cause) {
    throw new ManifestError('INVALID_SIGNATURE', 'token payload is not UTF-8', { cause });
  }
}
