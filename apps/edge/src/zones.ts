/**
 * @module Zone steering for forwarded requests, on origin-failover's Route 53 engine: the
 * zones' records become a geolocation → failover → weighted tree (`resolveSteering`: smallest
 * area first — subdivision, country, continent, default — then failover tiers, PRIMARY before
 * SECONDARY, then weights 0–255 with zero-weight only when the others are down;
 * evaluate-target-health through the tree, fail-open), and zone health is its health checker fed
 * two ways — `/readyz` probes (one round per interval, started by a request because a Worker has
 * no timers between requests) and every forwarding outcome. The result is an ordered list: the
 * zone steering picks, then the zones a request in flight fails over to.
 */
import {
  createHealthChecker,
  createSeededRandom,
  resolveSteering,
  validateSteeringTree,
  type GeoRecord,
  type HealthChecker,
  type SteeringNode,
  type ViewerLocation,
} from '@meridian/origin-failover';

/** A regional zone the edge forwards to. */
export interface ZoneConfig {
  /** Zone name (x-meridian-zone, pathway id, health-check id). */
  id: string;
  /** Base URL the edge forwards to (no trailing slash). */
  url: string;
  /** Base URL players can reach the zone at directly, for its steering pathway; default `url`. */
  publicUrl: string;
  /** Route 53 weight, 0–255. Default 100. */
  weight: number;
  /** Geolocation records: `subdivision:US-CA` (ISO 3166-2), `country:FR`, `continent:EU`, or `*` (default location). Default `['*']`. */
  geo: string[];
  /**
   * Failover tier within each of its locations (Route 53 failover records): 1 = PRIMARY, 2 =
   * SECONDARY, 3… = later tiers of an explicit failover order. A tier is used when every zone of
   * the tiers before it is down. Default 1.
   */
  failoverTier: number;
}

/** Where the viewer is, from `request.cf`. */
export interface Viewer {
  /** ISO 3166-1 alpha-2, upper case. */
  country: string | undefined;
  /** Cloudflare continent code (AF, AN, AS, EU, NA, OC, SA). */
  continent: string | undefined;
  /** ISO 3166-2 subdivision code without the country (`CA` for California), from `request.cf.regionCode`. */
  subdivision?: string | undefined;
}

/** Health of one zone, as /healthz shows it. */
export interface ZoneHealth {
  id: string;
  healthy: boolean;
  consecutiveFailures: number;
}

/** Orders zones for a viewer and keeps their health. */
export interface ZoneDirector {
  readonly zones: readonly ZoneConfig[];
  /**
   * Zones in the order a request should try them (every zone once; unhealthy ones last). With an
   * `affinityKey` (a session id) the weighted choices are drawn from that key instead of at random:
   * every request of one session picks the same healthy zone, and sessions still spread over the
   * zones by weight.
   */
  order(viewer: Viewer, affinityKey?: string): ZoneConfig[];
  /** Records a failed forward; resolves once a zone that went down is published to the other isolates. */
  recordFailure(zoneId: string): Promise<void>;
  /** Records a successful forward; resolves once a zone that came back is published to the other isolates. */
  recordSuccess(zoneId: string): Promise<void>;
  /** Reads the zones other isolates marked down, at most once per refresh interval; resolves at once otherwise. */
  syncShared(): Promise<void>;
  /** True when the zone is currently considered healthy. */
  isHealthy(zoneId: string): boolean;
  /** Every zone's health. */
  health(): ZoneHealth[];
  /** Runs a probe round when the interval has passed since the last one; resolves when it ends (or at once). */
  probeIfDue(): Promise<void>;
}

/** Options of {@link createZoneDirector}. */
export interface ZoneDirectorOptions {
  zones: ZoneConfig[];
  /** Sends probes. */
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Clock, ms since the epoch. */
  nowMs: () => number;
  /** Uniform random number in [0, 1) for weighted choice. */
  random: () => number;
  /** Consecutive failures (forwards or probes) that mark a zone down, and successes that restore it: 1–10. Default 1: a failed zone is skipped on the next request. */
  failureThreshold?: number;
  /** Least time between two probe rounds, in ms. Default 10 000. */
  probeIntervalMs?: number;
  /** Time allowed per probe, in ms. Default 1 000. */
  probeTimeoutMs?: number;
  /** Path probed on each zone. Default `/readyz` (regional-origin answers 503 there while draining). */
  probePath?: string;
  /**
   * Zone health shared with the other isolates of the colo through the Cache API: a zone this
   * isolate finds down is published as a short-lived entry (`ttlSeconds`), which the others read
   * at most every `refreshMs` and skip the zone on, until it expires or they see the zone answer.
   * Default none (each isolate learns by itself).
   */
  shared?: { cache: Cache; refreshMs: number; ttlSeconds: number };
}

