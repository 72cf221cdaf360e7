/** @module The demo's player page server: the page, its script, hls.js from node_modules, and the stack's URLs as config.json. */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { installedHlsJs } from '@meridian/testkit';

/** What the page needs to know about the running stack. */
export interface PlayerConfig {
  /** Edge base URL. */
  edge: string;
  zones: { id: string; url: string }[];
  assetId: string;
  /** Live channel id, when the stack runs one. */
  channelId?: string;
  contentSeconds: number;
  /** The zones' blackout rules as configured, or undefined when they run without any (the page says so). */
  blackoutRules?: string;
}

/** A running page server. */
export interface PlayerServer {
  /** The page, `http://127.0.0.1:<port>/`. */
  url: string;
  close(): Promise<void>;
}

const PUBLIC_DIR = join(import.meta.dirname, 'public');
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
};

/** Serves the page on a free loopback port. */
export async function startPlayerServer(config: PlayerConfig): Promise<PlayerServer> {
  const hls = installedHlsJs();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (path === '/favicon.ico') return send(204, 'image/x-icon', '');
    if (path === '/config.json')
      return send(200, 'application/json', JSON.stringify({ ...config, hlsVersion: hls.version }));
    const file =
      path === '/'
        ? join(PUBLIC_DIR, 'index.html')
        : path === '/player.js'
          ? join(PUBLIC_DIR, 'player.js')
          : path === '/hls.min.js'
            ? join(hls.distDir, 'hls.min.js')
            : undefined;
    if (!file) return send(404, 'text/plain', 'not found');
    readFile(file).then(
      (body) => send(200, TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body),
      () => send(500, 'text/plain', 'cannot read'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
