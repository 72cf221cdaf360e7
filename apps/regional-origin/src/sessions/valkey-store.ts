/**
 * @module Valkey SessionStore: a small JSON record, a hash of break decisions and (live) an SSAI
 * record per session, all with a TTL, read together in one pipeline. Keys share a hash tag so Cluster keeps them in one slot.
 */
import type { ValkeyClient } from '../valkey.ts';
import type { BreakDecision, SessionClaims, SessionState, SessionStore } from './types.ts';

/** Creates a session store on a Valkey client; `keyPrefix` namespaces every key. */
export function createValkeySessionStore(client: ValkeyClient, keyPrefix: string): SessionStore {
  const recordKey = (id: string): string => `${keyPrefix}session:{${id}}`;
  const breaksKey = (id: string): string => `${keyPrefix}session:{${id}}:breaks`;
  const liveKey = (id: string): string => `${keyPrefix}session:{${id}}:live`;
  return {
    async load(id) {
      const results = await client.pipeline().get(recordKey(id)).hgetall(breaksKey(id)).get(liveKey(id)).exec();
      if (!results) throw new Error('pipeline aborted');
      const [recordResult, breaksResult, liveResult] = results;
      if (recordResult?.[0]) throw recordResult[0];
      if (breaksResult?.[0]) throw breaksResult[0];
      if (liveResult?.[0]) throw liveResult[0];
      const raw = recordResult?.[1];
      if (typeof raw !== 'string') return undefined;
      const record = JSON.parse(raw) as { claims: SessionClaims; zone: string };
      const breaks: Record<string, BreakDecision> = {};
      for (const [breakId, json] of Object.entries((breaksResult?.[1] ?? {}) as Record<string, string>)) {
        breaks[breakId] = JSON.parse(json) as BreakDecision;
      }
      const state: SessionState = { claims: record.claims, zone: record.zone, breaks };
      if (typeof liveResult?.[1] === 'string') state.live = liveResult[1];
      return state;
    },
    async save(claims, zone, ttlSeconds) {
      await client.set(recordKey(claims.id), JSON.stringify({ claims, zone }), 'EX', ttlSeconds);
    },
    async saveBreak(id, decision, ttlSeconds) {
      const results = await client
        .pipeline()
        .hset(breaksKey(id), decision.breakId, JSON.stringify(decision))
        .expire(breaksKey(id), ttlSeconds)
        .exec();
      const failed = results?.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    },
    async claimBreak(id, field, decision, ttlSeconds) {
      const results = await client
        .pipeline()
        .hsetnx(breaksKey(id), field, JSON.stringify(decision))
        .hget(breaksKey(id), field)
        .expire(breaksKey(id), ttlSeconds)
        .exec();
      const failed = results?.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
      const stored = results?.[1]?.[1];
      return typeof stored === 'string' ? (JSON.parse(stored) as BreakDecision) : decision;
    },
    async saveLive(id, json, ttlSeconds) {
      await client.set(liveKey(id), json, 'EX', ttlSeconds);
    },
  };
}
