/** @module S3 bucket origins in two simulated regions (two s3rver instances): playback, then the primary region lost. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig, startS3, type S3Handle } from '@meridian/testkit';
import { assetJson, buildApp, MASTER, metricValue, testConfig, vodMedia } from './helpers.ts';
import { createOriginFetcher } from '../src/origin.ts';
import { createMetrics } from '../src/metrics.ts';

let primary: S3Handle;
let secondary: S3Handle;

async function publish(s3: S3Handle, assetId: string): Promise<void> {
  const put = (key: string, body: string, contentType: string) =>
    s3.client.send(new PutObjectCommand({ Bucket: 'media', Key: key, Body: body, ContentType: contentType }));
  await put(`vod/${assetId}/asset.json`, JSON.stringify(assetJson(assetId)), 'application/json');
  await put(`vod/${assetId}/master.m3u8`, MASTER, 'application/vnd.apple.mpegurl');
  await put(`vod/${assetId}/240p/index.m3u8`, vodMedia(), 'application/vnd.apple.mpegurl');
  await put(`vod/${assetId}/720p/index.m3u8`, vodMedia(), 'application/vnd.apple.mpegurl');
}

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startS3({ buckets: ['media'] }), startS3({ buckets: ['media'] })]);
  await Promise.all([publish(primary, 'movie1'), publish(secondary, 'movie1')]);
});

afterAll(async () => {
  await primary?.destroy();
  await secondary?.destroy();
});

describe('S3 origins', () => {
  it('plays from the primary bucket, and from the secondary region once the primary is gone', async () => {
    const config = testConfig(
      [
        `s3://media?endpoint=${encodeURIComponent(primary.endpoint)}`,
        `s3://media?endpoint=${encodeURIComponent(secondary.endpoint)}`,
      ],
      {
        CDN_BASE_URL: 'https://cdn.example.com',
        ORIGIN_TIMEOUT_MS: '500',
      },
    );
    const metrics = createMetrics();
    const origin = createOriginFetcher({
      originUrls: config.originUrls,
      timeoutMs: config.originTimeoutMs,
      maxBytes: config.maxOriginBytes,
      metrics,
      s3Client: (b) => new S3Client({ ...s3ClientConfig(b.endpoint ?? ''), maxAttempts: 1 }),
    });
    const { app } = buildApp(config, { origin, metrics });
    try {
      const master = await app.request('/v1/vod/movie1/master.m3u8');
      expect(master.status).toBe(200);
      expect(master.headers.get('x-meridian-origin')).toBe('primary');
      const sid = master.headers.get('x-meridian-session') ?? '';
      const media = await app.request(`/v1/sessions/${sid}/v0.m3u8`);
      expect(await media.text()).toContain(`https://cdn.example.com/vod/movie1/240p/seg0.ts?session=${sid}`);
      expect(await (await app.request('/readyz')).json()).toMatchObject({
        ready: true,
        checks: { 'origin:primary': 'ok', 'origin:secondary': 'ok' },
      });

      await primary.stop();
      // A fresh zone (empty caches) must now read everything from the secondary region.
      const fresh = buildApp(config, { origin, metrics });
      const again = await fresh.app.request('/v1/vod/movie1/master.m3u8');
      expect(again.status).toBe(200);
      expect(again.headers.get('x-meridian-origin')).toBe('secondary');
      const media2 = await fresh.app.request(`/v1/sessions/${again.headers.get('x-meridian-session')}/v1.m3u8`);
      expect(media2.status).toBe(200);
      expect(media2.headers.get('x-meridian-origin')).toBe('secondary');
      expect(metricValue(await metrics.registry.metrics(), 'meridian_origin_failovers_total')).toBeGreaterThan(0);
      const ready = await fresh.app.request('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { 'origin:primary': 'down', 'origin:secondary': 'ok' } });
    } finally {
      await origin.close();
    }
  });

  it('refuses s3:// origins without a CDN base, and mixed origin kinds', async () => {
    expect(() => testConfig(['s3://media'])).toThrow(/CDN_BASE_URL is required/);
    expect(() => testConfig(['s3://media', 'http://127.0.0.1:9'], { CDN_BASE_URL: 'https://cdn.example.com' })).toThrow(
      /not a mix/,
    );
  });
});
