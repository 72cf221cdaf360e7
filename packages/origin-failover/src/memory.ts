/** @module Per-origin failure memory for resilient mode: ejection after consecutive failures, half-open probes with a success threshold, and Retry-After. */
import type { EjectionOptions, RequestClass, ResolvedOrigin } from './options.ts';

/** Circuit state of one origin for one request class. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A snapshot of one origin's memory, for dashboards and tests. */
export interface OriginHealthSnapshot {
  originId: string;
  requestClass: RequestClass;
  state: CircuitState;
  consecutiveFailures: number;
  /** Epoch ms until which the origin is skipped (ejection cooldown), when open. */
  ejectedUntilMs?: number;
  /** Epoch ms before which Retry-After forbids contacting the origin. */
  retryAfterUntilMs?: number;
}

interface Circuit {
  state: CircuitState;
  failures: number;
  openUntil: number;
  probeSuccesses: number;
  probeInFlight: boolean;
}

/** Where a candidate stands for this request. */
export interface Candidate {
  origin: ResolvedOrigin;
  /** True when the attempt is a half-open probe. */
  probe: boolean;
}

/** Failure memory shared by every request of one origin group. */
export class OriginMemory {
  private readonly circuits = new Map<string, Circuit>();
  private readonly retryAfter = new Map<string, number>();

  constructor(private readonly options: Required<EjectionOptions>) {}

  private circuit(originId: string, cls: RequestClass): Circuit {
    const key = `${originId}\u0000${cls}`;
    let c = this.circuits.get(key);
    if (!c) {
      c = { state: 'closed', failures: 0, openUntil: 0, probeSuccesses: 0, probeInFlight: false };
      this.circuits.set(key, c);
    }
    return c;
  }

  /**
   * Orders origins for one request: healthy (and due half-open) origins in priority
   * order first, then ejected ones as a last resort (fail-open); origins under
   * Retry-After are left out entirely.
   */
  candidates(origins: readonly ResolvedOrigin[], cls: RequestClass, nowMs: number): Candidate[] {
    const usable: Candidate[] = [];
    const ejected: Candidate[] = [];
    for (const origin of origins) {
      if ((this.retryAfter.get(origin.id) ?? 0) > nowMs) continue;
      const c = this.circuit(origin.id, cls);
      if (c.state === 'open' && nowMs >= c.openUntil) {
        c.state = 'half-open';
        c.probeSuccesses = 0;
      }
      if (c.state === 'closed') usable.push({ origin, probe: false });
      else if (c.state === 'half-open' && !c.probeInFlight) usable.push({ origin, probe: true });
      else ejected.push({ origin, probe: false });
    }
    return [...usable, ...ejected];
  }

  /** Marks a half-open probe as sent, so concurrent requests do not pile onto a recovering origin. */
  probeStarted(originId: string, cls: RequestClass): void {
    this.circuit(originId, cls).probeInFlight = true;
  }

  /** Records a good outcome. */
  success(originId: string, cls: RequestClass, probe: boolean): void {
    const c = this.circuit(originId, cls);
    c.failures = 0;
    if (probe) c.probeInFlight = false;
    if (c.state === 'half-open') {
      c.probeSuccesses += 1;
      if (c.probeSuccesses >= this.options.successThreshold) c.state = 'closed';
    }
  }

  /** Records a failure; ejects the origin after `failureThreshold` in a row, or at once when a probe fails. */
  failure(originId: string, cls: RequestClass, probe: boolean, nowMs: number): void {
    const c = this.circuit(originId, cls);
    if (probe) c.probeInFlight = false;
    c.failures += 1;
    if (c.state === 'half-open' || (c.state === 'closed' && c.failures >= this.options.failureThreshold)) {
      c.state = 'open';
      c.openUntil = nowMs + this.options.cooldownMs;
      c.probeSuccesses = 0;
    }
  }

  /** Forgets an unfinished probe (aborted because another origin won, or the caller gave up). */
  probeAbandoned(originId: string, cls: RequestClass): void {
    this.circuit(originId, cls).probeInFlight = false;
  }

  /** Honours Retry-After: the origin receives nothing before `untilMs`. */
  blockUntil(originId: string, untilMs: number): void {
    this.retryAfter.set(originId, Math.max(untilMs, this.retryAfter.get(originId) ?? 0));
  }

  /** Every known circuit, for observability. */
  snapshot(nowMs: number): OriginHealthSnapshot[] {
    const out: OriginHealthSnapshot[] = [];
    for (const [key, c] of this.circuits) {
      const [originId = '', cls = 'segment'] = key.split('\u0000');
      const retryAfterUntilMs = this.retryAfter.get(originId);
      out.push({
        originId,
        requestClass: cls as RequestClass,
        state: c.state === 'open' && nowMs >= c.openUntil ? 'half-open' : c.state,
        consecutiveFailures: c.failures,
        ...(c.state === 'open' ? { ejectedUntilMs: c.openUntil } : {}),
        ...(retryAfterUntilMs !== undefined && retryAfterUntilMs > nowMs ? { retryAfterUntilMs } : {}),
      });
    }
    return out;
  }
}

/** Parses a Retry-After value (delta-seconds or HTTP-date) into a delay in ms, or undefined. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
