/**
 * @module HLS content-steering manifests (Content Steering 1.2, draft-pantos-content-steering):
 * PATHWAY-PRIORITY follows current zone health and the viewer's zone preference; the player's
 * `_HLS_pathway` is kept first while it is healthy and fast enough (no needless switches), and a
 * `_HLS_throughput` below the floor moves the player off its pathway.
 */
import type { PathwayConfig } from './config.ts';
import type { Viewer, ZoneDirector } from './zones.ts';

/** The JSON a steering server returns. */
export interface SteeringManifest {
  VERSION: 1;
  /** Seconds until the player reloads. */
  TTL: number;
  /** Where the player reloads from (carries the session). */
  'RELOAD-URI': string;
  /** Pathway ids, most preferred first. */
  'PATHWAY-PRIORITY': string[];
}

/** Inputs of {@link pathwayPriority}. */
export interface PathwayPriorityInput {
  pathways: readonly PathwayConfig[];
  director: ZoneDirector;
  viewer: Viewer;
  /** `_HLS_pathway`: the pathway the player is on, if it said. */
  currentPathway: string | undefined;
  /** `_HLS_throughput`: the player's measured throughput, bits/s, if it said. */
  throughputBps: number | undefined;
  /** Below this throughput the current pathway is demoted; 0 disables. */
  minThroughputBps: number;
}

/** Pathway ids in priority order for this viewer, from zone health and preference. */
export function pathwayPriority(input: PathwayPriorityInput): string[] {
  const { pathways, director } = input;
  // Zone pathways take the viewer's zone order; CDN pathways keep their configured places.
  const zoneRank = new Map(director.order(input.viewer).map((z, i) => [z.id, i]));
  const zoneSlots = pathways.filter((p) => p.zone !== undefined).sort((a, b) => (zoneRank.get(a.zone ?? '') ?? 0) - (zoneRank.get(b.zone ?? '') ?? 0));
  let next = 0;
  const ordered = pathways.map((p) => (p.zone === undefined ? p : (zoneSlots[next++] ?? p)));
  const healthy = ordered.filter((p) => p.zone === undefined || director.isHealthy(p.zone));
  // Fail-open (Route 53 R4): with nothing healthy, offer everything rather than nothing.
  let ids = (healthy.length > 0 ? healthy : ordered).map((p) => p.id);
  const current = input.currentPathway;
  if (current !== undefined && ids.includes(current)) {
    const slow = input.throughputBps !== undefined && input.minThroughputBps > 0 && input.throughputBps < input.minThroughputBps;
    ids = ids.filter((id) => id !== current);
    if (slow) ids.splice(Math.min(1, ids.length), 0, current);
    else ids.unshift(current);
  }
  return ids;
}

/** Builds the steering manifest. */
export function buildSteeringManifest(priority: string[], ttlSeconds: number, reloadUri: string): SteeringManifest {
  return { VERSION: 1, TTL: ttlSeconds, 'RELOAD-URI': reloadUri, 'PATHWAY-PRIORITY': priority };
}
