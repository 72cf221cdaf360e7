/** @module Origin-group options: their types, the one block of defaults (with units), and validation. */
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import { OriginError } from './errors.ts';
import type { Attempt } from './errors.ts';
import type { Transport } from './transport.ts';

/** One configured origin. Requests can only ever reach these. */
export interface OriginConfig {
  /** Stable id reported in `x-meridian-origin` and attempts. */
  id: string;
  /** Base URL; request paths are appended below its path (`https://a.example/live/`). */
  url: string;
}

/** `strict` reproduces CloudFront origin groups; `resilient` adds memory, hedging, resume and HLS checks. */
export type FailoverMode = 'strict' | 'resilient';

/** Requests are classified by path so that memory and latency are kept per class. */
export type RequestClass = 'playlist' | 'segment';

/** Failure memory (resilient mode): consecutive failures eject an origin, half-open probes restore it. */
export interface EjectionOptions {
  /** Consecutive failures (per origin and class) that eject the origin. Default 3. */
  failureThreshold?: number;
  /** How long an ejected origin is skipped before a half-open probe, in ms. Default 10 000. */
  cooldownMs?: number;
  /** Successful half-open probes needed to restore the origin. Default 2. */
  successThreshold?: number;
}

/** Hedged GETs (resilient mode). */
export interface HedgingOptions {
  /** Delay before the first hedge while too few samples are known, in ms. Default 150. */
  defaultDelayMs?: number;
  /** Lowest learned delay, in ms. Default 10. */
  floorMs?: number;
  /** Percentile of recent time-to-headers that sets the delay (0–1). Default 0.95. */
  percentile?: number;
  /** Samples (per origin and class) before the percentile is trusted. Default 20. */
  minSamples?: number;
  /** Envoy retry_budget: hedges in flight may be this share of requests in flight (0–1). Default 0.1. */
  budgetRatio?: number;
  /** Envoy min_retry_concurrency: hedges always allowed up to this many in flight. Default 3. */
  minConcurrentHedges?: number;
}

/** Details passed to {@link OriginGroupOptions.onFailover}. */
export interface FailoverEvent {
  fromOriginId: string;
  toOriginId: string;
  reason: Attempt['outcome'];
  requestClass: RequestClass;
}

/** Details passed to {@link OriginGroupOptions.onResponse}: the latency hook. */
export interface ResponseEvent {
  originId: string;
  status: number;
  /** Milliseconds from the request's start to the chosen response's headers. */
  elapsedMs: number;
  attempts: readonly Attempt[];
  requestClass: RequestClass;
}

/** Options of {@link createOriginGroup}. Every default is listed in {@link resolveOptions}. */
export interface OriginGroupOptions {
  /** Origins in priority order (strict mode: exactly two, primary then secondary). */
  origins: OriginConfig[];
  /** Default `resilient`. */
  mode?: FailoverMode;
  /** Statuses that trigger failover. Strict: chosen from 400, 403, 404, 416, 500, 502, 503, 504 (CF2). */
  failoverStatusCodes?: number[];
  /** Connection attempts per origin, 1–3 (CF9). Default 3 in strict mode; resilient mode tries each origin once per request. */
  connectionAttempts?: number;
  /** Connect timeout per attempt in ms, 1 000–10 000 in strict mode (CF9). Default 10 000 strict, 3 000 resilient. */
  connectionTimeoutMs?: number;
  /** Response (read) timeout in ms for first byte and each gap between chunks, 1 000–120 000 in strict mode. Default 30 000 strict, 10 000 resilient. */
  responseTimeoutMs?: number;
  /** Cap on the whole response (all attempts and the body) in ms, ≥ responseTimeoutMs. Default none. */
  completionTimeoutMs?: number;
  /** Resilient: total time to a usable response, across all origins, in ms. Default 30 000. */
  deadlineMs?: number;
  /** Resilient: failure memory. */
  ejection?: EjectionOptions;
  /** Resilient: hedged GETs, or false to turn them off. */
  hedging?: HedgingOptions | false;
  /** Resilient: resume broken bodies on the next origin with Range + If-Match. Default true. */
  resumeBodies?: boolean;
  /** Resilient: a live playlist whose media sequence has not advanced for more than this many target durations is a failure. Default 3. */
  stalePlaylistTargetDurations?: number;
  /** Resilient: longest Retry-After honoured, in ms. Default 300 000. */
  maxRetryAfterMs?: number;
  /** Sends attempts; defaults to fetch (Workers build) or undici (Node build). */
  transport?: Transport;
  /** Time source and timers; default the system clock. */
  clock?: Clock;
  /** Called after every attempt (passive health, metrics). */
  onAttempt?: (attempt: Attempt, requestClass: RequestClass) => void;
  /** Called when a request moves from one origin to another. */
  onFailover?: (event: FailoverEvent) => void;
  /** Called once per request when its response is chosen. */
  onResponse?: (event: ResponseEvent) => void;
  /** Test-only: lifts the 1 s minimum on strict timeouts (fake-clock tests with sub-second values). */
  unsafeAllowShortTimeouts?: boolean;
}

