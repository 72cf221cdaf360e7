import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer, type StaticServer } from '../src/index.ts';

/** A raw GET that does not normalise `..` the way fetch does. */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startStaticServer', () => {
  let dir: string;
  let srv: StaticServer;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'testkit-static-'));
    dir = join(root, 'www');
    mkdirSync(join(dir, 'r0'), { recursive: true });
    writeFileSync(join(root, 'secret.txt'), 'do not serve');
    writeFileSync(join(dir, 'master.m3u8'), '#EXTM3U\n');
    writeFileSync(join(dir, 'r0', 'seg_000.m4s'), '0123456789');
    writeFileSync(join(dir, 'r0', 'a b.vtt'), 'WEBVTT\n');
    srv = await startStaticServer(dir);
  });
  afterAll(async () => {
    await srv.close();
  });

  it('serves files with HLS media types, CORS and byte ranges', async () => {
    const m = await fetch(`${srv.url}/master.m3u8`);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(m.headers.get('access-control-allow-origin')).toBe('*');
    expect(await m.text()).toBe('#EXTM3U\n');
    const r = await fetch(`${srv.url}/r0/seg_000.m4s`, { headers: { range: 'bytes=2-5' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await r.text()).toBe('2345');
    expect(await fetch(`${srv.url}/r0/seg_000.m4s`, { headers: { range: 'bytes=-3' } }).then((x) => x.text())).toBe(
      '789',
    );
    expect((await fetch(`${srv.url}/r0/seg_000.m4s`, { headers: { range: 'bytes=20-' } })).status).toBe(416);
    const vtt = await fetch(`${srv.url}/r0/a%20b.vtt`);
    expect(vtt.headers.get('content-type')).toBe('text/vtt');
    expect((await fetch(`${srv.url}/nope.ts`)).status).toBe(404);
  });

  it('never serves files outside its directory', async () => {
    expect(await rawGet(srv.port, '/../secret.txt')).toBe(404);
    expect(await rawGet(srv.port, '/%2e%2e/secret.txt')).toBe(404);
    expect(await rawGet(srv.port, '/r0/%2e%2e%2f%2e%2e%2fsecret.txt')).toBe(404);
  });

  it('injects faults per request and can be killed and restarted', async () => {
    srv.fault(/\.m4s$/, { kind: 'status', status: 503 }, 1);
    expect((await fetch(`${srv.url}/r0/seg_000.m4s`)).status).toBe(503);
    expect((await fetch(`${srv.url}/r0/seg_000.m4s`)).status).toBe(200);
    srv.fault('/master.m3u8', { kind: 'reset-body', afterBytes: 2 });
    await expect(fetch(`${srv.url}/master.m3u8`).then((r) => r.text())).rejects.toThrow();
    srv.clearFaults();
    srv.fault('/master.m3u8', { kind: 'hang' }, 1);
    await expect(fetch(`${srv.url}/master.m3u8`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(srv.requests.at(-1)).toMatchObject({ path: '/master.m3u8', method: 'GET' });

    await srv.kill();
    await expect(fetch(`${srv.url}/master.m3u8`)).rejects.toThrow();
    await srv.restart();
    expect((await fetch(`${srv.url}/master.m3u8`)).status).toBe(200);
  });

  it('lets a hook answer before the file is served', async () => {
    const hooked = await startStaticServer(dir, {
      onRequest: (req, res, { path }) => {
        if (path !== '/page.html') return false;
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<p>hi</p>');
        return true;
      },
    });
    try {
      expect(await (await fetch(`${hooked.url}/page.html`)).text()).toBe('<p>hi</p>');
      expect((await fetch(`${hooked.url}/master.m3u8`)).status).toBe(200);
    } finally {
      await hooked.close();
    }
  });
});
