/** @module The Node transport: one undici Pool per origin with keep-alive, a real connect timeout, and header/body timeouts from the response timeout. */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Pool, errors } from 'undici';
import { OriginError } from './errors.ts';
import type { Transport, TransportRequest, TransportResponse } from './transport.ts';

/** Options of {@link createUndiciTransport}. */
export interface UndiciTransportOptions {
  /** Idle keep-alive per connection, in ms. Default 5 000 (CloudFront's keep-alive default, CF9). */
  keepAliveTimeoutMs?: number;
  /** Connections per origin. Default 64. */
  connectionsPerOrigin?: number;
}

function classify(err: unknown, req: TransportRequest): OriginError {
  const originId = req.origin.id;
  if (err instanceof errors.ConnectTimeoutError) return new OriginError('ORIGIN_CONNECT_TIMEOUT', { originId, cause: err, message: `origin ${originId}: connect timeout` });
  if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) return new OriginError('ORIGIN_TIMEOUT', { originId, cause: err });
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED') return new OriginError('ORIGIN_REFUSED', { originId, cause: err, message: `origin ${originId} refused the connection` });
  return new OriginError('ORIGIN_NETWORK', { originId, cause: err, message: `origin ${originId}: ${err instanceof Error ? err.message : String(err)}` });
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.append(name, value);
  }
  return headers;
}

/**
 * Creates the undici transport. Pools are made lazily per origin with
 * `connect.timeout` = the connect timeout and headers/body timeouts = the response timeout.
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): Transport {
  const pools = new Map<string, Pool>();
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;
  const pool = (req: TransportRequest): Pool => {
    const key = `${req.url.origin} ${req.connectTimeoutMs} ${req.responseTimeoutMs}`;
    let p = pools.get(key);
    if (!p) {
      p = new Pool(req.url.origin, {
        connections: options.connectionsPerOrigin ?? 64,
        connect: { timeout: req.connectTimeoutMs },
        headersTimeout: req.responseTimeoutMs,
        bodyTimeout: req.responseTimeoutMs,
        keepAliveTimeout,
      });
      pools.set(key, p);
    }
    return p;
  };
  return {
    name: 'undici',
    reportsConnect: false,
    async send(req: TransportRequest): Promise<TransportResponse> {
      const headers: Record<string, string> = {};
      req.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const body = req.body === null || req.body === undefined ? undefined : req.body instanceof ReadableStream ? Readable.fromWeb(req.body as NodeReadableStream) : req.body;
      let res: Awaited<ReturnType<Pool['request']>>;
      try {
        res = await pool(req).request({
          path: req.url.pathname + req.url.search,
          method: req.method as 'GET',
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: req.signal,
        });
      } catch (err) {
        throw classify(err, req);
      }
      req.onConnected();
      const hasBody = req.method !== 'HEAD' && res.statusCode !== 204 && res.statusCode !== 304;
      let stream: ReadableStream<Uint8Array> | null = null;
      if (hasBody) {
        const iterator = res.body[Symbol.asyncIterator]();
        stream = new ReadableStream<Uint8Array>({
          async pull(controller) {
            try {
              const { value, done } = (await iterator.next()) as { value: Buffer; done?: boolean };
              if (done) controller.close();
              else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
            } catch (err) {
              controller.error(classify(err, req));
            }
          },
          cancel() {
            res.body.destroy();
          },
        });
      } else {
        res.body.resume();
      }
      return { status: res.statusCode, headers: toHeaders(res.headers), body: stream };
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.destroy()));
    },
  };
}
