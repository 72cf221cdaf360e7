/** @module Valkey Cluster: a real three-node redis-server cluster; session pipelines and the upload outbox MULTI stay in one slot. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort, sleep, waitForPort } from '@meridian/testkit';
import { createValkeyClient, type ValkeyClient } from '../src/valkey.ts';
import { createValkeySessionStore } from '../src/sessions/valkey-store.ts';
import { createValkeyUploadStore } from '../src/uploads/store.ts';
import { createMemoryLogger } from '../src/log.ts';
import { loadConfig } from '../src/config.ts';
import { SIGNING_KEYS } from './helpers.ts';

const nodes: ChildProcess[] = [];
const ports: number[] = [];
let dir: string;
let client: ValkeyClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-cluster-'));
  for (let i = 0; i < 3; i++) {
    const port = await getFreePort();
    ports.push(port);
    nodes.push(
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      ),
    );
  }
  await Promise.all(ports.map((p) => waitForPort(p)));
  const create = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (create.status !== 0) throw new Error(`cluster create failed: ${create.stdout}${create.stderr}`);
  for (let i = 0; i < 100; i++) {
    const info = spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
    if (info.includes('cluster_state:ok')) break;
    await sleep(100);
  }
  const config = loadConfig({
    SIGNING_KEYS,
    ORIGIN_URLS: 'http://127.0.0.1:9',
    VALKEY_CLUSTER_NODES: ports.map((p) => `127.0.0.1:${p}`).join(','),
  });
  client = createValkeyClient(config.valkey, createMemoryLogger()) as ValkeyClient;
  for (let i = 0; i < 100 && client.status !== 'ready'; i++) await sleep(50);
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  for (const node of nodes) {
    if (node.exitCode === null) {
      const exited = new Promise((resolve) => node.once('exit', resolve));
      node.kill('SIGTERM');
      await exited;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Valkey Cluster', () => {
  it('stores and reads many sessions with their break decisions in one pipeline each, across all shards', async () => {
    const store = createValkeySessionStore(client, 'meridian:');
    const ids = Array.from({ length: 30 }, (_, i) => `session${i}`);
    for (const id of ids) {
      await store.save(
        {
          id,
          kind: 'vod',
          contentId: 'movie1',
          mode: 'stitched',
          adParams: { i: id },
          country: undefined,
          createdAtSeconds: 1,
          seed: 1,
        },
        'zone-a',
        600,
      );
      await store.saveBreak(id, { breakId: 'b0', outcome: 'filled', fill: 'slate', ads: [], decidedAtMs: 1 }, 600);
    }
    for (const id of ids) {
      const state = await store.load(id);
      expect(state?.claims.adParams).toEqual({ i: id });
      expect(state?.breaks.b0?.fill).toBe('slate');
    }
    // The sessions really are spread over the shards (otherwise this test proves nothing about slots).
    const owners = new Set(
      ids.map((id) => (client as unknown as { slots: string[][] }).slots[clusterSlot(`meridian:session:{${id}}`)]?.[0]),
    );
    expect(owners.size).toBeGreaterThan(1);
  });

  it('writes a video record and its outbox job in one MULTI and sweeps the outbox', async () => {
    const store = createValkeyUploadStore(client, 'meridian:');
    await store.create({
      videoId: 'v1',
      status: 'uploading',
      filename: 'a.mp4',
      sizeBytes: 1,
      contentType: 'video/mp4',
      uploadId: 'u',
      sourceKey: 'k',
      createdAtMs: 1,
      updatedAtMs: 1,
    });
    const job = { jobId: 'v1', assetId: 'v1', source: 's3://b/k', kind: 'upload' as const, requestedAtMs: 2 };
    expect(await store.completeWithJob('v1', job, 2)).toBe(true);
    expect(await store.completeWithJob('v1', job, 3)).toBe(false);
    expect((await store.get('v1'))?.status).toBe('processing');
    expect(await store.pendingJobs(10)).toEqual([job]);
    await store.ackJob('v1');
    expect(await store.pendingJobs(10)).toEqual([]);
  });
});

/** CRC16 hash slot of a key (Redis Cluster spec), honouring `{hash tags}`. */
function clusterSlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
