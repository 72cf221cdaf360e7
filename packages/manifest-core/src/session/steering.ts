/**
 * @module HLS content-steering manifests for a session (Content Steering 1.2,
 * draft-pantos-content-steering): the master lists one PATHWAY-ID per CDN or zone, and
 * PATHWAY-PRIORITY follows zone health and the viewer's zone preference; the player's
 * `_HLS_pathway` stays first while it is healthy and fast enough (no needless switches), and a
 * `_HLS_throughput` below the floor moves the player off its pathway.
 */

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

/** A pathway as steering sees it. */
export interface SteeringPathway {
  /** PATHWAY-ID. */
  id: string;
  /** Zone whose health decides this pathway's place; undefined: always healthy (a CDN, the edge itself). */
  zone?: string | undefined;
}

/** Inputs of {@link steeringPathwayPriority}. */
export interface SteeringPriorityInput {
  /** Pathways in their configured (default) order. */
  pathways: readonly SteeringPathway[];
  /** Zone ids in this viewer's preference order (geography, weights); zones not listed keep their place. */
  zoneOrder: readonly string[];
  /** Current health of a zone. */
  isHealthy(zone: string): boolean;
  /** `_HLS_pathway`: the pathway the player is on, if it said. */
  currentPathway: string | undefined;
  /** `_HLS_throughput`: the player's measured throughput, bits/s, if it said. */
  throughputBps: number | undefined;
  /** Below this throughput the current pathway is demoted; 0 disables. */
  minThroughputBps: number;
}

/** The steering parameters a player adds to the steering URL. */
export interface SteeringQuery {
  /** `_HLS_pathway`, when well-formed. */
  currentPathway: string | undefined;
  /** `_HLS_throughput` in bits/s, when a plain number. */
  throughputBps: number | undefined;
}

/**
 * Pathway ids in priority order for one viewer: zone pathways take the viewer's zone order
 * (CDN pathways keep their configured places), unhealthy zones are left out unless nothing is
 * healthy (fail-open, as Route 53 does), and the player's current pathway stays first unless it
 * is slower than the floor, which moves it to second.
 * @example
 * steeringPathwayPriority({ pathways, zoneOrder: ['zone-eu', 'zone-us'], isHealthy, currentPathway: undefined, throughputBps: undefined, minThroughputBps: 0 });
 */
export function steeringPathwayPriority(input: SteeringPriorityInput): string[] {
  const { pathways } = input;
  const zoneRank = new Map(input.zoneOrder.map((z, i) => [z, i]));
  const zoneSlots = pathways
    .filter((p) => p.zone !== undefined)
    .sort((a, b) => (zoneRank.get(a.zone ?? '') ?? 0) - (zoneRank.get(b.zone ?? '') ?? 0));
  let next = 0;
  const ordered = pathways.map((p) => (p.zone === undefined ? p : (zoneSlots[next++] ?? p)));
  const healthy = ordered.filter((p) => p.zone === undefined || input.isHealthy(p.zone));
  let ids = (healthy.length > 0 ? healthy : ordered).map((p) => p.id);
  const current = input.currentPathway;
  if (current !== undefined && ids.includes(current)) {
    const slow =
      input.throughputBps !== undefined && input.minThroughputBps > 0 && input.throughputBps < input.minThroughputBps;
    ids = ids.filter((id) => id !== current);
    if (slow) ids.splice(Math.min(1, ids.length), 0, current);
    else ids.unshift(current);
  }
  return ids;
}

/** Reads `_HLS_pathway` and `_HLS_throughput` from a steering request's query, ignoring malformed values. */
export function readSteeringQuery(query: Readonly<Record<string, string | undefined>>): SteeringQuery {
  const pathway = query._HLS_pathway;
  const throughput = query._HLS_throughput;
  return {
    currentPathway: pathway !== undefined && /^[A-Za-z0-9._-]{1,64}$/.test(pathway) ? pathway : undefined,
    throughputBps: throughput !== undefined && /^\d{1,12}(\.\d+)?$/.test(throughput) ? Number(throughput) : undefined,
  };
}

/** Builds the steering manifest. */
export function buildSteeringManifest(
  priority: readonly string[],
  ttlSeconds: number,
  reloadUri: string,
): SteeringManifest {
  return { VERSION: 1, TTL: ttlSeconds, 'RELOAD-URI': reloadUri, 'PATHWAY-PRIORITY': [...priority] };
}
