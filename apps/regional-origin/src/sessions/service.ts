/**
 * @module Session service: starts sessions (signed ids carrying their claims), resolves them
 * from the store, and rebuilds them from the id alone when the record is gone or Valkey is down.
 */
import { LRUCache } from 'lru-cache';
import {
  isManifestError,
  newSessionClaims,
  signSessionToken,
  verifySessionToken,
  type Keyring,
} from '@meridian/manifest-core';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createThrottledWarn, describeError } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { BreakDecision, ContentKind, SessionClaims, SessionMode, SessionState, SessionStore } from './types.ts';

/** What starting a session needs. */
export interface StartSessionInput {
  kind: ContentKind;
  contentId: string;
  mode: SessionMode;
  adParams: Record<string, string>;
  country: string | undefined;
}

/** A resolved session: verified claims plus whatever the store held. */
export interface ResolvedSession {
  /** The signed session id. */
  token: string;
  claims: SessionClaims;
  breaks: Record<string, BreakDecision>;
  /** A live session's stored SSAI record (JSON), when the store held one. */
  live?: string;
  /** True when the record was missing or unreadable and was rebuilt from the id. */
  rebuilt: boolean;
}

/** Dependencies of {@link createSessionService}. */
export interface SessionServiceOptions {
  store: SessionStore;
  keyring: Keyring;
  ttlSeconds: number;
  zone: string;
  nowMs: () => number;
  /** Random source for ids and seeds (injected for determinism in tests). */
  randomBytes: (n: number) => Uint8Array;
  metrics: Metrics;
  log: Logger;
}

/** The session service. */
export interface SessionService {
  /** Starts a session and returns its signed id; a store failure is logged, not thrown (the id alone suffices). */
  start(input: StartSessionInput): Promise<ResolvedSession>;
  /** Verifies a session id (403 INVALID_SIGNATURE if forged or expired) and loads or rebuilds its state. */
  resolve(token: string): Promise<ResolvedSession>;
  /** Verifies a session id without touching the store. */
  verify(token: string): Promise<SessionClaims>;
  /** Stores a break decision (best effort). */
  recordBreak(claims: SessionClaims, decision: BreakDecision): Promise<void>;
  /** Stores a break decision under `field` unless one is stored already; returns the stored one (the given one when the store is down). */
  claimBreak(claims: SessionClaims, field: string, decision: BreakDecision): Promise<BreakDecision>;
  /** Stores a live session's SSAI record (best effort; false when the store failed). */
  recordLive(claims: SessionClaims, json: string): Promise<boolean>;
}

/** Creates the session service over a store. */
export function createSessionService(options: SessionServiceOptions): SessionService {
  const { store, keyring, ttlSeconds, zone, nowMs, metrics, log } = options;

  const warn = createThrottledWarn(log, 10_000, nowMs);
  const guarded = async <T>(op: string, run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> => {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      metrics.valkeyErrors.inc({ op });
      warn('session store failed', { op, ...describeError(error) });
      return { ok: false };
    }
  };

  // Tokens already verified, with their expiry: the same string needs no second HMAC (WebCrypto
  // runs on the thread pool, which costs more latency than the rest of a playlist request).
  const verified = new LRUCache<string, { claims: SessionClaims; expiresAtMs: number }>({ max: 50_000 });

  const verify = async (token: string): Promise<SessionClaims> => {
    const known = verified.get(token);
    if (known) {
      if (known.expiresAtMs <= nowMs()) throw new AppError('INVALID_SIGNATURE', 'session: token has expired');
      return known.claims;
    }
    try {
      const { expiresAtSeconds, ...claims } = await verifySessionToken(token, keyring, nowMs());
      verified.set(token, { claims, expiresAtMs: expiresAtSeconds * 1000 });
      return claims;
    } catch (error) {
      if (isManifestError(error)) throw new AppError('INVALID_SIGNATURE', `session: ${error.message}`);
      throw error;
    }
  };

  return {
    async start(input) {
      const claims = newSessionClaims(input, nowMs(), options.randomBytes);
      const token = await signSessionToken(claims, keyring, ttlSeconds);
      await guarded('save', () => store.save(claims, zone, ttlSeconds));
      return { token, claims, breaks: {}, rebuilt: false };
    },

    verify,

    async resolve(token) {
      const claims = await verify(token);
      const loaded = await guarded('load', () => store.load(claims.id));
      let state: SessionState | undefined = loaded.ok ? loaded.value : undefined;
      // A record that disagrees with its signed id is not trusted.
      if (state && (state.claims.contentId !== claims.contentId || state.claims.kind !== claims.kind))
        state = undefined;
      if (state)
        return state.live === undefined
          ? { token, claims, breaks: state.breaks, rebuilt: false }
          : { token, claims, breaks: state.breaks, live: state.live, rebuilt: false };
      const reason = loaded.ok ? 'missing' : 'store_down';
      metrics.sessionRebuilds.inc({ reason });
      // Re-store in the background only when the store answered: when it is down, trying again per request adds nothing.
      if (loaded.ok) {
        const remaining = Math.max(1, claims.createdAtSeconds + ttlSeconds - Math.floor(nowMs() / 1000));
        void guarded('save', () => store.save(claims, zone, remaining));
      }
      return { token, claims, breaks: {}, rebuilt: true };
    },

    async recordBreak(claims, decision) {
      const remaining = Math.max(1, claims.createdAtSeconds + ttlSeconds - Math.floor(nowMs() / 1000));
      await guarded('saveBreak', () => store.saveBreak(claims.id, decision, remaining));
    },

    async claimBreak(claims, field, decision) {
      const remaining = Math.max(1, claims.createdAtSeconds + ttlSeconds - Math.floor(nowMs() / 1000));
      const claimed = await guarded('claimBreak', () => store.claimBreak(claims.id, field, decision, remaining));
      return claimed.ok ? claimed.value : decision;
    },

    async recordLive(claims, json) {
      const remaining = Math.max(1, claims.createdAtSeconds + ttlSeconds - Math.floor(nowMs() / 1000));
      return (await guarded('saveLive', () => store.saveLive(claims.id, json, remaining))).ok;
    },
  };
}
