/** @module Signed playback URLs checked inside workerd with WebCrypto: only an intact, unexpired URL signed with a known key opens a session. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { FaultyServer } from '@meridian/testkit';
import { signPlaybackUrl } from '@meridian/manifest-core';
import { KEYRING, PUBLIC_BASE_URL, startEdge, startOrigin } from './helpers.ts';

describe('signed playback URLs (workerd)', () => {
  let origin: FaultyServer;
  let edge: Miniflare;
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);
  const get = async (path: string): Promise<{ status: number; body: string; session: string | null }> => {
    const res = await edge.dispatchFetch(`${PUBLIC_BASE_URL}${path}`);
    return { status: res.status, body: await res.text(), session: res.headers.get('x-meridian-session') };
  };

  beforeAll(async () => {
    origin = await startOrigin();
    edge = await startEdge({ ORIGIN_URLS: origin.url, REQUIRE_SIGNED_URLS: 'true' });
  });
  afterAll(async () => {
    await edge?.dispose();
    await origin?.close();
  });

  it('opens a session for a correctly signed master URL, whatever the order of its query parameters', async () => {
    const signed = await signPlaybackUrl('/v1/vod/a1/master.m3u8?ads.gdpr=1&ads.site=news', {
      keyring: KEYRING,
      expiresAtSeconds: nowSeconds() + 600,
    });
    const res = await get(signed);
    expect(res.status).toBe(200);
    expect(res.body).toContain('#EXT-X-STREAM-INF');
    expect(res.session).toBeTruthy();
    const [path, query = ''] = signed.split('?');
    const reordered = `${path}?${query.split('&').reverse().join('&')}`;
    expect((await get(reordered)).status).toBe(200);
  });

  it('refuses unsigned, altered, expired and unknown-key URLs with a JSON 403', async () => {
    const signed = await signPlaybackUrl('/v1/vod/a1/master.m3u8?ads.gdpr=1', {
      keyring: KEYRING,
      expiresAtSeconds: nowSeconds() + 600,
    });
    const expired = await signPlaybackUrl('/v1/vod/a1/master.m3u8', {
      keyring: KEYRING,
      expiresAtSeconds: nowSeconds() - 5,
    });
    const otherKey = await signPlaybackUrl('/v1/vod/a1/master.m3u8', {
      keyring: { activeKid: 'k9', keys: { k9: 'another-secret-0123456789abcdef' } },
      expiresAtSeconds: nowSeconds() + 600,
    });
    const cases = [
      '/v1/vod/a1/master.m3u8',
      signed.replace('ads.gdpr=1', 'ads.gdpr=0'),
      signed.replace('/a1/', '/enc1/'),
      `${signed.slice(0, -3)}abc`,
      expired,
      otherKey,
      '/v1/live/ch1/master.m3u8',
    ];
    for (const path of cases) {
      const res = await get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
      expect(res.session).toBeNull();
    }
  });
});
