/** @module The transport contract: how the policy core sends one attempt to one origin (fetch in Workers, undici in Node, S3). */
import type { ResolvedOrigin } from './options.ts';

/** One attempt the core asks a transport to send. */
export interface TransportRequest {
  /** The configured origin the URL belongs to. */
  origin: ResolvedOrigin;
  /** Absolute URL inside `origin` (already checked: never another host). */
  url: URL;
  method: string;
  headers: Headers;
  /** Request body for methods that carry one (never retried: those methods do not fail over). */
  body?: ReadableStream<Uint8Array> | Uint8Array | string | null;
  /** Aborted by the core on timeouts, hedge losses, deadlines and caller aborts. */
  signal: AbortSignal;
  /** Connect timeout the transport should apply natively when it can (undici `connect.timeout`). */
  connectTimeoutMs: number;
  /** Response (read) timeout for first byte and gaps between chunks. */
  responseTimeoutMs: number;
  /** Transports with `reportsConnect` call this once the connection is up, so the core times the phases itself. */
  onConnected(): void;
}

/** What a transport returns once status and headers arrived. */
export interface TransportResponse {
  status: number;
  statusText?: string;
  headers: Headers;
  /** The body, or null when there is none (HEAD, 204, 304). */
  body: ReadableStream<Uint8Array> | null;
}

/**
 * Sends attempts. Failures are thrown as OriginError with code ORIGIN_REFUSED,
 * ORIGIN_CONNECT_TIMEOUT, ORIGIN_TIMEOUT or ORIGIN_NETWORK; an abort through
 * `signal` may reject with anything (the core knows why it aborted).
 */
export interface Transport {
  /** Short name for diagnostics (`fetch`, `undici`, `s3`). */
  readonly name: string;
  /** True when the transport calls `onConnected`; otherwise the core bounds connect + first byte together. */
  readonly reportsConnect: boolean;
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Releases pooled connections. */
  close?(): Promise<void>;
}
