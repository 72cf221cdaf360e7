/** @module Tests of shared session ids: round trip, rebuild from the id alone, forgery, expiry and rotation. */
import { describe, expect, it } from 'vitest';
import { newSessionClaims, signSessionToken, verifySessionToken, type Keyring, type SessionClaims } from './index.ts';
import { signToken } from './token.ts';

const keyring: Keyring = { activeKid: 'z1', keys: { z1: 'zone-secret-0123456789abcdef' } };
const NOW_MS = Date.UTC(2026, 10, 22, 3, 0, 0);
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);

describe('session tokens', () => {
  const claims: SessionClaims = newSessionClaims(
    { kind: 'vod', contentId: 'movie1', mode: 'interstitials', adParams: { tier: 'gold' }, country: 'FR' },
    NOW_MS,
    bytes,
  );

  it('builds claims from the injected clock and randomness', () => {
    expect(claims.id).toMatch(/^[a-z0-9]{16}$/);
    expect(claims.createdAtSeconds).toBe(NOW_MS / 1000);
    expect(claims.seed).toBeGreaterThanOrEqual(0);
    expect(newSessionClaims({ ...claims }, NOW_MS, bytes)).toEqual(claims);
  });

  it('round-trips every claim through a URL-safe id that any holder of the keyring can read', async () => {
    const sid = await signSessionToken(claims, keyring, 3600);
    expect(sid).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await verifySessionToken(sid, keyring, NOW_MS)).toEqual({
      ...claims,
      expiresAtSeconds: claims.createdAtSeconds + 3600,
    });
    const live = { ...claims, kind: 'live' as const, mode: 'stitched' as const, adParams: {}, country: undefined };
    expect(await verifySessionToken(await signSessionToken(live, keyring, 60), keyring, NOW_MS)).toMatchObject(live);
  });

  it('rejects expired, forged and retired-key ids, and signed-but-malformed claims, with INVALID_SIGNATURE', async () => {
    const sid = await signSessionToken(claims, keyring, 60);
    await expect(verifySessionToken(sid, keyring, NOW_MS + 61_000)).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
    });
    const forged = await signSessionToken(
      claims,
      { activeKid: 'z1', keys: { z1: 'not-the-zone-secret-01234567' } },
      60,
    );
    await expect(verifySessionToken(forged, keyring, NOW_MS)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
    await expect(
      verifySessionToken(sid, { activeKid: 'z2', keys: { z2: 'next-zone-secret-0123456789' } }, NOW_MS),
    ).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
    const odd = await signToken({ i: 'x', k: 'tv' }, { keyring, expiresAtSeconds: NOW_MS / 1000 + 60 });
    await expect(verifySessionToken(odd, keyring, NOW_MS)).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
      message: /malformed claims/,
    });
  });
});
