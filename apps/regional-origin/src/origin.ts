/**
 * @module OriginFetcher: how the server reads origins (asset.json, playlists) — a path in, a
 * complete standard Response out with `x-meridian-origin` — implemented on origin-failover.
 */
import { createOriginGroup, isOriginError, type OriginGroupOptions } from '@meridian/origin-failover';
import { AppError } from './errors.ts';
import type { Metrics } from './metrics.ts';

/** Reads a path from the configured origins (primary first) and returns a standard Response. */
export interface OriginFetcher {
  /** `path` starts with `/`; the response carries `x-meridian-origin` naming the origin that served it. */
  fetch(path: string, init?: { signal?: AbortSignal }): Promise<Response>;
  /** Origin base URLs, for building absolute segment URLs and readiness probes. */
  readonly origins: ReadonlyArray<{ id: string; url: string }>;
}

/** Options for {@link createOriginGroupFetcher}. */
export interface OriginGroupFetcherOptions {
  /** Base URLs, primary first (primary and secondary region). */
  originUrls: string[];
  /** Connect and response (first byte / between chunks) timeout per attempt, in ms. */
  timeoutMs: number;
  /** Largest body read, in bytes. */
  maxBytes: number;
  metrics: Metrics;
  /** Replaces the transport (tests); default: origin-failover's undici transport in Node. */
  transport?: OriginGroupOptions['transport'];
}

/**
 * The OriginFetcher on @meridian/origin-failover's resilient origin group: failure memory,
 * hedged GETs and mid-body resume across primary and secondary. Bodies are read here, under
 * a size cap, so that callers get a complete, bounded body or a typed AppError.
 */
export function createOriginGroupFetcher(options: OriginGroupFetcherOptions): OriginFetcher & { close(): Promise<void> } {
  if (options.originUrls.length === 0) {
    // The upload role needs no origins; playback routes are not mounted then.
    return {
      origins: [],
      close: async () => undefined,
      fetch: async () => {
        throw new AppError('ORIGIN_UNAVAILABLE', 'no origins configured');
      },
    };
  }
  const ids = options.originUrls.map((_, i) => (i === 0 ? 'primary' : i === 1 ? 'secondary' : `origin-${i}`));
  const group = createOriginGroup({
    origins: options.originUrls.map((url, i) => ({ id: ids[i] ?? `origin-${i}`, url })),
    mode: 'resilient',
    connectionAttempts: 1,
    connectionTimeoutMs: options.timeoutMs,
    responseTimeoutMs: options.timeoutMs,
    deadlineMs: options.timeoutMs * (options.originUrls.length + 1),
    onFailover: (event) => options.metrics.originFailovers.inc({ origin: event.toOriginId }),
    ...(options.transport ? { transport: options.transport } : {}),
  });
  return {
    origins: options.originUrls.map((url, i) => ({ id: ids[i] ?? `origin-${i}`, url: url.replace(/\/+$/, '') })),
    close: () => group.close(),
    async fetch(path, init) {
      if (!path.startsWith('/')) throw new AppError('INTERNAL', 'origin path must start with /');
      let response: Response;
      try {
        response = await group.fetch(path, init?.signal ? { signal: init.signal } : undefined);
      } catch (error) {
        if (isOriginError(error)) throw new AppError('ORIGIN_UNAVAILABLE', 'every origin failed or timed out', { cause: error });
        throw error;
      }
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > options.maxBytes) {
        await response.body?.cancel();
        throw new AppError('BAD_ORIGIN_RESPONSE', `origin body larger than ${options.maxBytes} bytes`);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        const reader = response.body?.getReader();
        for (let r = await reader?.read(); r && !r.done; r = await reader?.read()) {
          size += r.value.byteLength;
          if (size > options.maxBytes) {
            await reader?.cancel();
            throw new AppError('BAD_ORIGIN_RESPONSE', `origin body larger than ${options.maxBytes} bytes`);
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
      const headers = new Headers(response.headers);
      headers.delete('content-encoding');
      headers.delete('content-length');
      return new Response(body, { status: response.status, headers });
    },
  };
}
