/**
 * @module Edge configuration: every setting read from the Worker's bindings (wrangler `vars`
 * and secrets), validated once per isolate, with its default and unit.
 */
import {
  createSettingsReader,
  isManifestError,
  parseBlackoutRules,
  parseSigningKeys,
  type BlackoutRule,
  type Keyring,
} from '@meridian/manifest-core';
import type { ZoneConfig } from './zones.ts';

/** A content-steering pathway: a CDN or region that serves the same session URLs. */
export interface PathwayConfig {
  /** PATHWAY-ID. */
  id: string;
  /** Base URL players reach this pathway at (a clone's: its base pathway's with the clone's host). */
  baseUrl: string;
  /** Zone whose health decides this pathway's priority; unset: always healthy (a CDN, the edge itself). */
  zone: string | undefined;
  /**
   * Set when the pathway is a clone (Content Steering PATHWAY-CLONES): it is not written in
   * masters; steering manifests describe it and players build it from its base pathway.
   */
  clone?: PathwayClone | undefined;
}

/** How a cloned pathway's URIs derive from its base pathway's (Content Steering URI-REPLACEMENT). */
export interface PathwayClone {
  /** BASE-ID: the pathway whose variants and renditions are copied; a pathway the masters list. */
  baseId: string;
  /** HOST: replaces the host (and port) of every copied URI; unset keeps it. */
  host: string | undefined;
  /** PARAMS: query parameters set on every copied URI. */
  params: Record<string, string>;
}

/** The Worker's bindings as wrangler passes them: strings (vars, secrets) or JSON values. */
export type EdgeEnv = Record<string, unknown>;

/** The validated configuration. */
export interface EdgeConfig {
  /** Name of the edge in `x-meridian-zone` for responses it renders itself. Default `edge`. */
  edgeZone: string;
  /** Base URL players reach the edge at; default: the request's own origin. */
  publicBaseUrl: string | undefined;
  /** Base URL segments are rewritten to; default: the origin that served the playlist (as regional-origin). */
  cdnBaseUrl: string | undefined;
  /** HMAC keyring for session ids and signed URLs; the same as every zone's. */
  keyring: Keyring;
  /** When true, master URLs must carry a valid `exp`/`kid`/`sig`. Default false. */
  requireSignedUrls: boolean;
  /** When true, the zones insert VOD ads: VOD media playlists are forwarded to a zone (ADS calls stay there). Default false. */
  vodAds: boolean;
  /**
   * The zones' BLACKOUT_RULES (the same JSON): a VOD session whose viewer a rule applies to has its
   * media playlists forwarded to a zone, which replaces the blacked-out media time with slate.
   * Default none.
   */
  blackoutRules: BlackoutRule[];
  /** Session lifetime, in seconds. Default 14 400. */
  sessionTtlSeconds: number;
  /** Origin base URLs, primary first. */
  originUrls: string[];
  /** Time per origin attempt, in ms. Default 2 000. */
  originTimeoutMs: number;
  /** Largest origin body, in bytes. Default 8 MiB. */
  maxOriginBytes: number;
  /** Origin path of asset.json; `{assetId}` is replaced. Default `/vod/{assetId}/asset.json`. */
  vodAssetPath: string;
  /** Origin path of a live channel's master; `{channelId}` is replaced. Default `/live/{channelId}/master.m3u8`. */
  liveMasterPath: string;
  /** Cache life of VOD source playlists, in seconds. Default 86 400. */
  vodPlaylistTtlSeconds: number;
  /** Cache life of asset.json, in seconds. Default 60. */
  assetTtlSeconds: number;
  /** Entries in each in-isolate LRU. Default 2 000. */
  lruMaxEntries: number;
  /** Regional zones (JSON array in `ZONES`). */
  zones: ZoneConfig[];
  /** Time per zone attempt to response headers, in ms. Default 5 000. */
  zoneTimeoutMs: number;
  /** Consecutive failures that mark a zone down (and successes that restore it), 1–10. Default 1. */
  zoneFailureThreshold: number;
  /** Least time between health-probe rounds, in ms. Default 10 000. */
  probeIntervalMs: number;
  /** Time per probe, in ms. Default 1 000. */
  probeTimeoutMs: number;
  /** Least time between two reads of the zone health other isolates share through the Cache API, in ms. Default 1 000; 0 turns sharing off. */
  zoneHealthShareMs: number;
  /** Header regional-origin trusts for the viewer country. Default `cloudfront-viewer-country`. */
  zoneCountryHeader: string;
  /** Content-steering pathways in default priority order. Default: the edge itself, then one per zone. */
  pathways: PathwayConfig[];
  /** Steering manifest TTL, in seconds. Default 300. */
  steeringTtlSeconds: number;
  /** A player reporting less throughput than this (bits/s) on its pathway is moved off it. Default 500 000; 0 disables. */
  steeringMinThroughputBps: number;
  /** Largest request body, in bytes. Default 64 KiB. */
  bodyLimitBytes: number;
  /** Access-Control-Allow-Origin on playback routes. Default `*`. */
  corsAllowOrigin: string;
}

