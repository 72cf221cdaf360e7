/** @module Internal: a loopback HTTP listener that can be closed, killed (sockets dropped) and restarted on the same port. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** A request handler; a throw or rejection drops the connection. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A listener on 127.0.0.1 that survives being killed and restarted. */
export interface LoopbackListener {
  url: string;
  port: number;
  /** True while the port accepts connections. */
  readonly listening: boolean;
  /** Stops listening and destroys every open socket at once (a crashed origin). */
  kill(): Promise<void>;
  /** Listens again on the same port after {@link LoopbackListener.kill}. */
  restart(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 (a free port unless `port` is given). */
export async function listenLoopback(handler: HttpHandler, port = 0): Promise<LoopbackListener> {
  let server: Server | undefined;
  let boundPort = port;
  const sockets = new Set<Socket>();

  const start = async (): Promise<void> => {
    if (server) return;
    const srv = createServer((req, res) => {
      Promise.resolve()
        .then(() => handler(req, res))
        .catch(() => req.socket.destroy());
    });
    srv.keepAliveTimeout = 5_000;
    srv.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(boundPort, '127.0.0.1', () => {
        srv.off('error', reject);
        resolve();
      });
    });
    const addr = srv.address();
    boundPort = typeof addr === 'object' && addr ? addr.port : boundPort;
    server = srv;
  };

  const kill = async (): Promise<void> => {
    const srv = server;
    server = undefined;
    if (!srv) return;
    const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
  };

  await start();
  return {
    url: `http://127.0.0.1:${boundPort}`,
    port: boundPort,
    get listening() {
      return server !== undefined;
    },
    kill,
    restart: start,
  };
}
