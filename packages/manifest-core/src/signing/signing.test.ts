/** @module Tests of signed playback URLs and tokens: forged, altered, expired, wrong-kid and rotated-key cases. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isManifestError } from '../errors.ts';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  canonicalPlaybackString,
  signPlaybackUrl,
  signToken,
  timingSafeEqual,
  verifyPlaybackUrl,
  verifyToken,
  type Keyring,
} from './index.ts';

const NOW_MS = Date.UTC(2026, 10, 22, 3, 0, 0);
const NOW_S = NOW_MS / 1000;
const keyring: Keyring = { activeKid: 'k1', keys: { k1: 'first-secret-0123456789abcdef' } };
const rotated: Keyring = {
  activeKid: 'k2',
  keys: { k1: 'first-secret-0123456789abcdef', k2: 'second-secret-0123456789abcdef' },
};
const other: Keyring = { activeKid: 'k1', keys: { k1: 'attacker-secret-0123456789abcde' } };

async function expectInvalid(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isManifestError(error), `expected a ManifestError, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe('INVALID_SIGNATURE');
  if (message) expect((error as Error).message).toMatch(message);
}

describe('signPlaybackUrl / verifyPlaybackUrl', () => {
  it('signs a path URL and verifies it, keeping the original query untouched', async () => {
    const url = await signPlaybackUrl('/v1/vod/a1/master.m3u8?ads.gdpr=1&ads.x=a%20b', {
      keyring,
      expiresAtSeconds: NOW_S + 60,
    });
    expect(url.startsWith('/v1/vod/a1/master.m3u8?ads.gdpr=1&ads.x=a%20b&exp=')).toBe(true);
    expect(url).toMatch(/&kid=k1&sig=[A-Za-z0-9_-]{43}$/);
    await expect(verifyPlaybackUrl(url, { keyring, nowMs: NOW_MS })).resolves.toEqual({
      kid: 'k1',
      expiresAtSeconds: NOW_S + 60,
    });
  });

  it('verifies an absolute URL at another host and with reordered parameters', async () => {
    const url = await signPlaybackUrl('https://edge.example/v1/live/c1/master.m3u8?b=2&a=1', {
      keyring,
      expiresAtSeconds: NOW_S + 60,
    });
    const parsed = new URL(url);
    const reordered = `https://zone-b.example${parsed.pathname}?${[...parsed.searchParams]
      .reverse()
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&')}`;
    await expect(verifyPlaybackUrl(reordered, { keyring, nowMs: NOW_MS })).resolves.toMatchObject({ kid: 'k1' });
  });

  it('rejects an unsigned URL', async () => {
    await expectInvalid(verifyPlaybackUrl('/v1/vod/a1/master.m3u8', { keyring, nowMs: NOW_MS }), /not signed/);
  });

  it('rejects an altered path, an altered parameter, an added parameter and an altered expiry', async () => {
    const url = await signPlaybackUrl('/v1/vod/a1/master.m3u8?ads.tier=free', {
      keyring,
      expiresAtSeconds: NOW_S + 60,
    });
    await expectInvalid(verifyPlaybackUrl(url.replace('/a1/', '/a2/'), { keyring, nowMs: NOW_MS }), /does not match/);
    await expectInvalid(
      verifyPlaybackUrl(url.replace('tier=free', 'tier=paid'), { keyring, nowMs: NOW_MS }),
      /does not match/,
    );
    await expectInvalid(verifyPlaybackUrl(`${url}&ads.extra=1`, { keyring, nowMs: NOW_MS }), /does not match/);
    await expectInvalid(
      verifyPlaybackUrl(url.replace(`exp=${NOW_S + 60}`, `exp=${NOW_S + 6000}`), { keyring, nowMs: NOW_MS }),
      /does not match/,
    );
  });

  it('rejects a signature forged with another secret', async () => {
    const forged = await signPlaybackUrl('/v1/vod/a1/master.m3u8', { keyring: other, expiresAtSeconds: NOW_S + 60 });
    await expectInvalid(verifyPlaybackUrl(forged, { keyring, nowMs: NOW_MS }), /does not match/);
  });

  it('rejects an expired URL, even by one second', async () => {
    const url = await signPlaybackUrl('/v1/vod/a1/master.m3u8', { keyring, expiresAtSeconds: NOW_S });
    await expectInvalid(verifyPlaybackUrl(url, { keyring, nowMs: NOW_MS }), /expired/);
    await expect(verifyPlaybackUrl(url, { keyring, nowMs: NOW_MS - 1000 })).resolves.toBeDefined();
  });

  it('rejects an unknown key id and a garbage signature', async () => {
    const url = await signPlaybackUrl('/v1/vod/a1/master.m3u8', { keyring, expiresAtSeconds: NOW_S + 60 });
    await expectInvalid(
      verifyPlaybackUrl(url.replace('kid=k1', 'kid=k9'), { keyring, nowMs: NOW_MS }),
      /unknown key id/,
    );
    await expectInvalid(verifyPlaybackUrl(url.replace(/sig=.*$/, 'sig=%%%'), { keyring, nowMs: NOW_MS }));
    await expectInvalid(verifyPlaybackUrl(url.replace(/sig=.*$/, 'sig='), { keyring, nowMs: NOW_MS }));
  });

  it('rotates keys: old URLs verify while the old kid is kept, new ones use the new kid, removal retires the old', async () => {
    const old = await signPlaybackUrl('/v1/vod/a1/master.m3u8', { keyring, expiresAtSeconds: NOW_S + 60 });
    const fresh = await signPlaybackUrl('/v1/vod/a1/master.m3u8', { keyring: rotated, expiresAtSeconds: NOW_S + 60 });
    expect(fresh).toContain('kid=k2');
    await expect(verifyPlaybackUrl(old, { keyring: rotated, nowMs: NOW_MS })).resolves.toMatchObject({ kid: 'k1' });
    await expect(verifyPlaybackUrl(fresh, { keyring: rotated, nowMs: NOW_MS })).resolves.toMatchObject({ kid: 'k2' });
    const retired: Keyring = { activeKid: 'k2', keys: { k2: 'second-secret-0123456789abcdef' } };
    await expectInvalid(verifyPlaybackUrl(old, { keyring: retired, nowMs: NOW_MS }), /unknown key id/);
  });

  it('refuses to sign with a keyring whose active kid is missing, or a URL that already has sig', async () => {
    await expect(
      signPlaybackUrl('/x', { keyring: { activeKid: 'k9', keys: keyring.keys }, expiresAtSeconds: NOW_S }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(signPlaybackUrl('/x?sig=1', { keyring, expiresAtSeconds: NOW_S })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });

  it('canonical string ignores parameter order and sig, and not the path', () => {
    expect(canonicalPlaybackString('/p?b=2&a=1&sig=x')).toBe(canonicalPlaybackString('http://h/p?a=1&b=2'));
    expect(canonicalPlaybackString('/p?a=1')).not.toBe(canonicalPlaybackString('/q?a=1'));
  });

  it('property: any single-character change of a signed URL query value is rejected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.string({ minLength: 1, maxLength: 12 }),
        async (v, w) => {
          fc.pre(v !== w);
          const url = await signPlaybackUrl(`/v1/vod/a/master.m3u8?ads.v=${encodeURIComponent(v)}`, {
            keyring,
            expiresAtSeconds: NOW_S + 60,
          });
          const altered = url.replace(`ads.v=${encodeURIComponent(v)}`, `ads.v=${encodeURIComponent(w)}`);
          await expectInvalid(verifyPlaybackUrl(altered, { keyring, nowMs: NOW_MS }));
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('signToken / verifyToken', () => {
  const payload = { assetId: 'a1', mode: 'stitched', adParams: { tier: 'frée' }, seed: 42 };

  it('round-trips a payload (including non-ASCII text) in a URL-safe token', async () => {
    const token = await signToken(payload, { keyring, expiresAtSeconds: NOW_S + 60 });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    await expect(verifyToken(token, { keyring, nowMs: NOW_MS })).resolves.toEqual({
      payload,
      kid: 'k1',
      expiresAtSeconds: NOW_S + 60,
    });
  });

  it('rejects a token whose payload was altered', async () => {
    const token = await signToken(payload, { keyring, expiresAtSeconds: NOW_S + 60 });
    const [, mac] = token.split('.');
    const tampered = `${bytesToBase64Url(new TextEncoder().encode(JSON.stringify({ k: 'k1', e: NOW_S + 60, d: { ...payload, assetId: 'a2' } })))}.${mac}`;
    await expectInvalid(verifyToken(tampered, { keyring, nowMs: NOW_MS }), /does not match/);
  });

  it('rejects a forged token, an expired token and a token signed with a retired kid', async () => {
    await expectInvalid(
      verifyToken(await signToken(payload, { keyring: other, expiresAtSeconds: NOW_S + 60 }), {
        keyring,
        nowMs: NOW_MS,
      }),
      /does not match/,
    );
    await expectInvalid(
      verifyToken(await signToken(payload, { keyring, expiresAtSeconds: NOW_S - 1 }), { keyring, nowMs: NOW_MS }),
      /expired/,
    );
    const newOnly: Keyring = { activeKid: 'k2', keys: { k2: 'second-secret-0123456789abcdef' } };
    await expectInvalid(
      verifyToken(await signToken(payload, { keyring, expiresAtSeconds: NOW_S + 60 }), {
        keyring: newOnly,
        nowMs: NOW_MS,
      }),
      /unknown key id/,
    );
  });

  it('accepts tokens of the previous kid after rotation', async () => {
    const old = await signToken(payload, { keyring, expiresAtSeconds: NOW_S + 60 });
    await expect(verifyToken(old, { keyring: rotated, nowMs: NOW_MS })).resolves.toMatchObject({ kid: 'k1', payload });
    expect(await signToken(payload, { keyring: rotated, expiresAtSeconds: NOW_S + 60 })).not.toBe(old);
  });

  it('rejects malformed input with INVALID_SIGNATURE, never another error', async () => {
    for (const bad of ['', 'abc', '.', 'a.b.c', '!!!.???', `${'a'.repeat(5000)}.b`, 'e30.AAAA', '_w.AAAA']) {
      await expectInvalid(verifyToken(bad, { keyring, nowMs: NOW_MS }));
    }
  });

  it('property: arbitrary strings never verify and never throw anything but INVALID_SIGNATURE', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (s) => {
        await expectInvalid(verifyToken(s, { keyring, nowMs: NOW_MS }));
      }),
      { numRuns: 200 },
    );
  });
});

describe('primitives', () => {
  it('timingSafeEqual compares content and length', () => {
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
  });

  it('base64url round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect([...base64UrlToBytes(bytesToBase64Url(bytes))]).toEqual([...bytes]);
      }),
    );
  });
});
