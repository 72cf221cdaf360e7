/**
 * @module OriginFetcher: the seam through which the server reads origins (asset.json,
 * playlists). Its shape is origin-failover's `createOriginGroup(...).fetch` — a path in,
 * a standard Response out with `x-meridian-origin` — so wiring the library is a one-line swap.
 */
import { AppError } from './errors.ts';
import type { Metrics } from './metrics.ts';

/** Reads a path from the configured origins (primary first) and returns a standard Response. */
export interface OriginFetcher {
  /** `path` starts with `/`; the response carries `x-meridian-origin` naming the origin that served it. */
  fetch(path: string, init?: { signal?: AbortSignal }): Promise<Response>;
  /** Origin base URLs, for building absolute segment URLs and readiness probes. */
  readonly origins: ReadonlyArray<{ id: string; url: string }>;
}

/** Options for {@link createPlainOriginFetcher}. */
export interface PlainOriginFetcherOptions {
  /** Base URLs, primary first. */
  originUrls: string[];
  /** Time per origin attempt (headers and body), in ms. */
  timeoutMs: number;
  /** Largest body read, in bytes. */
  maxBytes: number;
  metrics: Metrics;
  /** Injected fetch (default: global fetch, undici in Node). */
  fetch?: typeof fetch;
}

/** Statuses that move on to the next origin (CloudFront's failover set; 403/404 cover replication lag). */
const FAILOVER_STATUSES = new Set([403, 404, 500, 502, 503, 504]);

/**
 * INTERIM — replace with `createOriginGroup` from @meridian/origin-failover once it is
 * exported. A plain sequential failover over `fetch`: each origin gets one attempt bounded
 * by `timeoutMs`; network errors, timeouts and FAILOVER_STATUSES move to the next origin;
 * the last origin's answer is returned. No failure memory, hedging or mid-body resume.
 */
export function createPlainOriginFetcher(options: PlainOriginFetcherOptions): OriginFetcher {
  const doFetch = options.fetch ?? fetch;
  const origins = options.originUrls.map((url, i) => ({ id: i === 0 ? 'primary' : i === 1 ? 'secondary' : `origin-${i}`, url }));
  return {
    origins,
    async fetch(path, init) {
      if (!path.startsWith('/')) throw new AppError('INTERNAL', 'origin path must start with /');
      let lastError: unknown;
      for (let i = 0; i < origins.length; i++) {
        const origin = origins[i];
        if (!origin) continue;
        const isLast = i === origins.length - 1;
        const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs);
        try {
          const response = await doFetch(`${origin.url}${path}`, { signal, redirect: 'manual' });
          if (FAILOVER_STATUSES.has(response.status) && !isLast) {
            await response.body?.cancel();
            continue;
          }
          const declared = Number(response.headers.get('content-length') ?? '0');
          if (declared > options.maxBytes) {
            await response.body?.cancel();
            throw new AppError('BAD_ORIGIN_RESPONSE', `origin body larger than ${options.maxBytes} bytes`);
          }
          // Read the body under the same deadline, so a stalled body is a failover too.
          const body = await response.arrayBuffer();
          if (body.byteLength > options.maxBytes) throw new AppError('BAD_ORIGIN_RESPONSE', `origin body larger than ${options.maxBytes} bytes`);
          if (i > 0) options.metrics.originFailovers.inc({ origin: origin.id });
          const headers = new Headers(response.headers);
          headers.set('x-meridian-origin', origin.id);
          headers.delete('content-encoding');
          headers.delete('content-length');
          return new Response(body, { status: response.status, headers });
        } catch (error) {
          if (error instanceof AppError) throw error;
          lastError = error;
          if (init?.signal?.aborted) break;
        }
      }
      throw new AppError('ORIGIN_UNAVAILABLE', 'every origin failed or timed out', { cause: lastError });
    },
  };
}
