/** @module Small pure byte helpers for key signalling: key-id hex parsing, UTF-8/UTF-16LE text, concatenation. */
import { ManifestError } from '../errors.ts';

/** Lower-case hex of bytes (the SCTE-35 module's helper, reused rather than duplicated). */
export { bytesToHex } from '../scte35/bytes.ts';
/** Padded standard base64 of bytes (the SCTE-35 module's encoder; it is plain RFC 4648 §4 base64). */
export { formatScte35Base64 as bytesToBase64 } from '../scte35/bytes.ts';

/**
 * Parses a 16-byte key id written as 32 hex digits, optionally `0x`-prefixed or as a UUID with
 * dashes; anything else is an INVALID_OPTIONS ManifestError (key ids come from callers).
 */
export function keyIdToBytes(keyId: string): Uint8Array {
  const hex = keyId.replace(/^0x/i, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new ManifestError('INVALID_OPTIONS', `key id ${JSON.stringify(keyId)} is not 16 bytes of hex`);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** UTF-16 little-endian bytes of a string (PlayReady headers are UTF-16LE). */
export function utf16leBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i * 2] = c & 0xff;
    out[i * 2 + 1] = c >> 8;
  }
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Big-endian unsigned 32-bit integer as 4 bytes. */
export function uint32be(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}
