/** @module Zone steering with Route 53 semantics, in process: geolocation → weighted → failover trees, evaluate-target-health and fail-open (R1–R6). Pure given a random source and health. */
import { OriginError } from './errors.ts';

/** Where a viewer is (ISO 3166 codes; continent as Route 53 two-letter codes: AF, AN, AS, EU, NA, OC, SA). */
export interface ViewerLocation {
  continent?: string;
  country?: string;
  /** ISO 3166-2 subdivision without the country prefix (`CA` for California). */
  subdivision?: string;
}

/** Fields every record may carry. */
export interface RecordHealth {
  /** Health check deciding this record (R4: none = always healthy). */
  healthCheckId?: string;
  /** R6: the record is healthy only if its target subtree has a healthy record. */
  evaluateTargetHealth?: boolean;
}

/** A leaf: the zone (origin, region) to send the viewer to. */
export interface EndpointNode {
  type: 'endpoint';
  id: string;
  healthCheckId?: string;
}

/** A geolocation record: one location or the default `*`. */
export interface GeoRecord extends RecordHealth {
  location: ViewerLocation | 'default';
  target: SteeringNode;
}

/** R1: smallest matching area wins; default catches the rest; no default and no match → no answer. */
export interface GeolocationNode {
  type: 'geolocation';
  records: GeoRecord[];
}

/** A weighted record, weight 0–255. */
export interface WeightedRecord extends RecordHealth {
  weight: number;
  target: SteeringNode;
}

/** R2/R3: share weight/Σweight; weight 0 drains; all-zero spreads equally; zero-weight used only when the others are unhealthy. */
export interface WeightedNode {
  type: 'weighted';
  records: WeightedRecord[];
}

/** A failover record. */
export interface FailoverRecord extends RecordHealth {
  target: SteeringNode;
}

/** R5: primary if healthy, else secondary if healthy, else primary. */
export interface FailoverNode {
  type: 'failover';
  primary: FailoverRecord;
  secondary?: FailoverRecord;
}

/** A steering tree node. */
export type SteeringNode = EndpointNode | GeolocationNode | WeightedNode | FailoverNode;

/** What resolution needs from outside: health and randomness (inject a seeded random in tests). */
export interface SteeringContext {
  /** Whether the health check with this id is healthy; unknown ids count as healthy (R4). */
  isHealthy(healthCheckId: string): boolean;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
}

function invalid(message: string): OriginError {
  return new OriginError('INVALID_CONFIG', { message: `invalid steering tree: ${message}` });
}

/** Checks a tree against Route 53's limits; throws OriginError INVALID_CONFIG. */
export function validateSteeringTree(node: SteeringNode): void {
  switch (node.type) {
    case 'endpoint':
      if (!node.id) throw invalid('endpoint without id');
      return;
    case 'geolocation': {
      const seen = new Set<string>();
      for (const r of node.records) {
        if (r.location !== 'default') {
          if (r.location.subdivision && !r.location.country) throw invalid('a subdivision needs its country');
          if (!r.location.continent && !r.location.country)
            throw invalid('a geolocation record needs a continent, a country or default');
          if (r.location.continent && r.location.country)
            throw invalid('a geolocation record names a continent or a country, not both');
        }
        const key =
          r.location === 'default'
            ? '*'
            : `${r.location.continent ?? ''}/${r.location.country ?? ''}/${r.location.subdivision ?? ''}`;
        if (seen.has(key)) throw invalid(`duplicate geolocation ${key}`);
        seen.add(key);
        validateSteeringTree(r.target);
      }
      return;
    }
    case 'weighted':
      if (node.records.length === 0 || node.records.length > 100)
        throw invalid('weighted sets hold 1–100 records (R2)');
      for (const r of node.records) {
        if (!Number.isInteger(r.weight) || r.weight < 0 || r.weight > 255)
          throw invalid(`weight ${r.weight} is not an integer in 0–255 (R2)`);
        validateSteeringTree(r.target);
      }
      return;
    case 'failover':
      validateSteeringTree(node.primary.target);
      if (node.secondary) validateSteeringTree(node.secondary.target);
      return;
  }
}

function up(ctx: SteeringContext, id: string | undefined): boolean {
  return id === undefined || ctx.isHealthy(id);
}

