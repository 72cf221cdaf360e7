/** @module The Web fetch transport (Workers, browsers, Node's global fetch): AbortSignal for every timeout, redirects never followed. */
import { OriginError } from './errors.ts';
import type { Transport, TransportRequest, TransportResponse } from './transport.ts';

/** Options of {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /** The fetch to call; default the global one. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

function classify(err: unknown, req: TransportRequest): OriginError {
  const cause = (err as { cause?: { code?: string } } | undefined)?.cause;
  const code = cause?.code ?? (err as { code?: string } | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  // Node's fetch (undici) names the socket error in cause.code; workerd only gives a message.
  if (code === 'ECONNREFUSED' || /refused/i.test(message))
    return new OriginError('ORIGIN_REFUSED', {
      originId: req.origin.id,
      cause: err,
      message: `origin ${req.origin.id} refused the connection`,
    });
  if (code === 'UND_ERR_CONNECT_TIMEOUT')
    return new OriginError('ORIGIN_CONNECT_TIMEOUT', { originId: req.origin.id, cause: err });
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new OriginError('ORIGIN_TIMEOUT', { originId: req.origin.id, cause: err });
  return new OriginError('ORIGIN_NETWORK', {
    originId: req.origin.id,
    cause: err,
    message: `origin ${req.origin.id}: ${message}`,
  });
}

/**
 * Creates a transport over Web fetch. fetch cannot see the TCP connect, so the core
 * bounds connect + first byte together (Workers have no connect-timeout knob either).
 */
export function createFetchTransport(options: FetchTransportOptions = {}): Transport {
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  return {
    name: 'fetch',
    reportsConnect: false,
    async send(req: TransportRequest): Promise<TransportResponse> {
      let res: Response;
      try {
        res = await doFetch(req.url.href, {
          method: req.method,
          headers: req.headers,
          ...(req.body !== undefined && req.body !== null ? { body: req.body, duplex: 'half' } : {}),
          signal: req.signal,
          // CF4: 3xx from an origin is returned, never followed.
          redirect: 'manual',
        } as RequestInit);
      } catch (err) {
        throw classify(err, req);
      }
      req.onConnected();
      return { status: res.status, statusText: res.statusText, headers: res.headers, body: res.body };
    },
  };
}
