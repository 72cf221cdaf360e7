/**
 * @module Pooled playlist bytes over real HTTP: the zone reuses a media playlist's buffer only
 * after the kernel has taken all of it, so a viewer whose connection stalls mid-response still
 * receives their own playlist intact while other viewers' playlists are rendered meanwhile.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultyServer } from '@meridian/testkit';
import { assetJson, MASTER, startOrigin, testConfig } from './helpers.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { createMemoryLogger } from '../src/log.ts';

/** Large enough (~8 MB per session playlist, more than the kernel buffers on both ends hold) that a stalled reader leaves much of it in the zone. */
const SEGMENTS = 30_000;

/** python3: connects with a 4 KB receive buffer, sends the GET, sleeps 1.5 s, then copies the whole response to stdout. */
const SLOW_CLIENT = [
  'import socket, sys, time',
  's = socket.socket()',
  's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
  "s.connect(('127.0.0.1', int(sys.argv[1])))",
  "s.sendall(('GET %s HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' % sys.argv[2]).encode())",
  'time.sleep(1.5)',
  'while True:',
  '    b = s.recv(65536)',
  '    if not b: break',
  '    sys.stdout.buffer.write(b)',
].join('\n');

let origin: FaultyServer;
let zone: RunningServer;

beforeAll(async () => {
  origin = await startOrigin();
  const media = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    ...Array.from({ length: SEGMENTS }, (_, i) => `#EXTINF:6.000,\nseg${i}.ts`),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
  origin.set('/vod/long1/asset.json', { kind: 'ok', body: JSON.stringify(assetJson('long1')) });
  origin.set('/vod/long1/master.m3u8', { kind: 'ok', body: MASTER });
  for (const r of ['240p', '720p']) origin.set(`/vod/long1/${r}/index.m3u8`, { kind: 'ok', body: media });
  zone = await startServer(
    testConfig([origin.url], { PORT: '0', MAX_ORIGIN_BYTES: String(8 * 1024 * 1024) }),
    createMemoryLogger(),
  );
});

afterAll(async () => {
  await zone?.shutdown();
  await origin?.close();
});

async function session(): Promise<string> {
  const res = await fetch(`${zone.url}/v1/vod/long1/master.m3u8`);
  await res.text();
  return res.headers.get('x-meridian-session') ?? '';
}

/** Checks a body is the session's whole playlist: every segment once, in order, each with this session's token. */
function expectOwnPlaylist(body: string, token: string): void {
  const uris = body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  expect(uris).toHaveLength(SEGMENTS);
  uris.forEach((uri, i) => {
    if (!uri.endsWith(`/vod/long1/720p/seg${i}.ts?session=${token}`))
      expect.fail(`segment ${i} is ${uri.slice(0, 300)}`);
  });
  expect(body.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
}

describe('pooled playlist bytes', () => {
  it('a stalled viewer gets their own playlist intact while others are served from the pool', async () => {
    const tokens = await Promise.all(Array.from({ length: 12 }, () => session()));
    const [stalled, ...others] = tokens as [string, ...string[]];

    // A client with a 4 KB receive buffer that reads nothing for a while: most of its response stays in the zone.
    const port = Number(new URL(zone.url).port);
    const client = spawn('python3', ['-c', SLOW_CLIENT, String(port), `/v1/sessions/${stalled}/v1.m3u8`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    client.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const exited = new Promise<number | null>((resolve) => client.once('exit', resolve));
    await new Promise((r) => setTimeout(r, 300));

    // Meanwhile the other viewers' playlists are rendered (and their buffers released and reused), several times over.
    for (let round = 0; round < 3; round++) {
      const bodies = await Promise.all(
        others.map(
          async (token) => [token, await (await fetch(`${zone.url}/v1/sessions/${token}/v1.m3u8`)).text()] as const,
        ),
      );
      for (const [token, body] of bodies) expectOwnPlaylist(body, token);
    }

    expect(await exited).toBe(0);
    const raw = Buffer.concat(chunks).toString('utf8');
    const split = raw.indexOf('\r\n\r\n');
    expect(raw.slice(0, split)).toMatch(/^HTTP\/1\.1 200/);
    const length = Number(/content-length: (\d+)/i.exec(raw.slice(0, split))?.[1]);
    const body = raw.slice(split + 4);
    expect(Buffer.byteLength(body)).toBe(length);
    expectOwnPlaylist(body, stalled);
  }, 30_000);
});
