import { afterAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { refusedUrl, startBlackHole, startFaultyServer, startRedis, startS3 } from '../src/index.ts';

function sendRedis(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', reject);
    s.once('data', (d) => {
      resolve(d.toString());
      s.destroy();
    });
    s.write(command + '\r\n');
  });
}

describe('startRedis', () => {
  it('runs a real redis-server that answers PING and survives kill + restart', async () => {
    const redis = await startRedis();
    try {
      expect(await sendRedis(redis.port, 'PING')).toBe('+PONG\r\n');
      await redis.kill();
      await expect(sendRedis(redis.port, 'PING')).rejects.toThrow();
      await redis.restart();
      expect(await sendRedis(redis.port, 'PING')).toBe('+PONG\r\n');
    } finally {
      await redis.stop();
    }
  });
});

describe('startS3', () => {
  it('stores a streamed upload byte for byte', async () => {
    const s3 = await startS3({ buckets: ['media'] });
    try {
      const body = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
      await s3.client.send(new PutObjectCommand({ Bucket: 'media', Key: 'a/b.bin', Body: body }));
      const got = await s3.client.send(new GetObjectCommand({ Bucket: 'media', Key: 'a/b.bin' }));
      const bytes = await got.Body!.transformToByteArray();
      expect(Buffer.from(bytes).equals(Buffer.from(body))).toBe(true);
    } finally {
      await s3.destroy();
    }
  });
});

describe('startFaultyServer', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('returns any status and honours Range', async () => {
    const srv = await startFaultyServer({
      '/503': { kind: 'status', status: 503 },
      '/file': { kind: 'ok', body: '0123456789', etag: '"v1"' },
      '/wrong': { kind: 'ok', body: '0123456789', ranges: 'wrong' },
    });
    servers.push(srv);
    expect((await fetch(`${srv.url}/503`)).status).toBe(503);
    const r = await fetch(`${srv.url}/file`, { headers: { range: 'bytes=4-' } });
    expect(r.status).toBe(206);
    expect(await r.text()).toBe('456789');
    const bad = await fetch(`${srv.url}/file`, { headers: { range: 'bytes=4-', 'if-match': '"v2"' } });
    expect(bad.status).toBe(412);
    expect(await (await fetch(`${srv.url}/wrong`, { headers: { range: 'bytes=4-' } })).text()).toBe('012345');
  });

  it('resets mid-body and hangs', async () => {
    const srv = await startFaultyServer({
      '/reset': { kind: 'reset-body', body: 'x'.repeat(100_000), afterBytes: 1000 },
      '/hang': { kind: 'hang' },
    });
    servers.push(srv);
    const r = await fetch(`${srv.url}/reset`);
    await expect(r.text()).rejects.toThrow();
    await expect(fetch(`${srv.url}/hang`, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/abort|timeout/i);
  });

  it('refused and black-holed ports fail the way networks do', async () => {
    await expect(fetch(await refusedUrl())).rejects.toThrow();
    const hole = await startBlackHole();
    try {
      const started = Date.now();
      const outcome = await new Promise<string>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: hole.port });
        s.on('connect', () => resolve('connected'));
        s.on('error', (e) => resolve(e.message));
        setTimeout(() => {
          s.destroy();
          resolve('pending');
        }, 300);
      });
      expect(outcome).toBe('pending');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await hole.close();
    }
  });
});
