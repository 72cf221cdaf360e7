/** @module Active HTTP health checks with Route 53 semantics (interval, failure threshold, 2xx/3xx, string match in the first 5,120 bytes) plus passive health from the group's own attempts. */
import type { Clock, TimerHandle } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Attempt } from './errors.ts';
import { OriginError } from './errors.ts';

/** One endpoint to check. */
export interface HealthCheckTarget {
  /** Health-check id (used by steering records and by the passive hook). */
  id: string;
  /** URL requested with GET. */
  url: string;
  /** R7: healthy only if this string is in the first 5,120 bytes of the body. */
  searchString?: string;
}

/** Options of {@link createHealthChecker}. */
export interface HealthCheckerOptions {
  targets: HealthCheckTarget[];
  /** Time between checks, in ms. Default 30 000 (Route 53 offers 10 000 or 30 000, R7). */
  intervalMs?: number;
  /** Consecutive failures to turn unhealthy, and successes to turn healthy again: 1–10. Default 3 (R7). */
  failureThreshold?: number;
  /** Per-check timeout in ms. Default 6 000 (Route 53: 4 s to connect + 2 s to the status, R7). */
  timeoutMs?: number;
  /** The fetch to use; default the global one. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  clock?: Clock;
  /** Called when a target changes state. */
  onChange?: (id: string, healthy: boolean) => void;
}

/** Current state of one target. */
export interface HealthStatus {
  id: string;
  healthy: boolean;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** Last check or observation, epoch ms. */
  lastCheckedMs?: number;
}

/** A running set of health checks. */
export interface HealthChecker {
  /** R4: unknown ids count as healthy. */
  isHealthy(id: string): boolean;
  /** Passive health: feeds one outcome (from the origin group) into the same thresholds. */
  observe(id: string, ok: boolean): void;
  /** Runs one round of checks now. */
  checkNow(): Promise<void>;
  /** Starts the interval timer (the first round runs at once). */
  start(): void;
  /** Stops the interval timer. */
  stop(): void;
  /** The round in flight (or the last one), for tests that drive a manual clock. */
  readonly idle: Promise<void>;
  snapshot(): HealthStatus[];
}

/** R7: string matching looks at the first 5,120 bytes only. */
export const HEALTH_CHECK_SEARCH_BYTES = 5_120;

async function readPrefix(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < maxBytes) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  reader.cancel().catch(() => undefined);
  const all = new Uint8Array(Math.min(total, maxBytes));
  let off = 0;
  for (const c of chunks) {
    const part = c.subarray(0, all.length - off);
    all.set(part, off);
    off += part.length;
    if (off >= all.length) break;
  }
  return new TextDecoder().decode(all);
}

/**
 * Creates a health checker. Targets start healthy and flip after `failureThreshold`
 * consecutive results the other way.
 * @example
 * const checker = createHealthChecker({ targets: [{ id: 'eu', url: 'https://eu.example/healthz' }] });
 * checker.start();
 */
export function createHealthChecker(options: HealthCheckerOptions): HealthChecker {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 30_000; // ms (R7: 10 s or 30 s)
  const threshold = options.failureThreshold ?? 3; // consecutive results (R7: 1–10)
  const timeoutMs = options.timeoutMs ?? 6_000; // ms per check
  const doFetch = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 10)
    throw new OriginError('INVALID_CONFIG', { message: `failureThreshold must be 1–10 (R7; got ${threshold})` });
  if (!(intervalMs > 0) || !(timeoutMs > 0))
    throw new OriginError('INVALID_CONFIG', { message: 'intervalMs and timeoutMs must be positive' });

  const states = new Map<string, HealthStatus>(
    options.targets.map((t) => [t.id, { id: t.id, healthy: true, consecutiveFailures: 0, consecutiveSuccesses: 0 }]),
  );
  let timer: TimerHandle | undefined;
  let running = false;
  let idle: Promise<void> = Promise.resolve();

  const observe = (id: string, ok: boolean): void => {
    let s = states.get(id);
    if (!s) states.set(id, (s = { id, healthy: true, consecutiveFailures: 0, consecutiveSuccesses: 0 }));
    s.lastCheckedMs = clock.now();
    if (ok) {
      s.consecutiveSuccesses += 1;
      s.consecutiveFailures = 0;
      if (!s.healthy && s.consecutiveSuccesses >= threshold) {
        s.healthy = true;
        options.onChange?.(id, true);
      }
    } else {
      s.consecutiveFailures += 1;
      s.consecutiveSuccesses = 0;
      if (s.healthy && s.consecutiveFailures >= threshold) {
        s.healthy = false;
        options.onChange?.(id, false);
      }
    }
  };

  const checkOne = async (target: HealthCheckTarget): Promise<boolean> => {
    const controller = new AbortController();
    const t = clock.setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await doFetch(target.url, { method: 'GET', redirect: 'manual', signal: controller.signal });
      // R7: 2xx and 3xx are healthy.
      if (res.status < 200 || res.status >= 400) {
        res.body?.cancel().catch(() => undefined);
        return false;
      }
      if (target.searchString === undefined) {
        res.body?.cancel().catch(() => undefined);
        return true;
      }
      return (await readPrefix(res, HEALTH_CHECK_SEARCH_BYTES)).includes(target.searchString);
    } catch {
      return false;
    } finally {
      clock.clearTimeout(t);
    }
  };

  const checkNow = (): Promise<void> => {
    idle = Promise.all(options.targets.map(async (t) => observe(t.id, await checkOne(t)))).then(() => undefined);
    return idle;
  };

  const schedule = (): void => {
    timer = clock.setTimeout(() => {
      if (!running) return;
      void checkNow().then(() => {
        if (running) schedule();
      });
    }, intervalMs);
  };

  return {
    isHealthy: (id) => states.get(id)?.healthy ?? true,
    observe,
    checkNow,
    start: () => {
      if (running) return;
      running = true;
      void checkNow().then(() => {
        if (running) schedule();
      });
    },
    stop: () => {
      running = false;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
    get idle() {
      return idle;
    },
    snapshot: () => [...states.values()].map((s) => ({ ...s })),
  };
}

/**
 * Builds an `onAttempt` hook that feeds an origin group's outcomes into a checker
 * (passive health). `checkIdFor` maps an origin id to a health-check id (default: the same).
 */
export function passiveHealthHook(
  checker: HealthChecker,
  checkIdFor: (originId: string) => string | undefined = (id) => id,
): (attempt: Attempt) => void {
  return (attempt) => {
    const id = checkIdFor(attempt.originId);
    if (id === undefined) return;
    // Lost hedges and aborts say nothing about the origin itself.
    if (attempt.outcome === 'hedge-lost' || attempt.outcome === 'aborted') return;
    // Unlike an active check (R7: only 2xx/3xx), real traffic asks for objects that may not exist:
    // a 4xx is an answer; 5xx and no answer at all are failures.
    const answered = attempt.outcome === 'ok' || attempt.outcome === 'failover-status';
    checker.observe(id, answered && (attempt.status === undefined || attempt.status < 500));
  };
}
