/** @module Storage on real s3rvers: replicas written in the job, headers per object kind, primary down or too slow → carry on to the next bucket. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startS3, type S3Handle } from '@meridian/testkit';
import { parseAssetManifest } from '@meridian/manifest-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store, transcode, type TranscodeEvent, type TranscodeOptions } from '../src/index.ts';
import { makeSource, startS3Proxy } from './helpers.ts';

let dir: string;
let src: string;
let a: S3Handle;
let b: S3Handle;
let c: S3Handle;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const url = (h: S3Handle, bucket: string, prefix: string, endpoint = h.endpoint): string =>
  `s3://${bucket}/${prefix}?endpoint=${endpoint}`;
const job = (output: string[], over: Partial<TranscodeOptions> = {}): TranscodeOptions => ({
  input: src,
  output,
  s3: { credentials },
  ladder: [
    { height: 90, bitrateBps: 150_000 },
    { height: 180, bitrateBps: 300_000 },
  ],
  encoder: 'cpu',
  cpuPreset: 'veryfast',
  thumbnails: false,
  ...over,
});
async function keys(h: S3Handle, bucket: string, prefix: string): Promise<string[]> {
  const page = await h.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
  return (page.Contents ?? []).map((o) => (o.Key as string).slice(prefix.length + 1)).sort();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tx-replicas-'));
  src = await makeSource(join(dir, 'src.mp4'), { seconds: 8, size: '320x180' });
  [a, b, c] = await Promise.all([
    startS3({ buckets: ['media-a'] }),
    startS3({ buckets: ['media-b'] }),
    startS3({ buckets: ['media-c'] }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a, b, c].map((h) => h?.destroy()));
  rmSync(dir, { recursive: true, force: true });
});

describe('S3 output', () => {
  it('writes every object to the primary and the replica in one job, with immutable segments and short-lived playlists', async () => {
    const { asset } = await transcode(
      job([url(a, 'media-a', 'r1'), url(b, 'media-b', 'r1')], { thumbnails: { intervalSeconds: 4 } }),
    );
    const inA = await keys(a, 'media-a', 'r1');
    expect(inA).toEqual(await keys(b, 'media-b', 'r1'));
    expect(inA).toEqual(
      expect.arrayContaining([
        'master.m3u8',
        'asset.json',
        '90p/index.m3u8',
        '90p/_complete.json',
        'audio/index.m3u8',
        'thumbs/sprite.jpg',
      ]),
    );
    for (const r of asset.renditions) expect(r.locations).toEqual(['s3://media-a/r1', 's3://media-b/r1']);
    const head = (key: string) => a.client.send(new HeadObjectCommand({ Bucket: 'media-a', Key: `r1/${key}` }));
    expect(await head('180p/seg_00000.m4s')).toMatchObject({
      ContentType: 'video/iso.segment',
      CacheControl: 'public, max-age=31536000, immutable',
    });
    expect(await head('180p/init.mp4').catch(() => undefined)).toBeUndefined(); // ffmpeg names it init_N.mp4
    const init = inA.find((k) => k.startsWith('180p/init'))!;
    expect(await head(init)).toMatchObject({
      ContentType: 'video/mp4',
      CacheControl: 'public, max-age=31536000, immutable',
    });
    expect(await head('180p/index.m3u8')).toMatchObject({
      ContentType: 'application/vnd.apple.mpegurl',
      CacheControl: 'public, max-age=60',
    });
    expect(await head('master.m3u8')).toMatchObject({
      ContentType: 'application/vnd.apple.mpegurl',
      CacheControl: 'public, max-age=60',
    });
    expect(await head('asset.json')).toMatchObject({ ContentType: 'application/json' });
    expect(await head('thumbs/sprite.vtt')).toMatchObject({ ContentType: 'text/vtt' });
    // Bytes survive the trip (s3rver corrupts streamed uploads without WHEN_REQUIRED checksums).
    const body = await (
      await b.client.send(new GetObjectCommand({ Bucket: 'media-b', Key: 'r1/asset.json' }))
    ).Body!.transformToString();
    expect(parseAssetManifest(JSON.parse(body)).renditions).toHaveLength(2);
  }, 60_000);

  it('carries on to the secondary when the primary bucket is down, and records where each rendition lives', async () => {
    await a.stop();
    try {
      const events: TranscodeEvent[] = [];
      const { asset } = await transcode(
        job([url(a, 'media-a', 'r2'), url(b, 'media-b', 'r2'), url(c, 'media-c', 'r2')], {
          copies: 1,
          onEvent: (e) => events.push(e),
        }),
      );
      expect(events.filter((e) => e.type === 'destination-down').map((e) => (e as { url: string }).url)).toEqual([
        's3://media-a/r2',
      ]);
      for (const r of [...asset.renditions, asset.audio!]) expect(r.locations).toEqual(['s3://media-b/r2']);
      expect(await keys(b, 'media-b', 'r2')).toEqual(
        expect.arrayContaining(['master.m3u8', 'asset.json', '180p/_complete.json']),
      );
      expect(await keys(c, 'media-c', 'r2')).toEqual([]); // the tertiary was not needed
    } finally {
      await a.start();
    }
  }, 60_000);

  it('treats a primary that stops answering as down after the timeout and writes to the next bucket', async () => {
    const slow = await startS3Proxy(a.endpoint);
    slow.hold = () => true;
    try {
      const { asset } = await transcode(
        job([url(a, 'media-a', 'r3', slow.url), url(c, 'media-c', 'r3')], {
          copies: 1,
          s3: { credentials, timeoutMs: 1_000 },
        }),
      );
      for (const r of asset.renditions) expect(r.locations).toEqual(['s3://media-c/r3']);
      expect(await keys(a, 'media-a', 'r3')).toEqual([]);
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('fails with STORAGE_FAILED before encoding when no destination is reachable', async () => {
    await b.stop();
    const events: TranscodeEvent[] = [];
    try {
      const err = await transcode(job([url(b, 'media-b', 'r4')], { onEvent: (e) => events.push(e) })).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: 'TranscodeError', code: 'STORAGE_FAILED' });
      expect(events.some((e) => e.type === 'ffmpeg')).toBe(false);
    } finally {
      await b.start();
    }
  }, 60_000);

  it('sends large files as a multipart upload whose bytes arrive intact', async () => {
    const file = join(dir, 'big.m4s');
    const bytes = randomBytes(11 * 1024 * 1024);
    writeFileSync(file, bytes);
    const seen: string[] = [];
    const proxy = await startS3Proxy(a.endpoint);
    const store = createS3Store('media-a', 'big', { endpoint: proxy.url, credentials, multipartThresholdBytes: 1024 });
    try {
      await store.put(
        'seg.m4s',
        { path: file },
        { contentType: 'video/iso.segment', cacheControl: 'public, max-age=31536000, immutable' },
      );
      seen.push(...proxy.puts);
      expect(seen.filter((p) => p.includes('partNumber=')).length).toBe(2); // 8 MiB parts
      // Compare digests: a deep equality over 11 MiB is needlessly slow.
      const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
      expect(digest((await store.get('seg.m4s'))!)).toBe(digest(bytes));
      expect(await store.size('seg.m4s')).toBe(bytes.length);
    } finally {
      store.close();
      await proxy.close();
    }
  }, 60_000);
});
