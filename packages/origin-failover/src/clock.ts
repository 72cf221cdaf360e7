/** @module Injectable time: the policy core never calls Date.now or setTimeout itself, so tests run on a manual clock. */

/** Handle of a scheduled timer. */
export type TimerHandle = unknown;

/** Time source and timers the policy core uses; pass a manual one in tests. */
export interface Clock {
  /** Epoch milliseconds (HTTP dates such as Retry-After are compared against it). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: Date.now and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A clock that only moves when told to; timers fire in order inside {@link ManualClock.advance}. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
  advance(ms: number): Promise<void>;
  /** Advances to the next pending timer and fires it; false when none is pending. */
  next(): Promise<boolean>;
  /** Number of timers still pending. */
  readonly pending: number;
}

interface ManualTimer {
  id: number;
  at: number;
  fn: () => void;
}

async function settle(): Promise<void> {
  // A few real macrotask turns let chains of awaits (stream reads, transports) run to their next timer.
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/**
 * Creates a manual clock starting at `startMs` (default 0).
 * @example
 * const clock = createManualClock();
 * const pending = group.fetch('/a.ts');
 * await clock.advance(30_000);
 */
export function createManualClock(startMs = 0): ManualClock {
  let nowMs = startMs;
  let seq = 0;
  const timers: ManualTimer[] = [];
  const fireNext = async (limit: number): Promise<boolean> => {
    await settle();
    timers.sort((a, b) => a.at - b.at || a.id - b.id);
    const t = timers[0];
    if (!t || t.at > limit) return false;
    timers.shift();
    nowMs = Math.max(nowMs, t.at);
    t.fn();
    await settle();
    return true;
  };
  return {
    now: () => nowMs,
    setTimeout: (fn, ms) => {
      const id = ++seq;
      timers.push({ id, at: nowMs + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout: (handle) => {
      const i = timers.findIndex((t) => t.id === handle);
      if (i >= 0) timers.splice(i, 1);
    },
    advance: async (ms) => {
      const target = nowMs + ms;
      while (await fireNext(target));
      nowMs = target;
      await settle();
    },
    next: async () => fireNext(Number.POSITIVE_INFINITY),
    get pending() {
      return timers.length;
    },
  };
}
