/** @module Tests of the session request checks: traversal in any encoding refused, ad parameter limits, modes, bodies. */
import { describe, expect, it } from 'vitest';
import type { AssetManifest } from '../asset/asset-manifest.ts';
import {
  AD_PARAM_LIMITS,
  checkAdParamsBody,
  checkAssetJson,
  checkReadyAsset,
  checkAdParamsQuery,
  checkId,
  checkSessionMode,
  checkSessionStart,
  checkSessionTokenShape,
  normalizeCountryCode,
  sessionPlaylistCacheControl,
} from './request.ts';

describe('checkId', () => {
  it('accepts plain ids and refuses traversal, decoded or still percent-encoded', () => {
    for (const id of ['a1', 'A_b-9', 'x'.repeat(128)]) expect(checkId(id, 'asset id')).toEqual({ ok: true, value: id });
    for (const bad of [
      '../etc',
      '..',
      '%2e%2e',
      '..%2F..%2Fetc',
      'a%2F..%2Fb',
      'a/b',
      '.hidden',
      '-a',
      '',
      'x'.repeat(129),
      'é',
      undefined,
      42,
    ]) {
      expect(checkId(bad, 'asset id')).toEqual({ ok: false, problem: 'INVALID_ID', message: 'invalid asset id' });
    }
  });
});

describe('checkSessionTokenShape', () => {
  it('accepts body.mac in base64url and answers anything else like a forged id', () => {
    expect(checkSessionTokenShape('abc_-.XYZ')).toEqual({ ok: true, value: 'abc_-.XYZ' });
    for (const bad of ['not-a-session', 'a.b.c', '.x', 'x.', 'a b.c', `${'a'.repeat(2001)}.b`, undefined]) {
      expect(checkSessionTokenShape(bad)).toMatchObject({ ok: false, problem: 'INVALID_SIGNATURE' });
    }
  });
});

describe('ad parameters', () => {
  it('takes only ads.* query parameters, without the prefix', () => {
    expect(checkAdParamsQuery({ 'ads.gdpr': '1', 'ads.site.section': 'news', mode: 'stitched', ads: 'x' })).toEqual({
      ok: true,
      value: { gdpr: '1', 'site.section': 'news' },
    });
  });

  it('refuses bad names, long values and too many parameters', () => {
    const tooMany = Object.fromEntries(
      Array.from({ length: AD_PARAM_LIMITS.maxParams + 1 }, (_, i) => [`ads.p${i}`, 'v']),
    );
    const justEnough = Object.fromEntries(
      Array.from({ length: AD_PARAM_LIMITS.maxParams }, (_, i) => [`ads.p${i}`, 'v']),
    );
    expect(checkAdParamsQuery(justEnough).ok).toBe(true);
    expect(checkAdParamsQuery(tooMany)).toEqual({
      ok: false,
      problem: 'BAD_REQUEST',
      message: 'more than 32 ad parameters',
    });
    expect(checkAdParamsQuery({ 'ads.x': 'y'.repeat(513) })).toEqual({
      ok: false,
      problem: 'BAD_REQUEST',
      message: 'bad ad parameter ads.x',
    });
    expect(checkAdParamsQuery({ 'ads.x': 'y'.repeat(512) }).ok).toBe(true);
    for (const name of ['ads.', 'ads.a b', `ads.${'n'.repeat(65)}`, 'ads.__proto__'])
      expect(checkAdParamsQuery({ [name]: 'v' })).toMatchObject({ ok: false, problem: 'BAD_REQUEST' });
  });

  it('stringifies body values and refuses objects, arrays and nested values', () => {
    expect(checkAdParamsBody({ gdpr: 1, consent: true, site: 'news' })).toEqual({
      ok: true,
      value: { gdpr: '1', consent: 'true', site: 'news' },
    });
    expect(checkAdParamsBody(undefined)).toEqual({ ok: true, value: {} });
    for (const bad of [null, [], 'x', { nested: { a: 1 } }, { 'bad name': 'v' }])
      expect(checkAdParamsBody(bad)).toMatchObject({ ok: false, problem: 'BAD_REQUEST' });
  });
});

describe('checkSessionMode', () => {
  it('defaults to stitched and accepts only the two modes', () => {
    expect(checkSessionMode(undefined)).toEqual({ ok: true, value: 'stitched' });
    expect(checkSessionMode('interstitials')).toEqual({ ok: true, value: 'interstitials' });
    expect(checkSessionMode('INTERSTITIALS')).toMatchObject({ ok: false, problem: 'BAD_REQUEST' });
  });
});