/** Cache API keys of shared zone health live on a host nobody serves. */
const SHARED_HEALTH_BASE = 'https://zone-health.meridian.invalid/';

function locationOf(record: string): GeoRecord['location'] {
  if (record === '*') return 'default';
  const [kind, code = ''] = record.split(':');
  if (kind === 'subdivision') {
    const dash = code.indexOf('-');
    return { country: code.slice(0, dash), subdivision: code.slice(dash + 1) };
  }
  return kind === 'country' ? { country: code } : { continent: code };
}

/** Route 53 weighted set of zones; a single zone is its own endpoint. */
function weightedOf(zones: readonly ZoneConfig[]): SteeringNode {
  return {
    type: 'weighted',
    records: zones.map((z) => ({ weight: z.weight, target: { type: 'endpoint', id: z.id, healthCheckId: z.id } })),
  };
}

/** Failover tiers, first tier first: R5 at each level, so tier n is used only when tiers 1…n-1 are all down. */
function tieredOf(zones: readonly ZoneConfig[]): SteeringNode {
  const tiers = [...new Set(zones.map((z) => z.failoverTier))].sort((a, b) => a - b);
  if (tiers.length === 1) return weightedOf(zones);
  const levels = tiers.map((t) => weightedOf(zones.filter((z) => z.failoverTier === t)));
  let node = levels[levels.length - 1]!;
  for (let i = levels.length - 2; i >= 0; i--) {
    // R6: each side is healthy only while one of its zones is, so an all-down tier hands over.
    node = {
      type: 'failover',
      primary: { evaluateTargetHealth: true, target: levels[i]! },
      secondary: { evaluateTargetHealth: true, target: node },
    };
  }
  return node;
}

/** The Route 53 tree of a zone list: one geolocation record per location, each the failover tiers of the zones there, each tier a weighted set. */
export function buildSteeringTree(zones: readonly ZoneConfig[]): SteeringNode {
  const byLocation = new Map<string, ZoneConfig[]>();
  for (const z of zones) for (const g of z.geo) byLocation.set(g, [...(byLocation.get(g) ?? []), z]);
  const tree: SteeringNode = {
    type: 'geolocation',
    records: [...byLocation].map(([location, members]) => ({
      location: locationOf(location),
      // R6: a location whose zones are all down falls through to the next larger one.
      evaluateTargetHealth: true,
      target: tieredOf(members),
    })),
  };
  validateSteeringTree(tree);
  return tree;
}

