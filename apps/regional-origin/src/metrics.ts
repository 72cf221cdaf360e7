/** @module Prometheus metrics of the zone server (prom-client), one registry per app instance. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics the server records; each app gets its own registry so tests do not collide. */
export interface Metrics {
  registry: Registry;
  /** Requests by route pattern, method and status. */
  requests: Counter<'route' | 'method' | 'status'>;
  /** Latency by route pattern, in seconds. */
  latency: Histogram<'route' | 'method'>;
  /** Requests served by an origin other than the first. */
  originFailovers: Counter<'origin'>;
  /** Cache lookups by cache (l1_playlist, l1_metadata, l2_metadata) and result (hit, miss). */
  cacheLookups: { inc(labels: { cache: string; result: 'hit' | 'miss' }): void };
  /** ADS requests by outcome (filled, empty, timeout, error, blocked). */
  adRequests: Counter<'outcome'>;
  /** ADS requests that timed out (per-request timeout or total budget). */
  adTimeouts: Counter;
  /** Sessions rebuilt from their signed id because the record was missing or Valkey was down. */
  sessionRebuilds: Counter<'reason'>;
  /** Valkey commands that failed (timeouts, connection down). */
  valkeyErrors: Counter<'op'>;
  /** Transcode jobs published from the outbox. */
  jobsPublished: Counter;
}

/** Creates the metrics on a fresh registry; `defaults` adds Node process metrics. */
export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'meridian_http_requests_total',
      help: 'HTTP requests by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    latency: new Histogram({
      name: 'meridian_http_request_duration_seconds',
      help: 'HTTP request latency by route, in seconds.',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    originFailovers: new Counter({
      name: 'meridian_origin_failovers_total',
      help: 'Origin requests served by a non-primary origin.',
      labelNames: ['origin'],
      registers,
    }),
    cacheLookups: createCacheLookups(registers),
    adRequests: new Counter({
      name: 'meridian_ads_requests_total',
      help: 'ADS break decisions by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    adTimeouts: new Counter({
      name: 'meridian_ads_timeouts_total',
      help: 'ADS requests that hit the per-request timeout or the total budget.',
      registers,
    }),
    sessionRebuilds: new Counter({
      name: 'meridian_session_rebuilds_total',
      help: 'Sessions rebuilt from their signed id.',
      labelNames: ['reason'],
      registers,
    }),
    valkeyErrors: new Counter({
      name: 'meridian_valkey_errors_total',
      help: 'Failed Valkey operations.',
      labelNames: ['op'],
      registers,
    }),
    jobsPublished: new Counter({
      name: 'meridian_transcode_jobs_published_total',
      help: 'Transcode jobs published from the outbox.',
      registers,
    }),
  };
}

/**
 * Cache lookups happen several times per playlist request, so they are counted in plain
 * numbers and handed to prom-client only when /metrics is scraped.
 */
function createCacheLookups(registers: Registry[]): Metrics['cacheLookups'] {
  const counts = new Map<string, number>();
  new Counter({
    name: 'meridian_cache_lookups_total',
    help: 'Cache lookups by cache and result (hit/miss).',
    labelNames: ['cache', 'result'],
    registers,
    collect() {
      this.reset();
      for (const [key, n] of counts) {
        const [cache = '', result = ''] = key.split('|');
        this.inc({ cache, result }, n);
      }
    },
  });
  return {
    inc({ cache, result }) {
      const key = `${cache}|${result}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
  };
}
