/** @module In-memory SessionStore for the demo and tests (no Valkey); bounded and TTL-honouring via lru-cache. */
import { LRUCache } from 'lru-cache';
import type { BreakDecision, SessionClaims, SessionState, SessionStore } from './types.ts';

/** Creates an in-memory session store holding at most `maxSessions` sessions. */
export function createMemorySessionStore(options: { maxSessions?: number } = {}): SessionStore {
  const sessions = new LRUCache<string, SessionState>({ max: options.maxSessions ?? 100_000, ttlAutopurge: false });
  return {
    async load(id) {
      const state = sessions.get(id);
      // Records are replaced, never mutated in place by readers, so a shallow copy suffices.
      return state ? { ...state, breaks: { ...state.breaks } } : undefined;
    },
    async save(claims: SessionClaims, zone: string, ttlSeconds: number) {
      const existing = sessions.get(claims.id);
      const state: SessionState = { claims, zone, breaks: existing?.breaks ?? {} };
      if (existing?.live !== undefined) state.live = existing.live;
      sessions.set(claims.id, state, { ttl: ttlSeconds * 1000 });
    },
    async saveBreak(id: string, decision: BreakDecision, ttlSeconds: number) {
      const existing = sessions.get(id);
      if (!existing) return;
      sessions.set(
        id,
        { ...existing, breaks: { ...existing.breaks, [decision.breakId]: decision } },
        { ttl: ttlSeconds * 1000 },
      );
    },
    async claimBreak(id: string, field: string, decision: BreakDecision, ttlSeconds: number) {
      const existing = sessions.get(id);
      if (!existing) return decision;
      const stored = existing.breaks[field];
      if (stored) return stored;
      sessions.set(id, { ...existing, breaks: { ...existing.breaks, [field]: decision } }, { ttl: ttlSeconds * 1000 });
      return decision;
    },
    async saveLive(id: string, json: string, ttlSeconds: number) {
      const existing = sessions.get(id);
      if (!existing) return;
      sessions.set(id, { ...existing, live: json }, { ttl: ttlSeconds * 1000 });
    },
  };
}
