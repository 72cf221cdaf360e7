/** @module The undici transport against real misbehaving servers on loopback: refusals, black holes, stalls, body resume. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refusedUrl, startBlackHole, startFaultyServer, type BlackHole, type FaultyServer } from '@meridian/testkit';
import { createOriginGroup, getAttempts, isOriginError, type OriginGroup } from '../src/index.node.ts';

let a: FaultyServer;
let b: FaultyServer;
const groups: OriginGroup[] = [];
const track = (g: OriginGroup): OriginGroup => (groups.push(g), g);

beforeAll(async () => {
  a = await startFaultyServer();
  b = await startFaultyServer();
});
afterAll(async () => {
  await a.close();
  await b.close();
});
afterEach(async () => {
  await Promise.all(groups.splice(0).map((g) => g.close()));
  a.requests.length = 0;
  b.requests.length = 0;
});

const body = 'x'.repeat(64 * 1024);

describe('strict mode over undici against real servers', () => {
  it('fails over from a refused primary to the secondary', async () => {
    b.set('/seg.ts', { kind: 'ok', body: 'from b' });
    const group = track(
      createOriginGroup({
        mode: 'strict',
        origins: [
          { id: 'primary', url: await refusedUrl() },
          { id: 'secondary', url: b.url },
        ],
      }),
    );
    const res = await group.fetch('/seg.ts');
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    expect(await res.text()).toBe('from b');
    expect(getAttempts(res).map((x) => x.outcome)).toEqual(['refused', 'refused', 'refused', 'ok']);
  });

  it('keeps connections alive: sequential requests to an origin reuse their socket', async () => {
    const ports = new Set<number>();
    a.set('/ka', {
      kind: 'custom',
      handle: (req, res) => {
        ports.add(req.socket.remotePort ?? 0);
        res.end('ok');
      },
    });
    const group = track(
      createOriginGroup({
        mode: 'strict',
        origins: [
          { id: 'primary', url: a.url },
          { id: 'secondary', url: b.url },
        ],
      }),
    );
    for (let i = 0; i < 10; i++) expect(await (await group.fetch('/ka')).text()).toBe('ok');
    // undici may open a second socket while the first is finishing its response; never one per request.
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it('fails over on a listed status, returns an unlisted one, and never follows a 3xx', async () => {
    a.set('/503', { kind: 'status', status: 503 });
    a.set('/404', { kind: 'status', status: 404, body: 'nope' });
    a.set('/302', { kind: 'status', status: 302, headers: { location: `${b.url}/elsewhere` } });
    b.set('*', { kind: 'ok', body: 'b' });
    const group = track(
      createOriginGroup({
        mode: 'strict',
        failoverStatusCodes: [503],
        origins: [
          { id: 'primary', url: a.url },
          { id: 'secondary', url: b.url },
        ],
      }),
    );
    expect((await group.fetch('/503')).headers.get('x-meridian-origin')).toBe('secondary');
    const notFound = await group.fetch('/404');
    expect([notFound.status, await notFound.text(), notFound.headers.get('x-meridian-origin')]).toEqual([
      404,
      'nope',
      'primary',
    ]);
    const redirect = await group.fetch('/302');
    expect(redirect.status).toBe(302);
    expect(b.requests.map((r) => r.path)).toEqual(['/503']);
  });

  it('fails over from a black-holed primary after attempts × connect timeout (2 × 1 s)', async () => {
    const hole: BlackHole = await startBlackHole();
    try {
      b.set('/seg.ts', { kind: 'ok', body: 'b' });
      const group = track(
        createOriginGroup({
          mode: 'strict',
          connectionAttempts: 2,
          connectionTimeoutMs: 1_000,
          origins: [
            { id: 'primary', url: hole.url },
            { id: 'secondary', url: b.url },
          ],
        }),
      );
      const started = Date.now();
      const res = await group.fetch('/seg.ts');
      const tookMs = Date.now() - started;
      expect(res.headers.get('x-meridian-origin')).toBe('secondary');
      expect(getAttempts(res).map((x) => x.outcome)).toEqual(['connect-timeout', 'connect-timeout', 'ok']);
      expect(tookMs).toBeGreaterThanOrEqual(1_950);
      expect(tookMs).toBeLessThan(2_600);
    } finally {
      await hole.close();
    }
  });

  it('times out a stalled body after the response timeout', async () => {
    a.set('/stall', { kind: 'stall-body', body, afterBytes: 1000 });
    const group = track(
      createOriginGroup({
        mode: 'strict',
        responseTimeoutMs: 1_000,
        origins: [
          { id: 'primary', url: a.url },
          { id: 'secondary', url: b.url },
        ],
      }),
    );
    const res = await group.fetch('/stall');
    const err = await res.arrayBuffer().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOriginError(err, 'ORIGIN_TIMEOUT')).toBe(true);
  });
});

describe('resilient mode over undici against real servers', () => {
  it('resumes a body that breaks mid-stream from the next origin with Range + If-Match', async () => {
    a.set('/big.ts', { kind: 'reset-body', body, afterBytes: 20_000, etag: '"v1"' });
    b.set('/big.ts', { kind: 'ok', body, etag: '"v1"' });
    const group = track(
      createOriginGroup({
        origins: [
          { id: 'a', url: a.url },
          { id: 'b', url: b.url },
        ],
        hedging: false,
      }),
    );
    const res = await group.fetch('/big.ts');
    expect(res.headers.get('x-meridian-origin')).toBe('a');
    const text = await res.text();
    expect(text.length).toBe(body.length);
    expect(text).toBe(body);
    const resumeReq = b.requests.at(-1);
    expect(resumeReq?.headers.range).toMatch(/^bytes=\d+-$/);
    expect(Number(resumeReq?.headers.range?.slice(6, -1))).toBeGreaterThan(0);
    expect(resumeReq?.headers['if-match']).toBe('"v1"');
    expect(getAttempts(res).map((x) => `${x.originId}:${x.outcome}${x.resume ? ':resume' : ''}`)).toEqual([
      'a:ok',
      'a:network',
      'b:ok:resume',
    ]);
  });

  it('resumes twice when the second origin breaks as well, still delivering one exact body', async () => {
    const c = await startFaultyServer({ '/big.ts': { kind: 'ok', body, etag: '"v1"' } });
    try {
      a.set('/big.ts', { kind: 'reset-body', body, afterBytes: 10_000, etag: '"v1"' });
      // b honours the Range but breaks again after 8 KiB of it.
      b.set('/big.ts', {
        kind: 'custom',
        handle: (req, res) => {
          const start = Number(/^bytes=(\d+)-$/.exec(String(req.headers.range))?.[1] ?? 0);
          res.writeHead(206, {
            etag: '"v1"',
            'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
            'content-length': String(body.length - start),
          });
          res.write(body.slice(start, start + 8_192));
          setTimeout(() => req.socket.resetAndDestroy(), 20);
        },
      });
      const group = track(
        createOriginGroup({
          origins: [
            { id: 'a', url: a.url },
            { id: 'b', url: b.url },
            { id: 'c', url: c.url },
          ],
          hedging: false,
        }),
      );
      const res = await group.fetch('/big.ts');
      expect(await res.text()).toBe(body);
      expect(getAttempts(res).map((x) => `${x.originId}:${x.outcome}${x.resume ? ':resume' : ''}`)).toEqual([
        'a:ok',
        'a:network',
        'b:ok:resume',
        'b:network:resume',
        'c:ok:resume',
      ]);
      expect(c.requests.at(-1)?.headers.range).toMatch(/^bytes=\d+-$/);
    } finally {
      await c.close();
    }
  });

  it('fails the stream with BODY_RESUME_MISMATCH when the next origin has another ETag (412)', async () => {
    a.set('/big.ts', { kind: 'reset-body', body, afterBytes: 20_000, etag: '"v1"' });
    b.set('/big.ts', { kind: 'ok', body: 'y'.repeat(body.length), etag: '"v2"' });
    const group = track(
      createOriginGroup({
        origins: [
          { id: 'a', url: a.url },
          { id: 'b', url: b.url },
        ],
        hedging: false,
      }),
    );
    const res = await group.fetch('/big.ts');
    const err = await res.text().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOriginError(err, 'BODY_RESUME_MISMATCH')).toBe(true);
    expect(String((err as Error).message)).toContain('412');
  });

  it('fails the stream with BODY_RESUME_MISMATCH when the next origin ignores Range (200)', async () => {
    a.set('/big.ts', { kind: 'reset-body', body, afterBytes: 20_000, etag: '"v1"' });
    b.set('/big.ts', { kind: 'ok', body, etag: '"v1"', ranges: 'ignore' });
    const group = track(
      createOriginGroup({
        origins: [
          { id: 'a', url: a.url },
          { id: 'b', url: b.url },
        ],
        hedging: false,
      }),
    );
    const err = await (await group.fetch('/big.ts')).text().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOriginError(err, 'BODY_RESUME_MISMATCH')).toBe(true);
    expect(String((err as Error).message)).toContain('200');
  });

  it('refuses to resume a body with a weak or missing ETag rather than risk corrupting it', async () => {
    a.set('/weak.ts', { kind: 'reset-body', body, afterBytes: 20_000, etag: 'W/"v1"' });
    a.set('/none.ts', { kind: 'reset-body', body, afterBytes: 20_000 });
    b.set('*', { kind: 'ok', body, etag: '"v1"' });
    const group = track(
      createOriginGroup({
        origins: [
          { id: 'a', url: a.url },
          { id: 'b', url: b.url },
        ],
        hedging: false,
      }),
    );
    for (const path of ['/weak.ts', '/none.ts']) {
      const err = await (await group.fetch(path)).text().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isOriginError(err, 'BODY_RESUME_MISMATCH')).toBe(true);
    }
    expect(b.requests).toHaveLength(0);
  });

  it('never lets a percent-encoded ../ climb out of the base path', async () => {
    a.set('*', { kind: 'ok', body: 'a' });
    const group = track(createOriginGroup({ origins: [{ id: 'a', url: `${a.url}/media/` }] }));
    for (const path of [
      '/%2e%2e/secret',
      '/x/%2E%2E/%2e%2e/secret',
      '/%252e%252e/secret',
      '/..%2fsecret',
      '/a%5c..%5csecret',
      '/./x',
    ]) {
      await expect(group.fetch(path)).rejects.toSatisfy((e: unknown) => isOriginError(e, 'INVALID_PATH'));
    }
    await expect(group.fetch(`${a.url}/secret`)).rejects.toSatisfy((e: unknown) =>
      isOriginError(e, 'ORIGIN_NOT_CONFIGURED'),
    );
    expect(a.requests).toHaveLength(0);
    const ok = await group.fetch(`${a.url}/media/seg%201.ts`);
    expect(await ok.text()).toBe('a');
    expect(a.requests.map((r) => r.path)).toEqual(['/media/seg%201.ts']);
  });
});

describe('strict mode never repeats a request that may have reached the origin', () => {
  it('a POST whose connection is reset is not retried and does not fail over; a GET is retried', async () => {
    a.set('/reset', { kind: 'reset' });
    b.set('/reset', { kind: 'ok', body: 'b' });
    const group = track(
      createOriginGroup({
        mode: 'strict',
        origins: [
          { id: 'primary', url: a.url },
          { id: 'secondary', url: b.url },
        ],
      }),
    );
    const post = await group.fetch('/reset', { method: 'POST', body: 'order=1' });
    expect(post.status).toBe(502);
    expect(a.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(b.requests).toHaveLength(0);
    const get = await group.fetch('/reset');
    expect(get.headers.get('x-meridian-origin')).toBe('secondary');
    expect(getAttempts(get).map((x) => x.outcome)).toEqual(['network', 'network', 'network', 'ok']);
  });
});

describe('playlists over undici', () => {
  it('serves a playlist larger than the 4 MiB scan limit unchecked and intact', async () => {
    const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:6', '#EXT-X-MEDIA-SEQUENCE:1'];
    let length = 0;
    for (let i = 0; length < 5 * 1024 * 1024; i++) {
      const name = `segment-with-a-long-name-${i}.ts`;
      lines.push('#EXTINF:6,', name);
      length += name.length + 12;
    }
    const big = `${lines.join('\n')}\n`;
    a.set('/big.m3u8', { kind: 'ok', body: big, chunkBytes: 256 * 1024, chunkIntervalMs: 1 });
    const group = track(
      createOriginGroup({
        origins: [
          { id: 'a', url: a.url },
          { id: 'b', url: b.url },
        ],
      }),
    );
    const res = await group.fetch('/big.m3u8');
    expect(res.headers.get('x-meridian-origin')).toBe('a');
    const text = await res.text();
    expect(text.length).toBe(big.length);
    expect(text === big).toBe(true);
  });
});
