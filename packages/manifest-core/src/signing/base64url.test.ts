/** @module Tests of base64url decoding: only the canonical encoding of some bytes is accepted. */
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { base64UrlToBytes, bytesToBase64Url } from './base64url.ts';

describe('base64UrlToBytes', () => {
  it('round-trips bytes of every length and accepts padding', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = bytesToBase64Url(bytes);
      expect(base64UrlToBytes(text)).toEqual(bytes);
      expect(base64UrlToBytes(text + '='.repeat((4 - (text.length % 4)) % 4))).toEqual(bytes);
    }
  });

  it('refuses a final character whose unused bits are set: an altered signature never decodes to the same bytes', () => {
    // 32 bytes (an HMAC-SHA256) end in a character carrying 4 bits and 2 unused ones.
    const sig = bytesToBase64Url(new Uint8Array(32));
    expect(sig.endsWith('A')).toBe(true);
    for (const altered of [`${sig.slice(0, -1)}B`, `${sig.slice(0, -1)}C`, `${sig.slice(0, -1)}D`]) {
      let code: string | undefined;
      try {
        base64UrlToBytes(altered);
      } catch (e) {
        code = isManifestError(e) ? e.code : 'untyped';
      }
      expect(code, altered).toBe('INVALID_SIGNATURE');
    }
  });
});
