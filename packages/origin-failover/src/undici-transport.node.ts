/** @module The Node transport: one undici Pool per origin with keep-alive, a real connect timeout, and header/body timeouts from the response timeout. */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Pool, buildConnector, errors } from 'undici';
import type { Dispatcher } from 'undici';
import type { Socket } from 'node:net';
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
  if (err instanceof errors.ConnectTimeoutError)
    return new OriginError('ORIGIN_CONNECT_TIMEOUT', {
      originId,
      cause: err,
      message: `origin ${originId}: connect timeout`,
    });
  if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError)
    return new OriginError('ORIGIN_TIMEOUT', { originId, cause: err });
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED')
    return new OriginError('ORIGIN_REFUSED', {
      originId,
      cause: err,
      message: `origin ${originId} refused the connection`,
    });
  return new OriginError('ORIGIN_NETWORK', {
    originId,
    cause: err,
    message: `origin ${originId}: ${err instanceof Error ? err.message : String(err)}`,
  });
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

const ON_CONNECTED = Symbol('meridian.onConnected');

/**
 * undici's own connect timeout runs on its coarse "fast timers" (±0.5 s); strict mode
 * promises attempts × timeout exactly, so the connector gets a precise timer of its own.
 */
function preciseConnector(timeoutMs: number): buildConnector.connector {
  const base = buildConnector({ timeout: 0 });
  return (options, callback) => {
    let settled = false;
    const held: { socket?: Socket | undefined } = {};
    const timer = setTimeout(() => {
      if (!settled) held.socket?.destroy(new errors.ConnectTimeoutError(`connect timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    held.socket = (base as unknown as (o: buildConnector.Options, cb: buildConnector.Callback) => Socket | undefined)(
      options,
      (...args) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        callback(...args);
      },
    );
  };
}

/** Tells the core when undici writes the request, i.e. once a socket is connected (a reused keep-alive socket counts). */
const reportConnect: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
  const notify = (opts as unknown as Record<symbol, (() => void) | undefined>)[ON_CONNECTED];
  const h = handler as Dispatcher.DispatchHandler;
  const wrapped: Dispatcher.DispatchHandler = {
    onRequestStart: (controller, context) => {
      notify?.();
      h.onRequestStart?.(controller, context);
    },
    onRequestUpgrade: (controller, statusCode, headers, socket) =>
      h.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart: (controller, statusCode, headers, statusMessage) =>
      h.onResponseStart?.(controller, statusCode, headers, statusMessage),
    onResponseData: (controller, chunk) => h.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => h.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => h.onResponseError?.(controller, error),
  };
  return dispatch(opts, wrapped);
};

/**
 * Creates the undici transport. Pools are made lazily per origin with
 * a precise connect timeout (undici's `connect` option) and headers/body timeouts = the response timeout;
 * it reports the connect so the core times connect and first byte separately.
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): Transport {
  const pools = new Map<string, { pool: Pool; dispatcher: Dispatcher }>();
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;
  const pool = (req: TransportRequest): Dispatcher => {
    const key = `${req.url.origin} ${req.connectTimeoutMs} ${req.responseTimeoutMs}`;
    let p = pools.get(key);
    if (!p) {
      const raw = new Pool(req.url.origin, {
        connections: options.connectionsPerOrigin ?? 64,
        connect: preciseConnector(req.connectTimeoutMs),
        headersTimeout: req.responseTimeoutMs,
        bodyTimeout: req.responseTimeoutMs,
        keepAliveTimeout,
      });
      p = { pool: raw, dispatcher: raw.compose(reportConnect) };
      pools.set(key, p);
    }
    return p.dispatcher;
  };
  return {
    name: 'undici',
    reportsConnect: true,
    async send(req: TransportRequest): Promise<TransportResponse> {
      const headers: Record<string, string> = {};
      req.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const body =
        req.body === null || req.body === undefined
          ? undefined
          : req.body instanceof ReadableStream
            ? Readable.fromWeb(req.body as NodeReadableStream)
            : req.body;
      let res: Dispatcher.ResponseData;
      try {
        const requestOptions = {
          path: req.url.pathname + req.url.search,
          method: req.method as Dispatcher.HttpMethod,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: req.signal,
          [ON_CONNECTED]: req.onConnected,
        };
        res = await pool(req).request(requestOptions);
      } catch (err) {
        throw classify(err, req);
      }
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
      await Promise.all(all.map((p) => p.pool.destroy()));
    },
  };
}