/** A configured origin after validation. */
export interface ResolvedOrigin {
  id: string;
  /** Base URL whose pathname ends with `/`. */
  url: URL;
  /** Index in priority order. */
  index: number;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  mode: FailoverMode;
  origins: ResolvedOrigin[];
  failoverStatusCodes: ReadonlySet<number>;
  connectionAttempts: number;
  connectionTimeoutMs: number;
  responseTimeoutMs: number;
  completionTimeoutMs: number | undefined;
  deadlineMs: number;
  ejection: Required<EjectionOptions>;
  hedging: Required<HedgingOptions> | false;
  resumeBodies: boolean;
  stalePlaylistTargetDurations: number;
  maxRetryAfterMs: number;
  clock: Clock;
}

/** CF2: the only statuses CloudFront lets an origin group fail over on. */
export const STRICT_FAILOVER_STATUS_CODES: readonly number[] = [400, 403, 404, 416, 500, 502, 503, 504];

function invalid(message: string): OriginError {
  return new OriginError('INVALID_CONFIG', { message: `invalid origin-group configuration: ${message}` });
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max)
    throw invalid(`${name} must be between ${min} and ${max} (got ${value})`);
}

function checkPositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw invalid(`${name} must be a positive number (got ${value})`);
}

function resolveOrigins(configs: readonly OriginConfig[]): ResolvedOrigin[] {
  const seen = new Set<string>();
  return configs.map((o, index) => {
    if (!o || typeof o.id !== 'string' || o.id === '') throw invalid(`origins[${index}].id must be a non-empty string`);
    if (seen.has(o.id)) throw invalid(`duplicate origin id "${o.id}"`);
    seen.add(o.id);
    let url: URL;
    try {
      url = new URL(o.url);
    } catch (cause) {
      throw new OriginError('INVALID_CONFIG', {
        message: `invalid origin-group configuration: origins[${index}].url is not a URL`,
        cause,
      });
    }
    if (!['http:', 'https:', 's3:'].includes(url.protocol))
      throw invalid(`origins[${index}].url must be http(s) (got ${url.protocol})`);
    if (url.search || url.hash || url.username || url.password)
      throw invalid(`origins[${index}].url must not carry a query, fragment or credentials`);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return { id: o.id, url, index };
  });
}

/**
 * Validates options and applies every default in one place.
 * Throws OriginError `INVALID_CONFIG` with a message naming the bad option.
 */
