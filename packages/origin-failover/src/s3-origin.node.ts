/** @module S3 origins: GetObject/HeadObject across primary, secondary and tertiary buckets (any endpoints or regions) under the same failover policy. */
import { GetObjectCommand, HeadObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput, HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { OriginError } from './errors.ts';
import type { OriginGroup } from './group.ts';
import { createOriginGroupWithTransport } from './group.ts';
import type { OriginGroupOptions } from './options.ts';
import type { Transport, TransportRequest, TransportResponse } from './transport.ts';

/** One bucket acting as an origin. */
export interface S3OriginConfig {
  /** Origin id reported in `x-meridian-origin`. */
  id: string;
  /** Client for the bucket's endpoint and region. Give it `maxAttempts: 1`: failover is this package's job, not the SDK's. */
  client: S3Client;
  bucket: string;
  /** Prefix prepended to every key (`media/`). Default none. */
  keyPrefix?: string;
}

/** Options of {@link createS3OriginGroup}: the group options with buckets for origins. */
export interface S3OriginGroupOptions extends Omit<OriginGroupOptions, 'origins' | 'transport'> {
  origins: S3OriginConfig[];
  /** CF16: S3 answers 403 for a missing key when the caller lacks s3:ListBucket; treat it as 404. Default true. */
  treat403As404?: boolean;
}

type ObjectOutput = GetObjectCommandOutput | HeadObjectCommandOutput;

function responseHeaders(out: ObjectOutput): Headers {
  const h = new Headers();
  const set = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') h.set(name, String(value));
  };
  set('content-type', out.ContentType);
  set('content-length', out.ContentLength);
  set('etag', out.ETag);
  set('last-modified', out.LastModified?.toUTCString());
  set('cache-control', out.CacheControl);
  set('content-encoding', out.ContentEncoding);
  set('content-range', out.ContentRange);
  set('accept-ranges', out.AcceptRanges ?? 'bytes');
  set('expires', out.ExpiresString);
  for (const [k, v] of Object.entries(out.Metadata ?? {})) set(`x-amz-meta-${k}`, v);
  return h;
}

function optionalDate(value: string | null): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Maps an SDK failure to an HTTP answer (4xx/5xx the policy can judge) or a transport error. */
function mapFailure(err: unknown, req: TransportRequest, treat403As404: boolean): TransportResponse {
  if (err instanceof S3ServiceException || (typeof err === 'object' && err !== null && '$metadata' in err)) {
    const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
    let status = meta?.httpStatusCode;
    if (status !== undefined) {
      if (status === 403 && treat403As404) status = 404; // CF16
      const name = (err as { name?: string }).name ?? 'S3Error';
      const body =
        req.method === 'HEAD' || status === 304 ? null : new Response(JSON.stringify({ error: { code: name } })).body;
      return { status, headers: new Headers(status === 304 ? {} : { 'content-type': 'application/json' }), body };
    }
  }
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED')
    throw new OriginError('ORIGIN_REFUSED', {
      originId: req.origin.id,
      cause: err,
      message: `S3 origin ${req.origin.id} refused the connection`,
    });
  if (code === 'ETIMEDOUT' || (err as { name?: string } | undefined)?.name === 'TimeoutError')
    throw new OriginError('ORIGIN_TIMEOUT', { originId: req.origin.id, cause: err });
  throw new OriginError('ORIGIN_NETWORK', {
    originId: req.origin.id,
    cause: err,
    message: `S3 origin ${req.origin.id}: ${err instanceof Error ? err.message : String(err)}`,
  });
}

/** Creates a transport that answers group requests with GetObject/HeadObject on the bucket of each origin. */
export function createS3Transport(
  origins: readonly S3OriginConfig[],
  options: { treat403As404?: boolean } = {},
): Transport {
  const byId = new Map(origins.map((o) => [o.id, o]));
  const treat403As404 = options.treat403As404 ?? true;
  return {
    name: 's3',
    reportsConnect: false,
    async send(req: TransportRequest): Promise<TransportResponse> {
      const origin = byId.get(req.origin.id);
      if (!origin) throw new OriginError('ORIGIN_NOT_CONFIGURED', { originId: req.origin.id });
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return { status: 405, headers: new Headers({ allow: 'GET, HEAD' }), body: null };
      const key = (origin.keyPrefix ?? '') + decodeURIComponent(req.url.pathname.slice(req.origin.url.pathname.length));
      // Conditional requests and ranges pass straight through to S3.
      const input = {
        Bucket: origin.bucket,
        Key: key,
        Range: req.headers.get('range') ?? undefined,
        IfMatch: req.headers.get('if-match') ?? undefined,
        IfNoneMatch: req.headers.get('if-none-match') ?? undefined,
        IfModifiedSince: optionalDate(req.headers.get('if-modified-since')),
        IfUnmodifiedSince: optionalDate(req.headers.get('if-unmodified-since')),
      };
      try {
        if (req.method === 'HEAD') {
          const out = await origin.client.send(new HeadObjectCommand(input), { abortSignal: req.signal });
          return { status: out.ContentRange ? 206 : 200, headers: responseHeaders(out), body: null };
        }
        const out = await origin.client.send(new GetObjectCommand(input), { abortSignal: req.signal });
        const body = (out.Body?.transformToWebStream() ?? null) as ReadableStream<Uint8Array> | null;
        return { status: out.ContentRange ? 206 : 200, headers: responseHeaders(out), body };
      } catch (err) {
        return mapFailure(err, req, treat403As404);
      }
    },
  };
}

/**
 * Creates an origin group over S3 buckets, in priority order.
 * @example
 * const group = createS3OriginGroup({ origins: [
 *   { id: 'us-east-1', client: east, bucket: 'media' },
 *   { id: 'eu-west-1', client: west, bucket: 'media-replica' },
 * ] });
 * const res = await group.fetch('/vod/1/master.m3u8');
 */
export function createS3OriginGroup(options: S3OriginGroupOptions): OriginGroup {
  const { origins, treat403As404, ...rest } = options;
  // s3: URLs only carry the path; the bucket, endpoint and region live in each client.
  const groupOrigins = origins.map((o, i) => ({ id: o.id, url: `s3://origin-${i}/` }));
  return createOriginGroupWithTransport(
    { ...rest, origins: groupOrigins },
    createS3Transport(origins, treat403As404 === undefined ? {} : { treat403As404 }),
  );
}
