/** @module Starts s3rver on a free loopback port (one per simulated region) and builds S3 clients for it. */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { getFreePort } from './ports.ts';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;

/** A running s3rver that a test owns. */
export interface S3Handle {
  /** `http://127.0.0.1:<port>` — use as the S3 endpoint with path-style addressing. */
  endpoint: string;
  port: number;
  /** Directory holding the objects on disk. */
  directory: string;
  /** An S3 client configured for this server (see {@link s3ClientConfig}). */
  client: S3Client;
  /** Stops the server (simulates a region going away); `start` brings it back with the same data. */
  stop(): Promise<void>;
  /** Restarts a stopped server on the same port and directory. */
  start(): Promise<void>;
  /** Stops the server and deletes its directory. */
  destroy(): Promise<void>;
}

/** Options for {@link startS3}. */
export interface StartS3Options {
  /** Buckets to create at start. */
  buckets?: string[];
  /** Region reported to the SDK; default `us-east-1`. */
  region?: string;
}

/**
 * S3 client settings that s3rver needs. Without the WHEN_REQUIRED checksum
 * settings, streamed uploads are stored corrupted (aws-chunked framing is kept).
 */
export function s3ClientConfig(endpoint: string, region = 'us-east-1'): S3ClientConfig {
  return {
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * Starts s3rver bound to 127.0.0.1 with a fresh temp directory.
 * @example
 * const s3 = await startS3({ buckets: ['media'] });
 * await s3.client.send(new PutObjectCommand({ Bucket: 'media', Key: 'a', Body: 'x' }));
 * await s3.destroy();
 */
export async function startS3(options: StartS3Options = {}): Promise<S3Handle> {
  const S3rver = require('s3rver') as S3rverCtor;
  const port = await getFreePort();
  const directory = mkdtempSync(join(tmpdir(), 'meridian-s3rver-'));
  const endpoint = `http://127.0.0.1:${port}`;
  let server: S3rverInstance | undefined;
  const start = async (): Promise<void> => {
    server = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
    });
    await server.run();
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s) await s.close();
  };
  await start();
  const client = new S3Client(s3ClientConfig(endpoint, options.region));
  return {
    endpoint,
    port,
    directory,
    client,
    stop,
    start,
    destroy: async () => {
      client.destroy();
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
