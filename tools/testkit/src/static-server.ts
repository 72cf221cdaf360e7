/**
 * @module startStaticServer: a real HTTP file server on 127.0.0.1 for HLS fixtures (correct media
 * types, Range, CORS `*`, no path traversal) with faults injectable per request at runtime.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { listenLoopback } from './http.ts';
import { sleep } from './ports.ts';

/** Content types by file extension; anything else is `application/octet-stream`. */
export const STATIC_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.m4v': 'video/mp4',
  '.ts': 'video/mp2t',
  '.aac': 'audio/aac',
  '.vtt': 'text/vtt',
  '.webvtt': 'text/vtt',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.key': 'application/octet-stream',
};

/** CORS headers every answer carries, so a browser page on another loopback port may fetch anything. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-expose-headers': 'content-length, content-range, accept-ranges, date',
};

/**
 * A fault a static server applies to matching requests; the kinds mirror
 * startFaultyServer's behaviours of the same name, but apply to the real file.
 */
export type StaticFault =
  /** Answers with this status (and an optional body) instead of the file. */
  | { kind: 'status'; status: number; body?: string; delayMs?: number }
  /** Serves the file after a pause of `delayMs`. */
  | { kind: 'delay'; delayMs: number }
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** Resets the connection as soon as the request arrives. */
  | { kind: 'reset' }
  /** Sends headers and the first `afterBytes` of the file, then stalls forever. */
  | { kind: 'stall-body'; afterBytes: number }
  /** Sends headers and the first `afterBytes` of the file, then resets the connection. */
  | { kind: 'reset-body'; afterBytes: number };

/** Which request paths a fault applies to: an exact pathname, a RegExp on it, or a predicate. */
export type PathMatcher = string | RegExp | ((path: string) => boolean);

/** What a request hook learns about the request. */
export interface StaticRequestContext {
  /** The decoded URL pathname. */
  path: string;
  /** The file it maps to, or undefined when it escapes the root. */
  filePath: string | undefined;
}

/** A per-request hook: return true when it answered the request itself, so the file is not served. */
export type StaticRequestHook = (
  req: IncomingMessage,
  res: ServerResponse,
  context: StaticRequestContext,
) => boolean | void | Promise<boolean | void>;

/** One request a static server saw. */
export interface StaticRequest {
  method: string;
  /** Decoded pathname. */
  path: string;
  /** Query string without `?` (empty when none). */
  query: string;
  headers: IncomingMessage['headers'];
  /** Status sent, or undefined for hangs and resets. */
  status?: number;
  /** Epoch ms when the request arrived. */
  at: number;
}

/** Options for {@link startStaticServer}. */
export interface StaticServerOptions {
  /** Called for every request before faults and files; default none. */
  onRequest?: StaticRequestHook;
  /** Extra headers on every file answer; default none. */
  headers?: Record<string, string>;
  /** Fixed port; default a free one. */
  port?: number;
}

/** A running static server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The served directory (absolute). */
  dir: string;
  /** Every request seen, oldest first. */
  requests: StaticRequest[];
  /** Applies `fault` to requests whose path matches, for the next `times` requests (default every one). */
  fault(match: PathMatcher, fault: StaticFault, times?: number): void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Stops listening and drops every open connection (an origin dying); `restart` brings it back. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  /** Stops the server for good. */
  close(): Promise<void>;
}

function matches(matcher: PathMatcher, path: string): boolean {
  if (typeof matcher === 'string') return matcher === path;
  if (matcher instanceof RegExp) return matcher.test(path);
  return matcher(path);
}

/** Maps a URL pathname to a file under `root`, or undefined when it would escape it. */
export function resolveUnder(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = resolve(root, '.' + (decoded.startsWith('/') ? decoded : `/${decoded}`));
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'invalid';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return 'invalid';
  return { start, end };
}

