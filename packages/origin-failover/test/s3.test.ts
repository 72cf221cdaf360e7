/** @module S3 origins against three s3rver instances standing in for three regions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig, startS3, type S3Handle } from '@meridian/testkit';
import { createS3OriginGroup, getAttempts, isOriginError, type S3OriginConfig } from '../src/index.node.ts';

let primary: S3Handle;
let secondary: S3Handle;
let tertiary: S3Handle;
const clients: S3Client[] = [];

// s3rver does not check SigV4 signatures, but an unknown access key id gets a real 403 (InvalidAccessKeyId).
function client(s3: S3Handle, region: string, accessKeyId = 'S3RVER'): S3Client {
  const c = new S3Client({
    ...s3ClientConfig(s3.endpoint, region),
    credentials: { accessKeyId, secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
}

const segment = Buffer.from('0123456789abcdef'.repeat(64));

beforeAll(async () => {
  [primary, secondary, tertiary] = await Promise.all([
    startS3({ buckets: ['media-use1'], region: 'us-east-1' }),
    startS3({ buckets: ['media-euw1'], region: 'eu-west-1' }),
    startS3({ buckets: ['media-apse1'], region: 'ap-southeast-1' }),
  ]);
  // Replication lag: the newest segment exists on the replicas but not yet on the primary.
  await primary.client.send(
    new PutObjectCommand({ Bucket: 'media-use1', Key: 'vod/1/seg0.ts', Body: segment, ContentType: 'video/mp2t' }),
  );
  for (const [s3, bucket] of [
    [secondary, 'media-euw1'],
    [tertiary, 'media-apse1'],
  ] as const) {
    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'vod/1/seg0.ts', Body: segment, ContentType: 'video/mp2t' }),
    );
    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'vod/1/seg1.ts', Body: segment, ContentType: 'video/mp2t' }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([primary, secondary, tertiary].map((s) => s?.destroy()));
});

function origins(primaryKeyId = 'S3RVER'): S3OriginConfig[] {
  return [
    { id: 'us-east-1', client: client(primary, 'us-east-1', primaryKeyId), bucket: 'media-use1' },
    { id: 'eu-west-1', client: client(secondary, 'eu-west-1'), bucket: 'media-euw1' },
    { id: 'ap-southeast-1', client: client(tertiary, 'ap-southeast-1'), bucket: 'media-apse1' },
  ];
}

describe('S3 origins (three s3rver regions)', () => {
  it('serves from the primary bucket when it has the object', async () => {
    const group = createS3OriginGroup({ origins: origins(), hedging: false });
    const res = await group.fetch('/vod/1/seg0.ts');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-meridian-origin')).toBe('us-east-1');
    expect(res.headers.get('content-type')).toBe('video/mp2t');
    expect(Buffer.from(await res.arrayBuffer()).equals(segment)).toBe(true);
  });

  it('fails over on a 404 (replication lag) to the next bucket', async () => {
    const group = createS3OriginGroup({ origins: origins(), hedging: false });
    const res = await group.fetch('/vod/1/seg1.ts');
    expect(res.headers.get('x-meridian-origin')).toBe('eu-west-1');
    expect(Buffer.from(await res.arrayBuffer()).equals(segment)).toBe(true);
    expect(getAttempts(res).map((a) => `${a.originId}:${a.outcome}:${a.status}`)).toEqual([
      'us-east-1:failover-status:404',
      'eu-west-1:ok:200',
    ]);
  });

  it('CF16: treats a 403 from the primary as 404 and fails over (strict mode with 404 listed)', async () => {
    const [p, s] = origins('NO-LIST-BUCKET');
    const group = createS3OriginGroup({ mode: 'strict', failoverStatusCodes: [404], origins: [p!, s!] });
    const res = await group.fetch('/vod/1/seg0.ts');
    expect(res.headers.get('x-meridian-origin')).toBe('eu-west-1');
    expect(getAttempts(res)[0]?.status).toBe(404);
  });

  it('returns a real 403 when asked not to map it', async () => {
    const [p, s] = origins('NO-LIST-BUCKET');
    const group = createS3OriginGroup({
      mode: 'strict',
      failoverStatusCodes: [404],
      origins: [p!, s!],
      treat403As404: false,
    });
    const res = await group.fetch('/vod/1/seg0.ts');
    expect(res.status).toBe(403);
    expect(res.headers.get('x-meridian-origin')).toBe('us-east-1');
  });

  it('passes Range, If-None-Match and HEAD through', async () => {
    const group = createS3OriginGroup({ origins: origins(), hedging: false });
    const ranged = await group.fetch('/vod/1/seg0.ts', { headers: { range: 'bytes=0-3' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('0123');
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-3/${segment.length}`);
    const head = await group.fetch('/vod/1/seg0.ts', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(segment.length);
    const etag = head.headers.get('etag')!;
    const notModified = await group.fetch('/vod/1/seg0.ts', { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('x-meridian-origin')).toBe('us-east-1');
  });

  it('fails over past a region that is down to the tertiary, and reports exhaustion when all are gone', async () => {
    await secondary.stop();
    try {
      const group = createS3OriginGroup({ origins: origins(), hedging: false });
      const res = await group.fetch('/vod/1/seg1.ts');
      expect(res.headers.get('x-meridian-origin')).toBe('ap-southeast-1');
      expect(getAttempts(res).map((a) => a.outcome)).toEqual(['failover-status', 'refused', 'ok']);
      await tertiary.stop();
      try {
        const last = await group.fetch('/vod/1/seg1.ts').then(
          (r) => r.status,
          (e: unknown) => e,
        );
        // The primary's 404 is the only answer left, so it is returned (CF8-like); nothing is invented.
        expect(last).toBe(404);
      } finally {
        await tertiary.start();
      }
      const missing = await group.fetch('/vod/1/none.ts');
      expect(missing.status).toBe(404);
      expect(isOriginError(missing)).toBe(false);
    } finally {
      await secondary.start();
    }
  });
});
