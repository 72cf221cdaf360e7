/**
 * @module Output stores: a local directory or S3 (`s3://bucket/prefix`), with Content-Type and
 * Cache-Control per object kind, multipart for large files, and per-operation timeouts.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TranscodeError } from './errors.ts';

/** The headers an object is stored with. */
export interface ObjectMeta {
  contentType: string;
  cacheControl: string;
}

/** One place output goes: a directory or an S3 bucket prefix. */
export interface ObjectStore {
  /** `s3://bucket/prefix` or an absolute directory path; recorded in asset.json. */
  readonly url: string;
  /** Writes an object from bytes, or from a local file when `body` is `{ path }`. */
  put(key: string, body: Uint8Array | string | { path: string }, meta: ObjectMeta): Promise<void>;
  /** Reads an object, or undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** The object's size in bytes, or undefined when it does not exist. */
  size(key: string): Promise<number | undefined>;
  /** Releases clients. */
  close(): void;
}

/** Options for S3 stores. */
export interface S3StoreOptions {
  /** A ready client (its config must set the WHEN_REQUIRED checksum options for s3rver). */
  client?: S3Client;
  /** Endpoint URL for S3-compatible services; default AWS. */
  endpoint?: string;
  /** Default `us-east-1` (or $AWS_REGION). */
  region?: string;
  /** Path-style addressing; default true when an endpoint is given. */
  forcePathStyle?: boolean;
  credentials?: S3ClientConfig['credentials'];
  /** Per-request timeout, ms; default 30 000. A slow primary counts as down after this. */
  timeoutMs?: number;
  /** Files above this many bytes go up as multipart uploads; default 16 MiB. */
  multipartThresholdBytes?: number;
}

/** Segments never change once written (RFC 8216 §6.2.1 VOD); playlists and metadata may be rewritten on resume. */
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cache-Control of playlists and asset.json: short, so a resumed job's fixes show quickly. */
export const CACHE_SHORT = 'public, max-age=60';
/** Cache-Control of completion markers: never cached. */
export const CACHE_NONE = 'no-cache';

/** Content-Type and Cache-Control for an output key, by extension. */
export function metaFor(key: string): ObjectMeta {
  const ext = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  if (key.endsWith('_complete.json')) return { contentType: 'application/json', cacheControl: CACHE_NONE };
  switch (ext) {
    case 'm3u8':
      return { contentType: 'application/vnd.apple.mpegurl', cacheControl: CACHE_SHORT };
    case 'm4s':
      return { contentType: 'video/iso.segment', cacheControl: CACHE_IMMUTABLE };
    case 'mp4':
      return { contentType: 'video/mp4', cacheControl: CACHE_IMMUTABLE };
    case 'ts':
      return { contentType: 'video/mp2t', cacheControl: CACHE_IMMUTABLE };
    case 'jpg':
      return { contentType: 'image/jpeg', cacheControl: CACHE_SHORT };
    case 'vtt':
      return { contentType: 'text/vtt', cacheControl: CACHE_SHORT };
    case 'json':
      return { contentType: 'application/json', cacheControl: CACHE_SHORT };
    default:
      return { contentType: 'application/octet-stream', cacheControl: CACHE_SHORT };
  }
}

/**
 * Parses `s3://bucket/prefix[?endpoint=URL&region=R]` into bucket, prefix (no leading or
 * trailing slash) and per-destination client settings; undefined for other strings. The query
 * lets each replica live on its own endpoint (another region, another S3-compatible service).
 */
export function parseS3Url(
  url: string,
): { bucket: string; prefix: string; endpoint?: string; region?: string } | undefined {
  const m = /^s3:\/\/([^/?]+)\/?([^?]*)(?:\?(.*))?$/.exec(url);
  if (!m) return undefined;
  const out: { bucket: string; prefix: string; endpoint?: string; region?: string } = {
    bucket: m[1] as string,
    prefix: (m[2] ?? '').replace(/\/+$/, ''),
  };
  const query = new URLSearchParams(m[3] ?? '');
  const endpoint = query.get('endpoint');
  const region = query.get('region');
  if (endpoint) out.endpoint = endpoint;
  if (region) out.region = region;
  return out;
}