/** A configuration problem; the message names every bad binding. */
export class EdgeConfigError extends Error {
  override readonly name = 'EdgeConfigError';
  /** One line per problem. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid edge configuration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** A zone's geolocation record: ISO 3166-2 subdivision, ISO 3166-1 country, Route 53 continent, or the default. */
const GEO_RECORD = /^(\*|subdivision:[A-Z]{2}-[A-Z0-9]{1,3}|country:[A-Z]{2}|continent:(AF|AN|AS|EU|NA|OC|SA))$/;

/** A zone's failover tier: `PRIMARY` (1, the default), `SECONDARY` (2) or an explicit tier 1–9; undefined when invalid. */
function failoverTierOf(value: unknown): number | undefined {
  if (value === undefined || value === 'PRIMARY') return 1;
  if (value === 'SECONDARY') return 2;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 9 ? value : undefined;
}

/** A host and optional port, as URL.host writes it. */
const HOST =
  /^(?=.{1,253}(:|$))[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/;
/** A query parameter name or value players can set without escaping surprises. */
const PARAM = /^[A-Za-z0-9._~-]{1,128}$/;

/** A `{id, cloneOf, host?, params?, zone?}` PATHWAYS entry as a clone pathway, or the problem with it. */
function readPathwayClone(
  entry: Record<string, unknown>,
  pathways: readonly PathwayConfig[],
  zones: readonly ZoneConfig[],
): PathwayConfig | string {
  const expected =
    'expected {id, cloneOf: a PATHWAYS id with a baseUrl, host?: "host[:port]", params?: {name: value}, zone?: a ZONES id}';
  const { id, cloneOf, host, params, zone } = entry;
  const base = pathways.find((p) => p.id === cloneOf && !p.clone);
  if (typeof id !== 'string' || !NAME.test(id) || !base) return expected;
  if (host !== undefined && (typeof host !== 'string' || !HOST.test(host))) return expected;
  if (zone !== undefined && !zones.some((z) => z.id === zone)) return expected;
  const paramsOk =
    params === undefined ||
    (typeof params === 'object' &&
      params !== null &&
      !Array.isArray(params) &&
      Object.entries(params).every(([k, v]) => PARAM.test(k) && typeof v === 'string' && PARAM.test(v)));
  if (!paramsOk) return expected;
  if (host === undefined && (params === undefined || Object.keys(params).length === 0))
    return 'a clone needs a host or params (else it is its base pathway)';
  const cloneParams = { ...((params as Record<string, string> | undefined) ?? {}) };
  const baseUrl = new URL(base.baseUrl);
  if (typeof host === 'string') baseUrl.host = host;
  return {
    id,
    baseUrl: baseUrl.href.replace(/\/$/, ''),
    zone: typeof zone === 'string' ? zone : undefined,
    clone: { baseId: base.id, host: typeof host === 'string' ? host : undefined, params: cloneParams },
  };
}

/**
 * Reads and validates the configuration from the Worker's bindings; throws EdgeConfigError
 * listing every problem at once.
 * @example
 * const config = loadEdgeConfig(env);
 */
export function loadEdgeConfig(env: EdgeEnv): EdgeConfig {
  const { problems, raw, int, bool, url, json, list } = createSettingsReader(env as Readonly<Record<string, unknown>>);

  const signing = parseSigningKeys(raw('SIGNING_KEYS'), raw('SIGNING_ACTIVE_KID'));
  problems.push(...signing.problems);

  const originUrls = list('ORIGIN_URLS').flatMap((o) => url('ORIGIN_URLS', o) ?? []);
  if (originUrls.length === 0) problems.push('ORIGIN_URLS is required (comma-separated, primary first)');

  const zones: ZoneConfig[] = [];
  const zonesJson = json('ZONES');
  if (zonesJson !== undefined && !Array.isArray(zonesJson))
    problems.push('ZONES: expected a JSON array of {id,url,weight?,geo?,failover?,publicUrl?}');
  for (const [i, z] of (Array.isArray(zonesJson) ? zonesJson : []).entries()) {
    const zone = z as {
      id?: unknown;
      url?: unknown;
      publicUrl?: unknown;
      weight?: unknown;
      geo?: unknown;
      failover?: unknown;
    } | null;
    const id = typeof zone?.id === 'string' && NAME.test(zone.id) ? zone.id : undefined;
    const base = typeof zone?.url === 'string' ? url(`ZONES[${i}].url`, zone.url) : undefined;
    const publicUrl = typeof zone?.publicUrl === 'string' ? url(`ZONES[${i}].publicUrl`, zone.publicUrl) : base;
    const weight = zone?.weight === undefined ? 100 : zone.weight;
    const geo = zone?.geo === undefined ? ['*'] : zone.geo;
    const geoOk = Array.isArray(geo) && geo.every((g) => typeof g === 'string' && GEO_RECORD.test(g));
    const failoverTier = failoverTierOf(zone?.failover);
    if (
      !id ||
      !base ||
      typeof weight !== 'number' ||
      !Number.isInteger(weight) ||
      weight < 0 ||
      weight > 255 ||
      !geoOk ||
      failoverTier === undefined
    ) {
      problems.push(
        `ZONES[${i}]: expected {id, url, weight 0–255, geo ["subdivision:US-CA"|"country:FR"|"continent:EU"|"*"], failover "PRIMARY"|"SECONDARY"|1–9}`,
      );
      continue;
    }
    if (zones.some((x) => x.id === id)) problems.push(`ZONES[${i}]: duplicate id ${id}`);
    zones.push({ id, url: base, publicUrl: publicUrl ?? base, weight, geo: geo as string[], failoverTier });
  }
  // Route 53 answers a failover record set from its primary first: a location must have a first tier.
  for (const location of new Set(zones.flatMap((z) => z.geo))) {
    const tiers = zones.filter((z) => z.geo.includes(location)).map((z) => z.failoverTier);
    if (!tiers.includes(1)) problems.push(`ZONES: location ${location} has no PRIMARY (tier 1) zone`);
  }

  const edgeZone = raw('EDGE_ZONE') ?? 'edge';
  if (!NAME.test(edgeZone)) problems.push(`EDGE_ZONE=${edgeZone}: expected [A-Za-z0-9._-]{1,64}`);
  const publicBaseUrl = url('PUBLIC_BASE_URL', raw('PUBLIC_BASE_URL'));

  let pathways: PathwayConfig[];
  const pathwaysJson = json('PATHWAYS');
  if (pathwaysJson === undefined) {
    pathways = [
      ...(publicBaseUrl ? [{ id: edgeZone, baseUrl: publicBaseUrl, zone: undefined }] : []),
      ...zones.map((z) => ({ id: z.id, baseUrl: z.publicUrl, zone: z.id })),
    ];
  } else {
    pathways = [];
    if (!Array.isArray(pathwaysJson))
      problems.push('PATHWAYS: expected a JSON array of {id,baseUrl,zone?} or {id,cloneOf,host?,params?,zone?}');
    const entries = Array.isArray(pathwaysJson) ? (pathwaysJson as Array<Record<string, unknown> | null>) : [];
    for (const [i, pathway] of entries.entries()) {
      const id = typeof pathway?.id === 'string' && NAME.test(pathway.id) ? pathway.id : undefined;
      const zone = typeof pathway?.zone === 'string' ? pathway.zone : undefined;
      const zoneOk = pathway?.zone === undefined || zones.some((z) => z.id === zone);
      if (pathway?.cloneOf !== undefined) continue;
      const base = typeof pathway?.baseUrl === 'string' ? url(`PATHWAYS[${i}].baseUrl`, pathway.baseUrl) : undefined;
      if (!id || !base || !zoneOk) {
        problems.push(`PATHWAYS[${i}]: expected {id, baseUrl, zone?: a ZONES id}`);
        continue;
      }
      pathways.push({ id, baseUrl: base, zone });
    }
    // Clones after the pathways they copy: a clone's base must be a pathway the masters list.
    for (const [i, pathway] of entries.entries()) {
      if (pathway?.cloneOf === undefined) continue;
      const clone = readPathwayClone(pathway, pathways, zones);
      if (typeof clone === 'string') problems.push(`PATHWAYS[${i}]: ${clone}`);
      else pathways.push(clone);
    }
    const ids = pathways.map((p) => p.id);
    for (const id of new Set(ids))
      if (ids.indexOf(id) !== ids.lastIndexOf(id)) problems.push(`PATHWAYS: duplicate id ${id}`);
  }

  const vodAssetPath = raw('VOD_ASSET_PATH') ?? '/vod/{assetId}/asset.json';
  if (!vodAssetPath.includes('{assetId}') || !vodAssetPath.startsWith('/'))
    problems.push('VOD_ASSET_PATH must start with / and contain {assetId}');

  const liveMasterPath = raw('LIVE_MASTER_PATH') ?? '/live/{channelId}/master.m3u8';
  if (!liveMasterPath.includes('{channelId}') || !liveMasterPath.startsWith('/'))
    problems.push('LIVE_MASTER_PATH must start with / and contain {channelId}');

  const config: EdgeConfig = {
    edgeZone,
    publicBaseUrl,
    cdnBaseUrl: url('CDN_BASE_URL', raw('CDN_BASE_URL')),
    keyring: signing.keyring,
    requireSignedUrls: bool('REQUIRE_SIGNED_URLS', false),
    vodAds: bool('VOD_ADS', false),
    blackoutRules: [],
    sessionTtlSeconds: int('SESSION_TTL_SECONDS', 14_400, 60, 7 * 86_400),
    originUrls,
    originTimeoutMs: int('ORIGIN_TIMEOUT_MS', 2_000, 50, 120_000),
    maxOriginBytes: int('MAX_ORIGIN_BYTES', 8 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    vodAssetPath,
    liveMasterPath,
    vodPlaylistTtlSeconds: int('VOD_PLAYLIST_TTL_SECONDS', 86_400, 1, 31 * 86_400),
    assetTtlSeconds: int('ASSET_TTL_SECONDS', 60, 1, 86_400),
    lruMaxEntries: int('LRU_MAX_ENTRIES', 2_000, 1, 1_000_000),
    zones,
    zoneTimeoutMs: int('ZONE_TIMEOUT_MS', 5_000, 50, 120_000),
    zoneFailureThreshold: int('ZONE_FAILURE_THRESHOLD', 1, 1, 10),
    probeIntervalMs: int('PROBE_INTERVAL_MS', 10_000, 100, 3_600_000),
    probeTimeoutMs: int('PROBE_TIMEOUT_MS', 1_000, 50, 60_000),
    zoneHealthShareMs: int('ZONE_HEALTH_SHARE_MS', 1_000, 0, 60_000),
    zoneCountryHeader: (raw('ZONE_COUNTRY_HEADER') ?? 'cloudfront-viewer-country').toLowerCase(),
    pathways,
    steeringTtlSeconds: int('STEERING_TTL_SECONDS', 300, 1, 86_400),
    steeringMinThroughputBps: int('STEERING_MIN_THROUGHPUT_BPS', 500_000, 0, 1_000_000_000),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 64 * 1024, 256, 16 * 1024 * 1024),
    corsAllowOrigin: raw('CORS_ALLOW_ORIGIN') ?? '*',
  };
  const blackoutJson = raw('BLACKOUT_RULES');
  if (blackoutJson !== undefined) {
    try {
      config.blackoutRules = parseBlackoutRules(blackoutJson, { fillerIds: ['slate'] });
    } catch (error) {
      if (!isManifestError(error)) throw error;
      problems.push(`BLACKOUT_RULES: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new EdgeConfigError(problems);
  return config;
}
