/**
 * @module Real HTTP servers on 127.0.0.1 that misbehave on purpose: refuse, black-hole,
 * hang, delay headers, stall or reset mid-body, return any status, and serve Range
 * requests correctly or wrongly. Behaviour is set per path and may change mid-test.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { getFreePort, sleep } from './ports.ts';

/** How a path answers. */
export type Behaviour =
  | {
      kind: 'ok';
      /** Default 200. */
      status?: number;
      body?: string | Uint8Array;
      headers?: Record<string, string>;
      /** Strong ETag to send; enables If-Match checks. */
      etag?: string;
      /** `honour` (default) answers Range with 206; `ignore` sends the full body with 200; `wrong` sends a 206 of the wrong bytes. */
      ranges?: 'honour' | 'ignore' | 'wrong';
      /** Pause before the headers, in ms. */
      delayMs?: number;
      /** Send the body in chunks of this many bytes, `chunkIntervalMs` apart. */
      chunkBytes?: number;
      chunkIntervalMs?: number;
    }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** Sends headers and `afterBytes` of the body, then stalls forever. */
  | {
      kind: 'stall-body';
      body: string | Uint8Array;
      afterBytes: number;
      headers?: Record<string, string>;
      etag?: string;
    }
  /** Sends headers and `afterBytes` of the body, then resets the connection. */
  | {
      kind: 'reset-body';
      body: string | Uint8Array;
      afterBytes: number;
      headers?: Record<string, string>;
      etag?: string;
    }
  /** Resets the connection as soon as the request arrives. */
  | { kind: 'reset' }
  /** Any handler of your own. */
  | { kind: 'custom'; handle(req: IncomingMessage, res: ServerResponse): void | Promise<void> };

/** One request the server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
}

/** A running faulty server. */
export interface FaultyServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Sets the behaviour for one path (exact match on pathname) or, with `'*'`, the default. */
  set(path: string, behaviour: Behaviour): void;
  /** Every request seen so far, oldest first. */
  requests: SeenRequest[];
  /** Closes the listener and destroys every open socket. */
  close(): Promise<void>;
}

function toBytes(body: string | Uint8Array | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  return { start, end };
}

async function writeChunked(res: ServerResponse, bytes: Buffer, chunkBytes: number, intervalMs: number): Promise<void> {
  for (let off = 0; off < bytes.length; off += chunkBytes) {
    if (res.destroyed) return;
    res.write(bytes.subarray(off, off + chunkBytes));
    if (off + chunkBytes < bytes.length) await sleep(intervalMs);
  }
  res.end();
}

async function answer(b: Behaviour, req: IncomingMessage, res: ServerResponse): Promise<void> {
  switch (b.kind) {
    case 'hang':
      return;
    case 'reset':
      req.socket.resetAndDestroy();
      return;
    case 'custom':
      await b.handle(req, res);
      return;
    case 'status': {
      if (b.delayMs) await sleep(b.delayMs);
      const body = toBytes(b.body ?? '');
      res.writeHead(b.status, { 'content-length': String(body.length), ...b.headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    case 'stall-body':
    case 'reset-body': {
      const body = toBytes(b.body);
      const headers: Record<string, string> = { 'content-length': String(body.length), ...b.headers };
      if (b.etag) headers.etag = b.etag;
      res.writeHead(200, headers);
      res.write(body.subarray(0, b.afterBytes));
      if (b.kind === 'reset-body') {
        await sleep(20);
        req.socket.resetAndDestroy();
      }
      return;
    }
    case 'ok': {
      if (b.delayMs) await sleep(b.delayMs);
      const full = toBytes(b.body ?? '');
      const headers: Record<string, string> = { 'accept-ranges': 'bytes', ...b.headers };
      if (b.etag) headers.etag = b.etag;
      const ifMatch = req.headers['if-match'];
      if (ifMatch && b.etag && ifMatch !== b.etag && ifMatch !== '*') {
        res.writeHead(412, { 'content-length': '0' });
        res.end();
        return;
      }
      const range = b.ranges === 'ignore' ? undefined : parseRange(req.headers.range, full.length);
      let status = b.status ?? 200;
      let bytes = full;
      if (range) {
        if (range.start >= full.length) {
          res.writeHead(416, { 'content-range': `bytes */${full.length}`, 'content-length': '0' });
          res.end();
          return;
        }
        status = 206;
        bytes =
          b.ranges === 'wrong'
            ? full.subarray(0, range.end - range.start + 1)
            : full.subarray(range.start, range.end + 1);
        headers['content-range'] = `bytes ${range.start}-${range.end}/${full.length}`;
      }
      headers['content-length'] = String(bytes.length);
      res.writeHead(status, headers);
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      if (b.chunkBytes) await writeChunked(res, bytes, b.chunkBytes, b.chunkIntervalMs ?? 10);
      else res.end(bytes);
      return;
    }
  }
}

/**
 * Starts a faulty HTTP server on a free loopback port.
 * @example
 * const srv = await startFaultyServer({ '*': { kind: 'status', status: 503 } });
 * srv.set('/live.m3u8', { kind: 'hang' });
 */
export async function startFaultyServer(initial: Record<string, Behaviour> = {}): Promise<FaultyServer> {
  const behaviours = new Map<string, Behaviour>(Object.entries(initial));
  const sockets = new Set<Socket>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, at: Date.now() });
    const b = behaviours.get(path) ?? behaviours.get('*') ?? { kind: 'status', status: 404, body: 'not found' };
    answer(b, req, res).catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    set: (path, behaviour) => void behaviours.set(path, behaviour),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL whose port has no listener: connections are refused at once. */
export async function refusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await getFreePort()}`;
}

/** A loopback listener whose accept queue is full, so new connections never complete (a black hole). */
export interface BlackHole {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts a black-holed port: a python3 listener with backlog 0 that never accepts,
 * its queue filled by one held connection, so later SYNs are dropped and a client's
 * connect only ends by its own timeout. Node cannot make a non-accepting listener.
 */
export async function startBlackHole(): Promise<BlackHole> {
  const script =
    'import socket,sys,time\n' +
    's=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n' +
    "s.bind(('127.0.0.1',0));s.listen(0)\n" +
    'print(s.getsockname()[1],flush=True)\n' +
    'sys.stdin.read()\n';
  const child: ChildProcess = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`python3 is needed for a black-hole port: ${e.message}`)));
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  // Fill the accept queue (backlog 0 holds one connection) so that later SYNs are dropped.
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => undefined);
    fillers.push(s);
  }
  await sleep(100);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      child.stdin?.end();
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
