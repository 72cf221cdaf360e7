/**
 * @module A loopback "CDN" in front of the regions' buckets: GET/HEAD through origin-failover's
 * resilient origin group (primary region first), with CORS so browsers can read segments and
 * see `x-meridian-origin` (which region served each segment).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createOriginGroup } from '@meridian/origin-failover';

/** A running loopback CDN. */
export interface Cdn {
  /** `http://127.0.0.1:<port>`; zones and the edge write segment URLs under it (`CDN_BASE_URL`). */
  url: string;
  /** Requests served per origin id. */
  servedBy: Record<string, number>;
  close(): Promise<void>;
}

const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'etag',
  'last-modified',
  'cache-control',
  'x-meridian-origin',
];
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'range',
  'access-control-expose-headers': 'x-meridian-origin, content-length, content-range',
};

/** Starts the CDN on a free loopback port with `origins` (primary first). */
export async function startCdn(origins: readonly { id: string; url: string }[]): Promise<Cdn> {
  // Short timeouts: a stopped region refuses at once, but a slow one must not stall a player.
  const group = createOriginGroup({
    origins: origins.map((o) => ({ id: o.id, url: o.url })),
    connectionTimeoutMs: 1_000,
    responseTimeoutMs: 3_000,
  });
  const servedBy: Record<string, number> = {};
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, CORS).end();
      return;
    }
    const headers: Record<string, string> = {};
    if (typeof req.headers.range === 'string') headers.range = req.headers.range;
    const response = await group.fetch(new URL(req.url ?? '/', 'http://cdn').pathname, { method: req.method, headers });
    const out: Record<string, string> = { ...CORS };
    for (const name of PASSED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) out[name] = value;
    }
    const origin = response.headers.get('x-meridian-origin');
    if (origin) servedBy[origin] = (servedBy[origin] ?? 0) + 1;
    res.writeHead(response.status, out);
    if (!response.body || req.method === 'HEAD') {
      res.end();
      return;
    }
    Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>)
      .on('error', () => res.destroy())
      .pipe(res);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent)
        res
          .writeHead(502, { ...CORS, 'content-type': 'application/json' })
          .end('{"error":{"code":"ORIGIN_UNAVAILABLE","message":"no origin answered"}}');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    servedBy,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await group.close();
    },
  };
}
