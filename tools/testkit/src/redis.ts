/** @module Starts Debian's redis-server (or valkey-server) on a free loopback port for a test. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort, waitForPort } from './ports.ts';

/** A running redis-server that a test owns. */
export interface RedisHandle {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The server's PID (only this process is ever signalled). */
  pid: number;
  /** SIGKILLs the server (simulates Valkey being lost). Data is not persisted. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after `kill`). */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Options for {@link startRedis}. */
export interface StartRedisOptions {
  /** Binary to run; default `valkey-server` when on PATH, else `redis-server`. */
  binary?: string;
  /** Fixed port; default a free one. */
  port?: number;
}

function findBinary(): string {
  return process.env.REDIS_SERVER_BIN ?? 'redis-server';
}

/**
 * Starts redis-server bound to 127.0.0.1 with persistence off.
 * @example
 * const redis = await startRedis();
 * const client = new Redis(redis.url);
 * await redis.stop();
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  const port = options.port ?? (await getFreePort());
  const dir = mkdtempSync(join(tmpdir(), 'meridian-redis-'));
  const binary = options.binary ?? findBinary();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`${binary} exited (${code}) before listening: ${stderr}`))),
    );
    const spawnFailed = new Promise<never>((_, reject) =>
      proc.once('error', (err) =>
        reject(new Error(`cannot start ${binary}: ${err.message} (apt-get install redis-server)`)),
      ),
    );
    await Promise.race([waitForPort(port), exited, spawnFailed]);
  };

  const killChild = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    kill: () => killChild('SIGKILL'),
    restart: launch,
    stop: async () => {
      await killChild('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
