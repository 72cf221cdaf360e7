/** @module Sessions and metadata on a real redis-server: pipelined records, L2 metadata, invalidation events, and Valkey dying mid-playback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { sleep, startRedis, type FaultyServer, type RedisHandle } from '@meridian/testkit';
import { buildApp, metricValue, publishAsset, startOrigin, testConfig } from './helpers.ts';
import { createValkeyClient, type ValkeyClient } from '../src/valkey.ts';
import { createValkeySessionStore } from '../src/sessions/valkey-store.ts';
import { createValkeyAssetEvents } from '../src/jobs.ts';
import { createMemoryLogger } from '../src/log.ts';
import { createValkeyKeyStore } from '../src/keys.ts';

let redis: RedisHandle;
let origin: FaultyServer;
let valkey: ValkeyClient;
let inspect: Redis;

beforeAll(async () => {
  redis = await startRedis();
  origin = await startOrigin();
  publishAsset(origin, 'movie1');
  publishAsset(origin, 'movie2');
  publishAsset(origin, 'secret1', { keyId: 'vk1' });
  inspect = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  inspect.on('error', () => undefined);
});

afterAll(async () => {
  valkey?.disconnect();
  inspect?.disconnect();
  await origin?.close();
  await redis?.stop();
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sessionFrom = (text: string): string => /\/v1\/sessions\/([^/]+)\/v0\.m3u8/.exec(text)?.[1] ?? '';

describe('with Valkey', () => {
  it('stores sessions with a TTL, survives Valkey being killed mid-playback (no 5xx, sessions rebuilt), and recovers when it returns', async () => {
    const config = testConfig([origin.url], { VALKEY_URL: redis.url, VALKEY_COMMAND_TIMEOUT_MS: '200' });
    valkey = createValkeyClient(config.valkey, createMemoryLogger()) as ValkeyClient;
    await waitFor(async () => (await valkey.ping()) === 'PONG', 'valkey ready');
    const { app, deps, sessions, log } = buildApp(config, {
      valkey,
      sessionStore: createValkeySessionStore(valkey, config.valkey.keyPrefix),
    });

    const sid = sessionFrom(await (await app.request('/v1/vod/movie1/master.m3u8?ads.tier=gold')).text());
    const { id } = await sessions.verify(sid);
    const key = `meridian:session:{${id}}`;
    expect(await inspect.exists(key)).toBe(1);
    const ttl = await inspect.ttl(key);
    expect(ttl).toBeGreaterThan(config.sessionTtlSeconds - 10);
    expect(ttl).toBeLessThanOrEqual(config.sessionTtlSeconds);
    expect((await app.request(`/v1/sessions/${sid}/v0.m3u8`)).status).toBe(200);

    await redis.kill();
    for (let i = 0; i < 5; i++) {
      const media = await app.request(`/v1/sessions/${sid}/v${i % 2}.m3u8`);
      expect(media.status).toBe(200);
      expect(await media.text()).toContain(`seg0.ts?session=${sid}`);
    }
    // New viewers can still start sessions, and they play.
    const fresh = await app.request('/v1/vod/movie2/master.m3u8');
    expect(fresh.status).toBe(200);
    const freshSid = sessionFrom(await fresh.text());
    expect((await app.request(`/v1/sessions/${freshSid}/v0.m3u8`)).status).toBe(200);
    const metrics = await deps.metrics.registry.metrics();
    expect(metricValue(metrics, 'meridian_session_rebuilds_total', { reason: 'store_down' })).toBeGreaterThanOrEqual(5);
    expect(metricValue(metrics, 'meridian_http_requests_total', { status: '500' })).toBe(0);
    expect((await app.request('/readyz')).status).toBe(503);
    // One warning for the outage, not one per request.
    expect(log.lines.filter((l) => l.msg === 'session store failed').length).toBe(1);

    await redis.restart();
    await waitFor(async () => (await valkey.ping()) === 'PONG', 'valkey reconnect');
    // The restarted Valkey is empty: the next request rebuilds the record from the signed id and stores it again.
    expect((await app.request(`/v1/sessions/${sid}/v0.m3u8`)).status).toBe(200);
    await waitFor(async () => (await inspect.exists(key)) === 1, 'session record re-stored');
    expect(JSON.parse((await inspect.get(key)) ?? '{}')).toMatchObject({
      claims: { contentId: 'movie1', adParams: { tier: 'gold' } },
      zone: 'zone-a',
    });
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('keeps asset metadata in a Valkey L2 for 600 s and drops it (L1 and L2) when a transcode job reports ready', async () => {
    const config = testConfig([origin.url], { VALKEY_URL: redis.url, METADATA_L1_TTL_MS: '600000' });
    const client = createValkeyClient(config.valkey, createMemoryLogger()) as ValkeyClient;
    await waitFor(async () => (await client.ping()) === 'PONG', 'valkey ready');
    const events = createValkeyAssetEvents(client, createMemoryLogger());
    const { app, dispose } = buildApp(config, {
      valkey: client,
      sessionStore: createValkeySessionStore(client, config.valkey.keyPrefix),
      events,
    });
    try {
      const assetReads = (): number => origin.requests.filter((r) => r.path === '/vod/movie2/asset.json').length;
      const before = assetReads();
      expect((await app.request('/v1/vod/movie2/master.m3u8')).status).toBe(200);
      expect((await app.request('/v1/vod/movie2/master.m3u8')).status).toBe(200);
      expect(assetReads()).toBe(before + 1);
      await waitFor(async () => (await inspect.exists('meridian:asset:movie2')) === 1, 'L2 written');
      const ttl = await inspect.ttl('meridian:asset:movie2');
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);

      // A second zone (fresh L1) reads the metadata from L2, not the origin.
      const other = buildApp(config, {
        valkey: client,
        sessionStore: createValkeySessionStore(client, config.valkey.keyPrefix),
      });
      expect((await other.app.request('/v1/vod/movie2/master.m3u8')).status).toBe(200);
      expect(assetReads()).toBe(before + 1);

      await waitFor(
        async () =>
          (await inspect
            .pubsub('NUMSUB', 'meridian:transcode:events')
            .then((r) => Number((r as [string, number])[1]))) > 0,
        'subscribed',
      );
      // The event shape transcode-gpu's worker publishes.
      await inspect.publish(
        'meridian:transcode:events',
        JSON.stringify({
          type: 'ready',
          jobId: 'j1',
          assetId: 'movie2',
          output: 's3://media/vod/movie2',
          attempt: 1,
          at: new Date().toISOString(),
        }),
      );
      await waitFor(async () => (await inspect.exists('meridian:asset:movie2')) === 0, 'L2 invalidated');
      expect((await app.request('/v1/vod/movie2/master.m3u8')).status).toBe(200);
      expect(assetReads()).toBe(before + 2);
    } finally {
      dispose();
      await events.close();
      client.disconnect();
    }
  });

  it('serves AES-128 keys that the transcoder stored in Valkey, only to sessions of that content', async () => {
    const config = testConfig([origin.url], { VALKEY_URL: redis.url });
    const client = createValkeyClient(config.valkey, createMemoryLogger()) as ValkeyClient;
    try {
      await waitFor(async () => (await client.ping()) === 'PONG', 'valkey ready');
      const keys = createValkeyKeyStore(client);
      const key = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
      await keys.put('vk1', key);
      const { app } = buildApp(config, {
        valkey: client,
        sessionStore: createValkeySessionStore(client, config.valkey.keyPrefix),
        keys,
      });
      const secret = sessionFrom(await (await app.request('/v1/vod/secret1/master.m3u8')).text());
      const res = await app.request(`/v1/keys/vk1?session=${secret}`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(key);
      const other = sessionFrom(await (await app.request('/v1/vod/movie1/master.m3u8')).text());
      expect((await app.request(`/v1/keys/vk1?session=${other}`)).status).toBe(403);

      // Valkey lost: the key this zone already served still decrypts; one it never saw is a retryable 503.
      await keys.put('vk2', key);
      publishAsset(origin, 'secret2', { keyId: 'vk2' });
      const secret2 = sessionFrom(await (await app.request('/v1/vod/secret2/master.m3u8')).text());
      await redis.kill();
      try {
        const again = await app.request(`/v1/keys/vk1?session=${secret}`);
        expect(again.status).toBe(200);
        expect(new Uint8Array(await again.arrayBuffer())).toEqual(key);
        const unseen = await app.request(`/v1/keys/vk2?session=${secret2}`);
        expect(unseen.status).toBe(503);
        expect(unseen.headers.get('retry-after')).toBe('1');
      } finally {
        await redis.restart();
      }
    } finally {
      client.disconnect();
    }
  });
});