/** Opens a store for `s3://…` (optionally `?endpoint=…&region=…`) or a directory path (created on first write). */
export function openStore(url: string, s3: S3StoreOptions = {}): ObjectStore {
  const parsed = parseS3Url(url);
  if (parsed) {
    const own = parsed.endpoint !== undefined || parsed.region !== undefined;
    const options: S3StoreOptions = { ...s3 };
    if (parsed.endpoint) options.endpoint = parsed.endpoint;
    if (parsed.region) options.region = parsed.region;
    // A destination with its own endpoint cannot share the caller's client.
    if (own) delete options.client;
    return createS3Store(parsed.bucket, parsed.prefix, options);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://'))
    throw new TranscodeError('INVALID_OPTIONS', `output ${url} is neither a directory nor s3://bucket/prefix`);
  return createDirectoryStore(url.replace(/^file:\/\//, ''));
}

/** A store that writes files under a directory, atomically (temp file + rename). */
export function createDirectoryStore(directory: string): ObjectStore {
  const root = resolve(directory);
  const pathOf = (key: string): string => join(root, ...key.split('/'));
  return {
    url: root,
    async put(key, body) {
      const target = pathOf(key);
      try {
        await mkdir(dirname(target), { recursive: true });
        const tmp = `${target}.part-${process.pid}`;
        await writeFile(tmp, typeof body === 'object' && 'path' in body ? await readFile(body.path) : body);
        await rename(tmp, target);
      } catch (cause) {
        throw new TranscodeError('STORAGE_FAILED', `cannot write ${target}: ${(cause as Error).message}`, { cause });
      }
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch {
        return undefined;
      }
    },
    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch {
        return undefined;
      }
    },
    close: () => undefined,
  };
}

/** Builds the S3 client config: checksums only when required (s3rver stores aws-chunked framing otherwise). */
export function s3Config(options: S3StoreOptions): S3ClientConfig {
  const config: S3ClientConfig = {
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
  };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    config.forcePathStyle = options.forcePathStyle ?? true;
  } else if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
  if (options.credentials) config.credentials = options.credentials;
  return config;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  // A missing bucket is a broken destination, not a missing object.
  if (e?.name === 'NoSuchBucket') return false;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** A store on one S3 bucket prefix. */
export function createS3Store(bucket: string, prefix: string, options: S3StoreOptions = {}): ObjectStore {
  const own = options.client === undefined;
  const client = options.client ?? new S3Client(s3Config(options));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const threshold = options.multipartThresholdBytes ?? 16 * 1024 * 1024;
  const keyOf = (key: string): string => (prefix ? `${prefix}/${key}` : key);
  const url = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
  const fail = (op: string, key: string, cause: unknown): TranscodeError =>
    new TranscodeError(
      'STORAGE_FAILED',
      `S3 ${op} ${url}/${key} failed: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );

  return {
    url,
    async put(key, body, meta) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        const params = {
          Bucket: bucket,
          Key: keyOf(key),
          ContentType: meta.contentType,
          CacheControl: meta.cacheControl,
        };
        if (typeof body === 'object' && 'path' in body) {
          const { size } = await stat(body.path);
          if (size > threshold) {
            // lib-storage splits into parts and uploads them in parallel; the timeout covers the whole upload.
            const upload = new Upload({
              client,
              params: { ...params, Body: createReadStream(body.path) },
              partSize: 8 * 1024 * 1024,
              queueSize: 4,
            });
            abort.signal.addEventListener('abort', () => void upload.abort());
            await upload.done();
            return;
          }
          await client.send(new PutObjectCommand({ ...params, Body: await readFile(body.path), ContentLength: size }), {
            abortSignal: abort.signal,
          });
          return;
        }
        await client.send(new PutObjectCommand({ ...params, Body: body }), { abortSignal: abort.signal });
      } catch (cause) {
        throw fail(abort.signal.aborted ? `PUT (timed out after ${timeoutMs} ms)` : 'PUT', key, cause);
      } finally {
        clearTimeout(timer);
      }
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(key) }), {
          abortSignal: AbortSignal.timeout(timeoutMs),
        });
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      } catch (cause) {
        if (isNotFound(cause)) return undefined;
        throw fail('GET', key, cause);
      }
    },
    async size(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(key) }), {
          abortSignal: AbortSignal.timeout(timeoutMs),
        });
        return out.ContentLength;
      } catch (cause) {
        if (isNotFound(cause)) return undefined;
        throw fail('HEAD', key, cause);
      }
    },
    close: () => {
      if (own) client.destroy();
    },
  };
}