/** Answers `req` with the file at `filePath` (media type, Range, HEAD, CORS); 404 when it is not a file. */
export async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  filePath: string | undefined,
  extraHeaders: Record<string, string> = {},
  truncateAfterBytes?: number,
): Promise<number> {
  let info: Stats | undefined;
  if (filePath) info = await stat(filePath).catch(() => undefined);
  if (!filePath || !info?.isFile()) {
    res.writeHead(404, { ...CORS_HEADERS, 'content-type': 'text/plain', 'content-length': '9' });
    res.end('not found');
    return 404;
  }
  const type = STATIC_CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    ...CORS_HEADERS,
    'content-type': type,
    'accept-ranges': 'bytes',
    'last-modified': info.mtime.toUTCString(),
    // Playlists change under a live server; segments never do.
    'cache-control': type.includes('mpegurl') ? 'no-cache' : 'max-age=60',
    ...extraHeaders,
  };
  const range = parseRange(req.headers.range, info.size);
  if (range === 'invalid') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${info.size}`, 'content-length': '0' });
    res.end();
    return 416;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? info.size - 1;
  const status = range ? 206 : 200;
  if (range) headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
  headers['content-length'] = String(Math.max(0, end - start + 1));
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || info.size === 0) {
    res.end();
    return status;
  }
  const last = truncateAfterBytes === undefined ? end : Math.min(end, start + truncateAfterBytes - 1);
  const stream = createReadStream(filePath, { start, end: last });
  stream.on('error', () => res.destroy());
  if (truncateAfterBytes === undefined) stream.pipe(res);
  else stream.pipe(res, { end: false });
  return status;
}

/**
 * Starts a file server for `dir` on a free loopback port.
 * @example
 * const srv = await startStaticServer('/tmp/ladder');
 * srv.fault(/\.m4s$/, { kind: 'status', status: 503 }, 2); // the next two segments fail
 * const res = await fetch(`${srv.url}/master.m3u8`);
 * await srv.close();
 */
export async function startStaticServer(dir: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const root = resolve(dir);
  const requests: StaticRequest[] = [];
  const faults: { match: PathMatcher; fault: StaticFault; left: number }[] = [];

  const takeFault = (path: string): StaticFault | undefined => {
    const i = faults.findIndex((f) => matches(f.match, path));
    if (i < 0) return undefined;
    const f = faults[i]!;
    f.left -= 1;
    if (f.left <= 0) faults.splice(i, 1);
    return f.fault;
  };

  const listener = await listenLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let path = url.pathname;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      // keep the raw pathname; resolveUnder rejects it
    }
    const seen: StaticRequest = {
      method: req.method ?? 'GET',
      path,
      query: url.search.slice(1),
      headers: req.headers,
      at: Date.now(),
    };
    requests.push(seen);
    res.on('finish', () => (seen.status = res.statusCode));
    const filePath = resolveUnder(root, url.pathname);
    if (options.onRequest && (await options.onRequest(req, res, { path, filePath }))) return;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS_HEADERS, 'access-control-max-age': '600' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...CORS_HEADERS, allow: 'GET, HEAD, OPTIONS', 'content-length': '0' });
      res.end();
      return;
    }
    const fault = takeFault(path);
    switch (fault?.kind) {
      case undefined:
        break;
      case 'hang':
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'status': {
        if (fault.delayMs) await sleep(fault.delayMs);
        const body = Buffer.from(fault.body ?? '');
        res.writeHead(fault.status, { ...CORS_HEADERS, 'content-length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      case 'delay':
        await sleep(fault.delayMs);
        break;
      case 'stall-body':
      case 'reset-body': {
        await serveFile(req, res, filePath, options.headers, fault.afterBytes);
        if (fault.kind === 'reset-body') {
          await sleep(20);
          req.socket.resetAndDestroy();
        }
        return;
      }
    }
    await serveFile(req, res, filePath, options.headers);
  }, options.port);

  return {
    url: listener.url,
    port: listener.port,
    dir: root,
    requests,
    fault: (match, fault, times = Number.POSITIVE_INFINITY) => void faults.push({ match, fault, left: times }),
    clearFaults: () => void faults.splice(0),
    kill: listener.kill,
    restart: listener.restart,
    close: listener.kill,
  };
}
