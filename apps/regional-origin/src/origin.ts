/**
 * @module OriginFetcher: how the server reads origins (asset.json, playlists) — a path in, a
 * complete standard Response out with `x-meridian-origin` — on origin-failover's resilient
 * origin groups, over HTTP origins or S3 buckets (primary plus secondary region).
 */
import { S3Client, HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  createOriginGroup,
  createS3OriginGroup,
  isOriginError,
  type OriginGroup,
  type OriginGroupOptions,
} from '@meridian/origin-failover';
import { AppError } from './errors.ts';
import type { Metrics } from './metrics.ts';

/** Reads a path from the configured origins (primary first) and returns a standard Response. */
export interface OriginFetcher {
  /** `path` starts with `/`; the response carries `x-meridian-origin` naming the origin that served it. */
  fetch(path: string, init?: { signal?: AbortSignal }): Promise<Response>;
  /** Origins in priority order; `url` is the HTTP base players can use (undefined for S3 buckets). */
  readonly origins: ReadonlyArray<{ id: string; url: string | undefined }>;
  /** Checks each origin is reachable (any answer below 500), for /readyz. */
  probe(timeoutMs: number): Promise<Array<{ id: string; ok: boolean }>>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

/** Options for {@link createOriginFetcher}. */
export interface OriginFetcherOptions {
  /**
   * Origins, primary first: all `http(s)://host[:port]` base URLs, or all
   * `s3://bucket[/prefix][?endpoint=…&region=…&pathStyle=true]` buckets.
   */
  originUrls: string[];
  /** Connect and response (first byte / between chunks) timeout per attempt, in ms. */
  timeoutMs: number;
  /** Largest body read, in bytes. */
  maxBytes: number;
  metrics: Metrics;
  /** Builds the S3 client of a bucket origin (tests inject credentials); default: the AWS credential chain. */
  s3Client?: (origin: S3OriginUrl) => S3Client;
}

/** A parsed `s3://` origin URL. */
export interface S3OriginUrl {
  bucket: string;
  /** Key prefix, without a leading slash, with a trailing one when non-empty. */
  keyPrefix: string;
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

/** Parses `s3://bucket[/prefix][?endpoint=…&region=…&pathStyle=true]`. */
export function parseS3OriginUrl(url: string): S3OriginUrl {
  const u = new URL(url);
  if (u.protocol !== 's3:' || !u.hostname) throw new AppError('INTERNAL', `not an s3:// origin: ${url}`);
  const prefix = decodeURIComponent(u.pathname.replace(/^\/+/, ''));
  const endpoint = u.searchParams.get('endpoint') ?? undefined;
  return {
    bucket: u.hostname,
    keyPrefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    endpoint,
    region: u.searchParams.get('region') ?? 'us-east-1',
    forcePathStyle: u.searchParams.get('pathStyle') === 'true' || endpoint !== undefined,
  };
}

const originId = (i: number): string => (i === 0 ? 'primary' : i === 1 ? 'secondary' : `origin-${i}`);

/** Reads a response body under a byte cap. */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new AppError('BAD_ORIGIN_RESPONSE', `origin body larger than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = response.body?.getReader();
    for (let r = await reader?.read(); r && !r.done; r = await reader?.read()) {
      size += r.value.byteLength;
      if (size > maxBytes) {
        await reader?.cancel();
        throw new AppError('BAD_ORIGIN_RESPONSE', `origin body larger than ${maxBytes} bytes`);
      }
      chunks.push(r.value);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('ORIGIN_UNAVAILABLE', 'origin body failed', { cause: error });
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return body;
}

/**
 * Creates the OriginFetcher on origin-failover (resilient mode: failure memory, hedged GETs,
 * mid-body resume). Bodies are read here, under a size cap, so callers get a complete, bounded
 * body or a typed AppError.
 */
export function createOriginFetcher(options: OriginFetcherOptions): OriginFetcher {
  if (options.originUrls.length === 0) {
    // The upload role needs no origins; playback routes are not mounted then.
    return {
      origins: [],
      probe: async () => [],
      close: async () => undefined,
      fetch: async () => {
        throw new AppError('ORIGIN_UNAVAILABLE', 'no origins configured');
      },
    };
  }
  const policy: Omit<OriginGroupOptions, 'origins'> = {
    mode: 'resilient',
    connectionAttempts: 1,
    connectionTimeoutMs: options.timeoutMs,
    responseTimeoutMs: options.timeoutMs,
    deadlineMs: options.timeoutMs * (options.originUrls.length + 1),
    onFailover: (event) => options.metrics.originFailovers.inc({ origin: event.toOriginId }),
  };
  const s3 = options.originUrls.every((u) => u.startsWith('s3://'));
  let group: OriginGroup;
  let origins: Array<{ id: string; url: string | undefined }>;
  let probe: OriginFetcher['probe'];
  let closeClients = (): void => undefined;
  if (s3) {
    const buckets = options.originUrls.map(parseS3OriginUrl);
    const clients = buckets.map(
      (b) =>
        options.s3Client?.(b) ??
        new S3Client({
          region: b.region,
          forcePathStyle: b.forcePathStyle,
          maxAttempts: 1, // failover is origin-failover's job, not the SDK's
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          ...(b.endpoint ? { endpoint: b.endpoint } : {}),
        }),
    );
    group = createS3OriginGroup({
      ...policy,
      origins: buckets.map((b, i) => ({
        id: originId(i),
        client: clients[i] as S3Client,
        bucket: b.bucket,
        keyPrefix: b.keyPrefix,
      })),
    });
    origins = buckets.map((_, i) => ({ id: originId(i), url: undefined }));
    probe = (timeoutMs) =>
      Promise.all(
        buckets.map(async (b, i) => {
          try {
            await (clients[i] as S3Client).send(new HeadBucketCommand({ Bucket: b.bucket }), {
              abortSignal: AbortSignal.timeout(timeoutMs),
            });
            return { id: originId(i), ok: true };
          } catch (error) {
            const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            return { id: originId(i), ok: status !== undefined && status < 500 };
          }
        }),
      );
    if (!options.s3Client) closeClients = () => clients.forEach((c) => c.destroy());
  } else {
    group = createOriginGroup({ ...policy, origins: options.originUrls.map((url, i) => ({ id: originId(i), url })) });
    origins = options.originUrls.map((url, i) => ({ id: originId(i), url: url.replace(/\/+$/, '') }));
    probe = (timeoutMs) =>
      Promise.all(
        origins.map(async (o) => {
          try {
            const res = await fetch(`${o.url}/`, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
            return { id: o.id, ok: res.status < 500 };
          } catch {
            return { id: o.id, ok: false };
          }
        }),
      );
  }
  return {
    origins,
    probe,
    async close() {
      await group.close();
      closeClients();
    },
    async fetch(path, init) {
      if (!path.startsWith('/')) throw new AppError('INTERNAL', 'origin path must start with /');
      let response: Response;
      try {
        response = await group.fetch(path, init?.signal ? { signal: init.signal } : undefined);
      } catch (error) {
        if (isOriginError(error))
          throw new AppError('ORIGIN_UNAVAILABLE', 'every origin failed or timed out', { cause: error });
        throw error;
      }
      const body = await readCapped(response, options.maxBytes);
      const headers = new Headers(response.headers);
      headers.delete('content-encoding');
      headers.delete('content-length');
      return new Response(body, { status: response.status, headers });
    },
  };
}