export function resolveOptions(options: OriginGroupOptions): ResolvedOptions {
  const mode: FailoverMode = options.mode ?? 'resilient';
  if (mode !== 'strict' && mode !== 'resilient') throw invalid(`mode must be 'strict' or 'resilient'`);
  const strict = mode === 'strict';
  if (!Array.isArray(options.origins) || options.origins.length === 0)
    throw invalid('origins must list at least one origin');
  if (strict && options.origins.length !== 2)
    throw invalid(`strict mode needs exactly two origins, primary and secondary (CF1; got ${options.origins.length})`);

  // — defaults, in one block —
  const resolved: ResolvedOptions = {
    mode,
    origins: resolveOrigins(options.origins),
    // CDK's default for origin groups is 500–504; resilient mode also fails over on 404 (replication lag) and 408/429.
    failoverStatusCodes: new Set(
      options.failoverStatusCodes ?? (strict ? [500, 502, 503, 504] : [404, 408, 429, 500, 502, 503, 504]),
    ),
    connectionAttempts: options.connectionAttempts ?? 3, // attempts per origin (CF9 default 3)
    connectionTimeoutMs: options.connectionTimeoutMs ?? (strict ? 10_000 : 3_000), // ms per connect attempt (CF9 default 10 s)
    responseTimeoutMs: options.responseTimeoutMs ?? (strict ? 30_000 : 10_000), // ms to first byte / between chunks (CF9 default 30 s)
    completionTimeoutMs: options.completionTimeoutMs, // ms for the whole response; unset = no cap (CF9)
    deadlineMs: options.deadlineMs ?? 30_000, // ms to a usable response across all origins (resilient)
    ejection: {
      failureThreshold: options.ejection?.failureThreshold ?? 3, // consecutive failures
      cooldownMs: options.ejection?.cooldownMs ?? 10_000, // ms ejected before a half-open probe
      successThreshold: options.ejection?.successThreshold ?? 2, // probe successes to restore (cockatiel #73)
    },
    hedging:
      options.hedging === false
        ? false
        : {
            defaultDelayMs: options.hedging?.defaultDelayMs ?? 150, // ms before enough samples
            floorMs: options.hedging?.floorMs ?? 10, // ms, lowest learned delay
            percentile: options.hedging?.percentile ?? 0.95,
            minSamples: options.hedging?.minSamples ?? 20,
            budgetRatio: options.hedging?.budgetRatio ?? 0.1, // Envoy retry_budget 20 % default; hedges are extra load, so 10 %
            minConcurrentHedges: options.hedging?.minConcurrentHedges ?? 3, // Envoy min_retry_concurrency
          },
    resumeBodies: options.resumeBodies ?? true,
    stalePlaylistTargetDurations: options.stalePlaylistTargetDurations ?? 3, // × EXT-X-TARGETDURATION
    maxRetryAfterMs: options.maxRetryAfterMs ?? 300_000, // ms, longest Retry-After honoured
    clock: options.clock ?? systemClock,
  };

  for (const code of resolved.failoverStatusCodes) {
    if (!Number.isInteger(code) || code < 100 || code > 599)
      throw invalid(`failoverStatusCodes: ${code} is not an HTTP status`);
    if (strict && !STRICT_FAILOVER_STATUS_CODES.includes(code))
      throw invalid(
        `failoverStatusCodes: ${code} is not allowed in strict mode; choose from ${STRICT_FAILOVER_STATUS_CODES.join(', ')} (CF2)`,
      );
  }
  if (!Number.isInteger(resolved.connectionAttempts)) throw invalid(`connectionAttempts must be an integer`);
  checkRange('connectionAttempts', resolved.connectionAttempts, 1, 3);
  if (strict) {
    const minMs = options.unsafeAllowShortTimeouts ? 1 : 1_000;
    checkRange('connectionTimeoutMs', resolved.connectionTimeoutMs, minMs, 10_000);
    checkRange('responseTimeoutMs', resolved.responseTimeoutMs, minMs, 120_000);
  } else {
    checkPositive('connectionTimeoutMs', resolved.connectionTimeoutMs);
    checkPositive('responseTimeoutMs', resolved.responseTimeoutMs);
  }
  if (resolved.completionTimeoutMs !== undefined) {
    checkPositive('completionTimeoutMs', resolved.completionTimeoutMs);
    if (resolved.completionTimeoutMs < resolved.responseTimeoutMs)
      throw invalid(
        `completionTimeoutMs (${resolved.completionTimeoutMs}) must be at least responseTimeoutMs (${resolved.responseTimeoutMs})`,
      );
  }
  checkPositive('deadlineMs', resolved.deadlineMs);
  checkPositive('ejection.failureThreshold', resolved.ejection.failureThreshold);
  checkPositive('ejection.successThreshold', resolved.ejection.successThreshold);
  checkPositive('ejection.cooldownMs', resolved.ejection.cooldownMs);
  checkPositive('stalePlaylistTargetDurations', resolved.stalePlaylistTargetDurations);
  if (resolved.hedging) {
    checkRange('hedging.percentile', resolved.hedging.percentile, 0, 1);
    checkRange('hedging.budgetRatio', resolved.hedging.budgetRatio, 0, 1);
    checkPositive('hedging.defaultDelayMs', resolved.hedging.defaultDelayMs);
    checkPositive('hedging.minSamples', resolved.hedging.minSamples);
    if (!(resolved.hedging.floorMs >= 0)) throw invalid('hedging.floorMs must be ≥ 0');
    if (!(resolved.hedging.minConcurrentHedges >= 0)) throw invalid('hedging.minConcurrentHedges must be ≥ 0');
  }
  return resolved;
}
