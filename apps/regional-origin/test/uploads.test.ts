/** @module Uploads on s3rver and a real redis-server: presigned multipart parts, completion through the outbox, the sweeper, rate limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { s3ClientConfig, sleep, startRedis, startS3, type RedisHandle, type S3Handle } from '@meridian/testkit';
import { buildApp, testConfig } from './helpers.ts';
import { createValkeyClient, type ValkeyClient } from '../src/valkey.ts';
import { createValkeyTranscodeQueue, createMemoryAssetEvents, type TranscodeQueue } from '../src/jobs.ts';
import { createValkeyUploadStore } from '../src/uploads/store.ts';
import { createMemoryLogger } from '../src/log.ts';
import type { Config } from '../src/config.ts';

let s3: S3Handle;
let redis: RedisHandle;
let valkey: ValkeyClient;
let inspect: Redis;
let client: S3Client;
const PART = 5 * 1024 * 1024;

beforeAll(async () => {
  [s3, redis] = await Promise.all([startS3({ buckets: ['uploads'] }), startRedis()]);
  client = new S3Client(s3ClientConfig(s3.endpoint));
  inspect = new Redis(redis.url);
  valkey = createValkeyClient(
    { url: redis.url, clusterNodes: undefined, commandTimeoutMs: 1000, keyPrefix: 'meridian:' },
    createMemoryLogger(),
  ) as ValkeyClient;
  for (let i = 0; i < 100 && valkey.status !== 'ready'; i++) await sleep(20);
});

afterAll(async () => {
  client?.destroy();
  valkey?.disconnect();
  inspect?.disconnect();
  await s3?.destroy();
  await redis?.stop();
});

function uploadConfig(env: Record<string, string> = {}): Config {
  return testConfig([], {
    ROLE: 'upload',
    UPLOAD_BUCKET: 'uploads',
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    UPLOAD_PART_SIZE_BYTES: String(PART),
    UPLOAD_MAX_BYTES: String(1024 * 1024 * 1024),
    ...env,
  });
}

function uploadApp(
  config: Config,
  queue: TranscodeQueue = createValkeyTranscodeQueue(valkey, 'meridian:', [
    's3://media/vod/{assetId}',
    's3://media-replica/vod/{assetId}',
  ]),
) {
  const events = createMemoryAssetEvents();
  return {
    ...buildApp(config, {
      s3: client,
      valkey,
      queue,
      uploadStore: createValkeyUploadStore(valkey, 'meridian:'),
      events,
    }),
    events,
  };
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

async function uploadParts(
  parts: Array<{ partNumber: number; url: string }>,
  sizeBytes: number,
): Promise<Array<{ partNumber: number; etag: string }>> {
  const out: Array<{ partNumber: number; etag: string }> = [];
  for (const part of parts) {
    const start = (part.partNumber - 1) * PART;
    const bytes = new Uint8Array(Math.min(PART, sizeBytes - start)).fill(part.partNumber);
    const res = await fetch(part.url, { method: 'PUT', body: bytes });
    expect(res.status, await res.clone().text()).toBe(200);
    out.push({ partNumber: part.partNumber, etag: res.headers.get('etag') ?? '' });
  }
  return out;
}

interface Created {
  videoId: string;
  uploadId: string;
  partSize: number;
  parts: Array<{ partNumber: number; url: string }>;
}

describe('uploads', () => {
  it('presigns multipart parts, completes the upload, writes record + job together and publishes the job', async () => {
    const { app, events } = uploadApp(uploadConfig());
    const size = PART + 1234;
    const res = await app.request('/v1/uploads', json({ filename: 'my clip.mp4', size, contentType: 'video/mp4' }));
    expect(res.status).toBe(201);
    const created = (await res.json()) as Created;
    expect(created.partSize).toBe(PART);
    expect(created.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    expect((await (await app.request(`/v1/videos/${created.videoId}`)).json()) as object).toMatchObject({
      videoId: created.videoId,
      status: 'uploading',
      size,
    });

    const parts = await uploadParts(created.parts, size);
    const done = await app.request(`/v1/uploads/${created.videoId}/complete`, json({ parts }));
    expect(done.status).toBe(202);
    expect(await done.json()).toEqual({ videoId: created.videoId, status: 'processing' });

    const head = await client.send(
      new HeadObjectCommand({ Bucket: 'uploads', Key: `uploads/${created.videoId}/my_clip.mp4` }),
    );
    expect(head.ContentLength).toBe(size);
    const stream = await inspect.xrange('meridian:transcode:jobs', '-', '+');
    const jobs = stream.map(
      ([, fields]) => JSON.parse(fields[1] ?? '{}') as { jobId: string; input: string; output: string[] },
    );
    expect(jobs).toContainEqual(
      expect.objectContaining({
        jobId: created.videoId,
        assetId: created.videoId,
        input: `s3://uploads/uploads/${created.videoId}/my_clip.mp4`,
        output: [`s3://media/vod/${created.videoId}`, `s3://media-replica/vod/${created.videoId}`],
      }),
    );
    expect(await inspect.hlen('meridian:{uploads}:outbox')).toBe(0);
    expect((await (await app.request(`/v1/videos/${created.videoId}`)).json()) as object).toMatchObject({
      status: 'processing',
    });

    // Completing twice is a conflict; the transcode worker's ready event shows in the status.
    expect((await app.request(`/v1/uploads/${created.videoId}/complete`, json({ parts }))).status).toBe(409);
    events.emit({ assetId: created.videoId, status: 'ready' });
    await sleep(50);
    expect((await (await app.request(`/v1/videos/${created.videoId}`)).json()) as object).toMatchObject({
      status: 'ready',
    });
  });

  it('keeps the job in the outbox when publishing fails, and the sweeper of a restarted server publishes it exactly once', async () => {
    const broken: TranscodeQueue = { enqueue: async () => Promise.reject(new Error('queue down')) };
    const crashed = uploadApp(uploadConfig(), broken);
    const created = (await (
      await crashed.app.request('/v1/uploads', json({ filename: 'b.mp4', size: 100, contentType: 'video/mp4' }))
    ).json()) as Created;
    const parts = await uploadParts(created.parts, 100);
    expect((await crashed.app.request(`/v1/uploads/${created.videoId}/complete`, json({ parts }))).status).toBe(202);
    const inStream = async () =>
      (await inspect.xrange('meridian:transcode:jobs', '-', '+')).filter(
        ([, f]) => (JSON.parse(f[1] ?? '{}') as { jobId: string }).jobId === created.videoId,
      ).length;
    expect(await inStream()).toBe(0);
    expect(await inspect.hexists('meridian:{uploads}:outbox', created.videoId)).toBe(1);

    const restarted = uploadApp(uploadConfig());
    expect(await restarted.uploads.sweepOutbox()).toBeGreaterThanOrEqual(1);
    expect(await restarted.uploads.sweepOutbox()).toBe(0);
    expect(await inStream()).toBe(1);
    expect(await inspect.hexists('meridian:{uploads}:outbox', created.videoId)).toBe(0);
  });

  it('rejects bad uploads with 4xx JSON errors and rate-limits each client', async () => {
    const { app } = uploadApp(uploadConfig({ UPLOAD_RATE_LIMIT_PER_MINUTE: '6', CLIENT_IP_HEADER: 'x-forwarded-for' }));
    const as = (ip: string, init: RequestInit): RequestInit => ({
      ...init,
      headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': ip },
    });
    const cases: Array<[RequestInit, string, number]> = [
      [json({ filename: 'a.mp4', size: -1, contentType: 'video/mp4' }), '/v1/uploads', 400],
      [json({ filename: 'a.exe', size: 10, contentType: 'application/x-msdownload' }), '/v1/uploads', 400],
      [{ method: 'POST', body: 'not json' }, '/v1/uploads', 400],
      [json({ parts: [{ partNumber: 1, etag: 'x' }] }), '/v1/uploads/nope/complete', 404],
      [json({ parts: [] }), '/v1/uploads/..%2Fx/complete', 400],
    ];
    for (const [init, path, status] of cases) {
      const res = await app.request(path, as('10.0.0.1', init));
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBeTruthy();
    }
    expect((await app.request('/v1/videos/unknown')).status).toBe(404);
    const ok = await app.request(
      '/v1/uploads',
      as('10.0.0.1', json({ filename: 'a.mp4', size: 10, contentType: 'video/mp4' })),
    );
    expect(ok.status).toBe(201);
    const limited = await app.request(
      '/v1/uploads',
      as('10.0.0.1', json({ filename: 'a.mp4', size: 10, contentType: 'video/mp4' })),
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is not affected.
    expect(
      (
        await app.request(
          '/v1/uploads',
          as('10.0.0.2', json({ filename: 'a.mp4', size: 10, contentType: 'video/mp4' })),
        )
      ).status,
    ).toBe(201);
    // The upload role serves no playback routes.
    expect((await app.request('/v1/vod/movie1/master.m3u8')).status).toBe(404);
  });
});
