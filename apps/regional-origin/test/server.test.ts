/** @module The wired server on a real port: start command, configuration errors, JSON logs, graceful shutdown. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort, startRedis, waitForPort, type FaultyServer, type RedisHandle } from '@meridian/testkit';
import { publishAsset, SIGNING_KEYS, startOrigin, testConfig } from './helpers.ts';
import { startServer } from '../src/server.ts';
import { createMemoryLogger } from '../src/log.ts';

let origin: FaultyServer;
let redis: RedisHandle;

beforeAll(async () => {
  [origin, redis] = await Promise.all([startOrigin(), startRedis()]);
  publishAsset(origin, 'movie1');
  origin.set('/vod/slow/asset.json', { kind: 'ok', delayMs: 400, body: '{}' });
});

afterAll(async () => {
  await origin?.close();
  await redis?.stop();
});

describe('server', () => {
  it('serves on 127.0.0.1, logs one JSON line per request, and drains an in-flight request before closing Valkey', async () => {
    const log = createMemoryLogger();
    const config = testConfig([origin.url], {
      PORT: '0',
      VALKEY_URL: redis.url,
      LOG_REQUESTS: 'true',
      PUBLIC_BASE_URL: 'http://127.0.0.1:1',
    });
    const running = await startServer(config, log);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const master = await fetch(`${running.url}/v1/vod/movie1/master.m3u8`);
    expect(master.status).toBe(200);
    const line = log.lines.find((l) => l.msg === 'request' && l.route === '/v1/vod/:assetId/master.m3u8');
    expect(line).toMatchObject({ level: 'info', method: 'GET', status: 200, zone: 'zone-a', origin: 'primary' });
    expect(typeof line?.durationMs).toBe('number');

    const slow = fetch(`${running.url}/v1/vod/slow/master.m3u8`);
    await new Promise((r) => setTimeout(r, 100));
    await running.shutdown();
    // The request that was in flight when shutdown began still got its (error) answer.
    expect((await slow).status).toBe(502);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    expect(running.zone.inFlight()).toBe(0);
    expect(log.lines.some((l) => l.msg === 'shut down')).toBe(true);
  });

  it('npm start fails fast with every configuration problem listed, and starts on valid flags', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const run = (env: Record<string, string>, args: string[] = []) =>
      spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });

    const bad = run({ PORT: 'eighty', ROLE: 'everything' });
    let stderr = '';
    bad.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT=eighty');
    expect(stderr).toContain('ROLE=everything');
    expect(stderr).toContain('SIGNING_KEYS is required');
    expect(stderr).not.toMatch(/\n\s+at /);

    const port = await getFreePort();
    const good = run({ SIGNING_KEYS, ORIGIN_URLS: origin.url }, ['--port', String(port), '--zone=zone-z']);
    try {
      await waitForPort(port, 20_000);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await res.json()).toEqual({ status: 'ok', zone: 'zone-z', role: 'all' });
    } finally {
      const exited = new Promise((resolve) => good.once('exit', resolve));
      good.kill('SIGTERM');
      await exited;
    }
  });
});