/** Creates the director over configured zones. */
export function createZoneDirector(options: ZoneDirectorOptions): ZoneDirector {
  const probeIntervalMs = options.probeIntervalMs ?? 10_000; // ms between probe rounds
  const probeTimeoutMs = options.probeTimeoutMs ?? 1_000; // ms per probe
  const probePath = options.probePath ?? '/readyz';
  const tree = options.zones.length > 0 ? buildSteeringTree(options.zones) : undefined;
  const checker: HealthChecker = createHealthChecker({
    targets: options.zones.map((z) => ({ id: z.id, url: `${z.url}${probePath}` })),
    failureThreshold: options.failureThreshold ?? 1,
    timeoutMs: probeTimeoutMs,
    intervalMs: probeIntervalMs,
    fetch: options.fetch,
  });
  let lastRoundMs = Number.NEGATIVE_INFINITY;
  let probing = false;
  const shared = options.shared;
  /** Zones another isolate published as down (and this one has not seen answer since). */
  let sharedDown = new Set<string>();
  let lastSyncMs = Number.NEGATIVE_INFINITY;
  const isHealthy = (id: string): boolean => checker.isHealthy(id) && !sharedDown.has(id);

  /** Publishes a zone's new state: an entry while it is down, none once it is up. Failures of the shared cache only cost the sharing. */
  const publish = async (id: string, healthy: boolean): Promise<void> => {
    if (!shared) return;
    const key = `${SHARED_HEALTH_BASE}${encodeURIComponent(id)}`;
    const done = healthy
      ? shared.cache.delete(key)
      : shared.cache.put(key, new Response('down', { headers: { 'cache-control': `max-age=${shared.ttlSeconds}` } }));
    await done.catch(() => undefined);
  };

  /** Feeds one outcome to the checker and publishes the zone when its state changed (or when it answered while marked down elsewhere). */
  const observe = async (id: string, ok: boolean): Promise<void> => {
    const before = checker.isHealthy(id);
    checker.observe(id, ok);
    const after = checker.isHealthy(id);
    if (ok && sharedDown.has(id)) {
      sharedDown.delete(id);
      await publish(id, true);
    } else if (before !== after) await publish(id, after);
  };

  return {
    zones: options.zones,
    order(viewer, affinityKey) {
      const random = affinityKey === undefined ? options.random : seededRandom(affinityKey);
      const ordered: ZoneConfig[] = [];
      const tried = new Set<string>();
      const location: ViewerLocation = {};
      if (viewer.country) location.country = viewer.country;
      if (viewer.continent) location.continent = viewer.continent;
      if (viewer.subdivision) location.subdivision = viewer.subdivision;
      // Steering again with the zones already chosen counted as down gives the failover order.
      while (tree && tried.size < options.zones.length) {
        const id = resolveSteering(tree, location, {
          isHealthy: (h) => !tried.has(h) && isHealthy(h),
          random,
        });
        const zone = options.zones.find((z) => z.id === id);
        if (!zone || tried.has(zone.id)) break;
        tried.add(zone.id);
        ordered.push(zone);
      }
      // Outside every geo record, or fail-open: healthy zones by failover tier and weight, then the rest, so a request still reaches something.
      const rest = options.zones
        .filter((z) => !tried.has(z.id))
        .sort(
          (a, b) =>
            Number(isHealthy(b.id)) - Number(isHealthy(a.id)) || a.failoverTier - b.failoverTier || b.weight - a.weight,
        );
      return [...ordered, ...rest];
    },
    recordFailure: (id) => observe(id, false),
    recordSuccess: (id) => observe(id, true),
    isHealthy,
    health: () =>
      checker.snapshot().map((s) => ({
        id: s.id,
        healthy: s.healthy && !sharedDown.has(s.id),
        consecutiveFailures: s.consecutiveFailures,
      })),
    async syncShared() {
      const now = options.nowMs();
      if (!shared || now - lastSyncMs < shared.refreshMs) return;
      lastSyncMs = now;
      const down = await Promise.all(
        options.zones.map(async (z) => {
          const hit = await shared.cache
            .match(`${SHARED_HEALTH_BASE}${encodeURIComponent(z.id)}`)
            .catch(() => undefined);
          await hit?.body?.cancel();
          return hit ? z.id : undefined;
        }),
      );
      sharedDown = new Set(down.filter((id) => id !== undefined));
    },
    async probeIfDue() {
      const now = options.nowMs();
      // A round whose request was cancelled may never settle; it is forgotten after twice the probe timeout.
      if ((probing && now - lastRoundMs < probeTimeoutMs * 2) || now - lastRoundMs < probeIntervalMs) return;
      lastRoundMs = now;
      probing = true;
      const before = new Map(options.zones.map((z) => [z.id, checker.isHealthy(z.id)]));
      try {
        await checker.checkNow();
      } finally {
        probing = false;
      }
      // Probe results travel like forwarding outcomes: a zone a probe found back clears the shared mark too.
      await Promise.all(
        options.zones.map(async (z) => {
          const after = checker.isHealthy(z.id);
          if (after && sharedDown.has(z.id)) {
            sharedDown.delete(z.id);
            await publish(z.id, true);
          } else if (after !== before.get(z.id)) await publish(z.id, after);
        }),
      );
    },
  };
}

/**
 * A deterministic uniform source in [0, 1) drawn from a string (its FNV-1a hash seeds
 * origin-failover's mulberry32): the same key gives the same weighted choices in every isolate.
 */
export function seededRandom(key: string): () => number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return createSeededRandom(hash >>> 0);
}