describe('checkSessionStart', () => {
  it('reads a VOD or live session request', () => {
    expect(checkSessionStart({ assetId: 'a1', adParams: { gdpr: 1 }, mode: 'interstitials' })).toEqual({
      ok: true,
      value: { kind: 'vod', contentId: 'a1', mode: 'interstitials', adParams: { gdpr: '1' } },
    });
    expect(checkSessionStart({ channelId: 'ch1' })).toEqual({
      ok: true,
      value: { kind: 'live', contentId: 'ch1', mode: 'stitched', adParams: {} },
    });
  });

  it('names the problem of a bad body with the code the apps answer', () => {
    expect(checkSessionStart([])).toEqual({ ok: false, problem: 'BAD_REQUEST', message: 'body must be a JSON object' });
    expect(checkSessionStart({ assetId: 'a1', channelId: 'c1' })).toEqual({
      ok: false,
      problem: 'BAD_REQUEST',
      message: 'give exactly one of assetId or channelId',
    });
    expect(checkSessionStart({})).toMatchObject({ ok: false, problem: 'BAD_REQUEST' });
    expect(checkSessionStart({ assetId: '../x' })).toEqual({
      ok: false,
      problem: 'INVALID_ID',
      message: 'invalid assetId',
    });
    expect(checkSessionStart({ channelId: 7 })).toEqual({
      ok: false,
      problem: 'INVALID_ID',
      message: 'invalid channelId',
    });
    expect(checkSessionStart({ assetId: 'a1', mode: 'x' })).toMatchObject({ ok: false, problem: 'BAD_REQUEST' });
    expect(checkSessionStart({ assetId: 'a1', adParams: [1] })).toMatchObject({ ok: false, problem: 'BAD_REQUEST' });
  });
});

describe('viewer and cache helpers', () => {
  it('normalises two-letter codes and drops anything else', () => {
    expect(normalizeCountryCode('fr')).toBe('FR');
    expect(normalizeCountryCode('FRA')).toBeUndefined();
    expect(normalizeCountryCode(undefined)).toBeUndefined();
  });

  it('caches VOD playlists a day and live ones half a target duration, always private', () => {
    expect(sessionPlaylistCacheControl(false, 6)).toBe('private, max-age=86400');
    expect(sessionPlaylistCacheControl(true, 6)).toBe('private, max-age=3');
    expect(sessionPlaylistCacheControl(true, 1)).toBe('private, max-age=1');
    expect(sessionPlaylistCacheControl(true, undefined)).toBe('private, max-age=1');
  });
});

describe('asset checks', () => {
  const asset: AssetManifest = {
    version: 1,
    assetId: 'a1',
    status: 'ready',
    master: 'master.m3u8',
    durationSeconds: 6,
    codec: 'h264',
    container: 'ts',
    segmentSeconds: 6,
    encoder: { kind: 'cpu', name: 'libx264' },
    renditions: [
      {
        name: '240p',
        playlist: '240p/index.m3u8',
        codecs: 'avc1.64001e',
        width: 426,
        height: 240,
        frameRate: 30,
        targetBitrateBps: 500_000,
        peakBitrateBps: 500_000,
        averageBitrateBps: 500_000,
        bandwidthBps: 628_000,
        averageBandwidthBps: 628_000,
        segmentCount: 1,
        durationSeconds: 6,
        locations: [],
      },
    ],
    audio: null,
    thumbnails: null,
    keyIds: [],
    locations: [],
    updatedAt: '2026-11-22T00:00:00Z',
  };

  it("reads asset.json, refusing non-JSON, invalid manifests and another asset's", () => {
    expect(checkAssetJson('a1', JSON.stringify(asset))).toMatchObject({
      ok: true,
      value: { assetId: 'a1', master: 'master.m3u8' },
    });
    expect(checkAssetJson('a1', '{')).toEqual({
      ok: false,
      problem: 'BAD_ORIGIN_RESPONSE',
      message: 'asset.json of a1 is invalid: not JSON',
    });
    expect(checkAssetJson('a1', '{"version":1}')).toMatchObject({ ok: false, problem: 'BAD_ORIGIN_RESPONSE' });
    expect(checkAssetJson('a2', JSON.stringify(asset))).toEqual({
      ok: false,
      problem: 'BAD_ORIGIN_RESPONSE',
      message: 'asset.json of a2 names another asset',
    });
  });

  it('plays only ready assets', () => {
    expect(checkReadyAsset(asset).ok).toBe(true);
    expect(checkReadyAsset({ ...asset, status: 'processing' })).toEqual({
      ok: false,
      problem: 'NOT_FOUND',
      message: 'asset a1 is processing, not ready',
    });
  });
});
