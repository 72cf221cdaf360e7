/** @module Learned hedge delays (a percentile of recent time-to-headers per origin and class) and the hedge budget. */
import type { HedgingOptions, RequestClass } from './options.ts';

const WINDOW = 128; // recent samples kept per origin and class

/** Recent time-to-headers per origin and class, and the hedge delay they imply. */
export class LatencyTracker {
  private readonly samples = new Map<string, number[]>();

  constructor(private readonly options: Required<HedgingOptions>) {}

  /** Records the time to headers of a successful attempt, in ms. */
  record(originId: string, cls: RequestClass, ms: number): void {
    const key = `${originId}\u0000${cls}`;
    let list = this.samples.get(key);
    if (!list) this.samples.set(key, (list = []));
    list.push(ms);
    if (list.length > WINDOW) list.shift();
  }

  /** The delay before hedging a request first sent to `originId`, in ms. */
  hedgeDelayMs(originId: string, cls: RequestClass): number {
    const list = this.samples.get(`${originId}\u0000${cls}`);
    if (!list || list.length < this.options.minSamples) return this.options.defaultDelayMs;
    const sorted = [...list].sort((a, b) => a - b);
    const idx = Math.min(sorted.length - 1, Math.ceil(this.options.percentile * sorted.length) - 1);
    return Math.max(this.options.floorMs, sorted[Math.max(0, idx)] ?? this.options.defaultDelayMs);
  }
}

/** Envoy retry_budget semantics for hedges: in-flight hedges ≤ max(minConcurrent, ratio × in-flight requests). */
export class HedgeBudget {
  private activeRequests = 0;
  private activeHedges = 0;

  constructor(private readonly options: Required<HedgingOptions>) {}

  /** Counts a request in flight; call the returned function when it ends. */
  requestStarted(): () => void {
    this.activeRequests += 1;
    let done = false;
    return () => {
      if (!done) this.activeRequests -= 1;
      done = true;
    };
  }

  /** Takes a hedge slot when the budget allows; call the returned function when the hedge ends. */
  tryAcquire(): (() => void) | undefined {
    const allowed = Math.max(
      this.options.minConcurrentHedges,
      Math.floor(this.options.budgetRatio * this.activeRequests),
    );
    if (this.activeHedges >= allowed) return undefined;
    this.activeHedges += 1;
    let done = false;
    return () => {
      if (!done) this.activeHedges -= 1;
      done = true;
    };
  }

  /** Hedges in flight now. */
  get hedgesInFlight(): number {
    return this.activeHedges;
  }
}
