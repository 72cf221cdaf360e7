/** @module Per-client fixed-window rate limiting in process memory (bounded by an LRU). */
import { LRUCache } from 'lru-cache';

/** A rate limiter. */
export interface RateLimiter {
  /** Counts one request for `client`; returns the seconds to wait when over the limit, else 0. */
  hit(client: string): number;
}

/** Allows `limit` requests per client per `windowMs`; `now` is the clock. */
export function createRateLimiter(limit: number, windowMs: number, now: () => number = Date.now): RateLimiter {
  const windows = new LRUCache<string, { startMs: number; count: number }>({ max: 100_000 });
  return {
    hit(client) {
      const t = now();
      let w = windows.get(client);
      if (!w || t - w.startMs >= windowMs) {
        w = { startMs: t, count: 0 };
        windows.set(client, w);
      }
      w.count++;
      return w.count > limit ? Math.max(1, Math.ceil((w.startMs + windowMs - t) / 1000)) : 0;
    },
  };
}