/** R6: a subtree is healthy when at least one of its records is. */
export function isSubtreeHealthy(node: SteeringNode, ctx: SteeringContext): boolean {
  switch (node.type) {
    case 'endpoint':
      return up(ctx, node.healthCheckId);
    case 'geolocation':
      return node.records.some((r) => isRecordHealthy(r, ctx));
    case 'weighted':
      return node.records.some((r) => isRecordHealthy(r, ctx));
    case 'failover':
      return (
        isRecordHealthy(node.primary, ctx) || (node.secondary !== undefined && isRecordHealthy(node.secondary, ctx))
      );
  }
}

function isRecordHealthy(r: RecordHealth & { target: SteeringNode }, ctx: SteeringContext): boolean {
  if (!up(ctx, r.healthCheckId)) return false;
  // An endpoint's own check applies to the record that points at it.
  if (r.target.type === 'endpoint' && !up(ctx, r.target.healthCheckId)) return false;
  return !r.evaluateTargetHealth || isSubtreeHealthy(r.target, ctx);
}

function geoRank(loc: ViewerLocation | 'default', viewer: ViewerLocation): number {
  if (loc === 'default') return 4;
  if (loc.subdivision) return loc.country === viewer.country && loc.subdivision === viewer.subdivision ? 1 : -1;
  if (loc.country) return loc.country === viewer.country ? 2 : -1;
  if (loc.continent) return loc.continent === viewer.continent ? 3 : -1;
  return -1;
}

function pickWeighted<T extends { weight: number }>(records: readonly T[], random: () => number): T | undefined {
  if (records.length === 0) return undefined;
  const total = records.reduce((s, r) => s + r.weight, 0);
  // R2: all-zero weights → equal probability.
  if (total === 0) return records[Math.min(records.length - 1, Math.floor(random() * records.length))];
  let x = random() * total;
  for (const r of records) {
    if (r.weight === 0) continue;
    x -= r.weight;
    if (x < 0) return r;
  }
  return [...records].reverse().find((r) => r.weight > 0);
}

/**
 * Resolves a viewer to an endpoint id, or undefined for "no answer" (R1: no default
 * and no match).
 * @example
 * const zone = resolveSteering(tree, { continent: 'EU', country: 'DE' }, { isHealthy: (id) => checker.isHealthy(id) });
 */
export function resolveSteering(node: SteeringNode, viewer: ViewerLocation, ctx: SteeringContext): string | undefined {
  const random = ctx.random ?? Math.random;
  switch (node.type) {
    case 'endpoint':
      return node.id;
    case 'geolocation': {
      const matches = node.records
        .map((r) => ({ r, rank: geoRank(r.location, viewer) }))
        .filter((m) => m.rank > 0)
        .sort((a, b) => a.rank - b.rank);
      // Smallest healthy area first, then larger ones; if none is healthy, fail open to the smallest (R4).
      const chosen = matches.find((m) => isRecordHealthy(m.r, ctx)) ?? matches[0];
      return chosen ? resolveSteering(chosen.r.target, viewer, ctx) : undefined;
    }
    case 'weighted': {
      const healthy = node.records.filter((r) => isRecordHealthy(r, ctx));
      const allZero = node.records.every((r) => r.weight === 0);
      let pool: WeightedRecord[];
      if (allZero) pool = healthy.length > 0 ? healthy : node.records;
      else {
        const nonZeroHealthy = healthy.filter((r) => r.weight > 0);
        // R3: zero-weight records only when every non-zero one is unhealthy; R4: none healthy → all count as healthy.
        if (nonZeroHealthy.length > 0) pool = nonZeroHealthy;
        else if (healthy.length > 0) pool = healthy.map((r) => ({ ...r, weight: 0 }));
        else pool = node.records.filter((r) => r.weight > 0);
      }
      const chosen = pickWeighted(pool, random);
      return chosen ? resolveSteering(chosen.target, viewer, ctx) : undefined;
    }
    case 'failover': {
      const { primary, secondary } = node;
      // R5: primary when healthy; else a healthy secondary (no check = healthy); both unhealthy → primary.
      const chosen = isRecordHealthy(primary, ctx)
        ? primary
        : secondary && isRecordHealthy(secondary, ctx)
          ? secondary
          : primary;
      return resolveSteering(chosen.target, viewer, ctx);
    }
  }
}

/** A small seeded PRNG (mulberry32) for deterministic steering in tests and simulations. */
export function createSeededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
