/**
 * @module Configuration of the zone server: every setting read from the environment (or
 * the matching `--kebab-case` flag), validated once at start, with its default and unit.
 */
import {
  createSettingsReader,
  isManifestError,
  parseBlackoutRules,
  parseSigningKeys,
  type BlackoutRule,
  type Keyring,
} from '@meridian/manifest-core';

/** Which routes this process serves, so upload and playback pools scale separately. */
export type Role = 'playback' | 'upload' | 'all';

/** What a break gets when the ADS times out, fails or returns nothing. */
export type AdFallback = 'slate' | 'content';

/** A content-steering pathway: another zone (or CDN) that can serve the same session. */
export interface Pathway {
  /** PATHWAY-ID, e.g. the zone name. */
  id: string;
  /** Base URL of that pathway, e.g. `https://eu-west.example.com`. */
  baseUrl: string;
}

/** The validated configuration. */
export interface Config {
  /** Interface to bind. */
  host: string;
  /** TCP port. */
  port: number;
  /** Which route groups are served. */
  role: Role;
  /** This zone's name (x-meridian-zone header, steering pathway id). */
  zone: string;
  /** Base URL players reach this zone at; used in absolute URLs in masters and JSON. */
  publicBaseUrl: string;
  /**
   * Public base URLs of the edges that forward to this zone: a request whose `x-forwarded-host` is
   * one of their hosts gets that base in its URLs (keys, asset lists, session links), so a viewer
   * the edge served keeps going through the edge. An allow-list: other forwarded hosts are ignored.
   */
  forwardedBaseUrls: string[];
  /** Base URL segments are rewritten to (a CDN in front of the origins); default: the origin's own URL. */
  cdnBaseUrl: string | undefined;
  /** Valkey connection. */
  valkey: {
    /** Standalone URL (`redis://host:port/db`). */
    url: string | undefined;
    /** Cluster seed nodes. */
    clusterNodes: Array<{ host: string; port: number }> | undefined;
    /** Per-command timeout in ms; short so that a dead Valkey never stalls playback. */
    commandTimeoutMs: number;
    /** Prefix of every key. */
    keyPrefix: string;
  };
  /** How long a session lives, in seconds (token expiry and record TTL). */
  sessionTtlSeconds: number;
  /** HMAC keyring for session ids and signed URLs; shared by every zone and the edge. */
  keyring: Keyring;
  /** When true, master URLs must carry a valid `exp`/`kid`/`sig`. */
  requireSignedUrls: boolean;
  /** Origins, primary first: http(s) base URLs, or `s3://bucket[/prefix][?endpoint=…&region=…]` buckets. */
  originUrls: string[];
  /** Time allowed per origin attempt, in ms (headers and body). */
  originTimeoutMs: number;
  /** Origin path of a VOD asset's asset.json; `{assetId}` is replaced. */
  vodAssetPath: string;
  /** Origin path of a live channel's master playlist; `{channelId}` is replaced. */
  liveMasterPath: string;
  /** L1 (in-process) TTL of asset metadata, in ms. */
  metadataL1TtlMs: number;
  /** L2 (Valkey) TTL of asset metadata, in seconds. */
  metadataL2TtlSeconds: number;
  /** L1 TTL of VOD source playlists, in ms (live ones use half the target duration). */
  vodPlaylistL1TtlMs: number;
  /** Largest origin body read, in bytes. */
  maxOriginBytes: number;
  /** Trusted request header carrying the viewer's ISO country code. */
  countryHeader: string;
  /** Trusted header carrying the client IP (first entry used); unset: the socket address. */
  clientIpHeader: string | undefined;
  /** Ads. */
  ads: {
    /** VAST/VMAP URL template; unset disables ads. */
    urlTemplate: string | undefined;
    /** Hosts the ADS client may fetch (template host is added automatically). */
    allowedHosts: string[];
    /** Timeout of each ADS request (including each wrapper hop), in ms. */
    requestTimeoutMs: number;
    /** Total time for one break's decision including wrappers, in ms. */
    totalBudgetMs: number;
    /** Deepest VAST wrapper chain followed. */
    maxWrapperDepth: number;
    /** What fills a break with no usable ads. */
    fallback: AdFallback;
    /** Slate master playlist URL used when `fallback` is `slate`. */
    slateUrl: string | undefined;
    /** VOD break offsets in seconds (0 = pre-roll) used when asset.json lists none. */
    vodBreakOffsetsSeconds: number[];
    /** Duration of each VOD break, in seconds. */
    breakDurationSeconds: number;
  };
  /**
   * Blackout rules (manifest-core's JSON form, BLACKOUT_RULES): VOD media playlists of a viewer a
   * rule applies to get the slate (SLATE_URL, filler id `slate`) over the blacked-out media time.
   */
  blackoutRules: BlackoutRule[];
  /** Uploads. */
  uploads: {
    /** Bucket uploads go to; unset disables the upload routes' S3 calls (they answer 503). */
    bucket: string | undefined;
    /** S3 endpoint (for S3-compatible stores); unset: AWS. */
    s3Endpoint: string | undefined;
    /** S3 region. */
    s3Region: string;
    /** Use path-style S3 URLs. */
    s3ForcePathStyle: boolean;
    /** Key prefix of uploaded sources. */
    keyPrefix: string;
    /** Multipart part size, in bytes. */
    partSizeBytes: number;
    /** Largest upload accepted, in bytes. */
    maxUploadBytes: number;
    /** Lifetime of presigned part URLs, in seconds. */
    urlTtlSeconds: number;
    /** Upload requests allowed per client per minute. */
    rateLimitPerMinute: number;
    /** How often the outbox sweeper republishes jobs a crash left behind, in ms. */
    outboxSweepIntervalMs: number;
  };
  /** Content steering. */
  steering: {
    /** Pathways other than this zone, in preference order. */
    pathways: Pathway[];
    /** Steering manifest TTL, in seconds. */
    ttlSeconds: number;
  };
  /** Destinations transcode jobs write to, primary first; `{assetId}` is replaced (must match VOD_ASSET_PATH's origins). */
  transcodeOutputs: string[];
  /** Largest request body, in bytes. */
  bodyLimitBytes: number;
  /** How long shutdown waits for in-flight requests, in ms. */
  shutdownGraceMs: number;
  /** Access-Control-Allow-Origin for playback routes. */
  corsAllowOrigin: string;
  /** Write one JSON log line per request. */
  logRequests: boolean;
}

/** A configuration problem found at start; the message names every bad setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** One line per problem. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** Turns `--port 8080`, `--port=8080` and `--valkey-url=…` into env-style names (PORT, VALKEY_URL). */
export function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)).replace(/-/g, '_').toUpperCase();
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) value = argv[++i] ?? '';
    else value = 'true';
    out[name] = value;
  }
  return out;
}

/**
 * Reads and validates the configuration; flags win over the environment. Throws a
 * ConfigError listing every problem at once.
 * @example
 * const config = loadConfig(process.env, process.argv.slice(2));
 */
export function loadConfig(env: Record<string, string | undefined>, argv: readonly string[] = []): Config {
  const source: Record<string, string | undefined> = { ...env, ...flagsToEnv(argv) };
  const { problems, raw, str, int, bool, oneOf, url, list } = createSettingsReader(source);

  const host = str('HOST', '127.0.0.1');
  const port = int('PORT', 8080, 0, 65535);
  const role = oneOf<Role>('ROLE', 'all', ['playback', 'upload', 'all']);
  const zone = str('ZONE', 'local');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(zone)) problems.push(`ZONE=${zone}: expected [A-Za-z0-9._-]{1,64}`);
  const publicBaseUrl =
    url('PUBLIC_BASE_URL', raw('PUBLIC_BASE_URL')) ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const forwardedBaseUrls: string[] = [];
  for (const u of list('FORWARDED_BASE_URLS')) {
    const parsed = url('FORWARDED_BASE_URLS', u);
    if (parsed !== undefined) forwardedBaseUrls.push(parsed);
  }

  const valkeyUrl = raw('VALKEY_URL');
  if (valkeyUrl !== undefined && !/^rediss?:\/\//.test(valkeyUrl))
    problems.push(`VALKEY_URL=${valkeyUrl}: expected redis:// or rediss://`);
  let clusterNodes: Array<{ host: string; port: number }> | undefined;
  if (raw('VALKEY_CLUSTER_NODES') !== undefined) {
    clusterNodes = [];
    for (const node of list('VALKEY_CLUSTER_NODES')) {
      const m = /^([^:\s]+):(\d{1,5})$/.exec(node);
      if (!m) problems.push(`VALKEY_CLUSTER_NODES: "${node}" is not host:port`);
      else clusterNodes.push({ host: m[1] ?? '', port: Number(m[2]) });
    }
    if (valkeyUrl !== undefined) problems.push('set VALKEY_URL or VALKEY_CLUSTER_NODES, not both');
  }

  const signing = parseSigningKeys(raw('SIGNING_KEYS'), raw('SIGNING_ACTIVE_KID'));
  problems.push(...signing.problems);

  const originUrls: string[] = [];
  for (const o of list('ORIGIN_URLS')) {
    if (o.startsWith('s3://')) {
      try {
        if (!new URL(o).hostname) throw new Error('bucket');
        originUrls.push(o);
      } catch {
        problems.push(`ORIGIN_URLS: "${o}" is not s3://bucket[/prefix][?endpoint=…&region=…]`);
      }
      continue;
    }
    const u = url('ORIGIN_URLS', o);
    if (u) originUrls.push(u);
  }
  const s3Origins = originUrls.filter((o) => o.startsWith('s3://')).length;
  if (s3Origins > 0 && s3Origins < originUrls.length)
    problems.push('ORIGIN_URLS: use all http(s) origins or all s3:// buckets, not a mix');
  if (s3Origins > 0 && raw('CDN_BASE_URL') === undefined)
    problems.push('CDN_BASE_URL is required with s3:// origins (players cannot fetch segments from a bucket URL)');
  if (originUrls.length === 0 && role !== 'upload')
    problems.push('ORIGIN_URLS is required for the playback role (comma-separated, primary first)');

  const vodAssetPath = str('VOD_ASSET_PATH', '/vod/{assetId}/asset.json');
  if (!vodAssetPath.includes('{assetId}')) problems.push('VOD_ASSET_PATH must contain {assetId}');
  const liveMasterPath = str('LIVE_MASTER_PATH', '/live/{channelId}/master.m3u8');
  if (!liveMasterPath.includes('{channelId}')) problems.push('LIVE_MASTER_PATH must contain {channelId}');

  const adsTemplate = raw('ADS_URL_TEMPLATE');
  const allowedHosts = list('ADS_ALLOWED_HOSTS').map((h) => h.toLowerCase());
  if (adsTemplate !== undefined) {
    try {
      const u = new URL(adsTemplate.replace(/\[[^\]]*\]/g, 'x'));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      if (!allowedHosts.includes(u.host.toLowerCase())) allowedHosts.push(u.host.toLowerCase());
    } catch {
      problems.push(`ADS_URL_TEMPLATE=${adsTemplate}: expected an http(s) URL template`);
    }
  }
  const offsets: number[] = [];
  for (const o of list('VOD_BREAK_OFFSETS_SECONDS')) {
    const n = Number(o);
    if (!Number.isFinite(n) || n < 0) problems.push(`VOD_BREAK_OFFSETS_SECONDS: "${o}" is not a non-negative number`);
    else offsets.push(n);
  }
  const fallback = oneOf<AdFallback>('ADS_FALLBACK', 'slate', ['slate', 'content']);
  const slateUrl = url('SLATE_URL', raw('SLATE_URL'));

  const pathways: Pathway[] = [];
  for (const entry of list('STEERING_PATHWAYS')) {
    const eq = entry.indexOf('=');
    const id = entry.slice(0, eq);
    const base = url('STEERING_PATHWAYS', entry.slice(eq + 1));
    if (eq <= 0 || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) problems.push(`STEERING_PATHWAYS: "${entry}" is not id=url`);
    else if (base) pathways.push({ id, baseUrl: base });
  }

  const config: Config = {
    host,
    port,
    role,
    zone,
    publicBaseUrl,
    blackoutRules: [],
    forwardedBaseUrls,
    cdnBaseUrl: url('CDN_BASE_URL', raw('CDN_BASE_URL')),
    valkey: {
      url: valkeyUrl,
      clusterNodes,
      commandTimeoutMs: int('VALKEY_COMMAND_TIMEOUT_MS', 250, 10, 60_000),
      keyPrefix: str('VALKEY_KEY_PREFIX', 'meridian:'),
    },
    sessionTtlSeconds: int('SESSION_TTL_SECONDS', 14_400, 60, 7 * 86_400),
    keyring: signing.keyring,
    requireSignedUrls: bool('REQUIRE_SIGNED_URLS', false),
    originUrls,
    originTimeoutMs: int('ORIGIN_TIMEOUT_MS', 2_000, 50, 120_000),
    vodAssetPath,
    liveMasterPath,
    metadataL1TtlMs: int('METADATA_L1_TTL_MS', 5_000, 0, 3_600_000),
    metadataL2TtlSeconds: int('METADATA_L2_TTL_SECONDS', 600, 1, 86_400),
    vodPlaylistL1TtlMs: int('VOD_PLAYLIST_L1_TTL_MS', 60_000, 0, 3_600_000),
    maxOriginBytes: int('MAX_ORIGIN_BYTES', 8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    countryHeader: str('COUNTRY_HEADER', 'cloudfront-viewer-country').toLowerCase(),
    clientIpHeader: raw('CLIENT_IP_HEADER')?.toLowerCase(),
    ads: {
      urlTemplate: adsTemplate,
      allowedHosts,
      requestTimeoutMs: int('ADS_REQUEST_TIMEOUT_MS', 3_000, 10, 60_000),
      totalBudgetMs: int('ADS_TOTAL_BUDGET_MS', 5_000, 10, 120_000),
      maxWrapperDepth: int('ADS_MAX_WRAPPER_DEPTH', 5, 0, 10),
      fallback,
      slateUrl,
      vodBreakOffsetsSeconds: offsets,
      breakDurationSeconds: int('AD_BREAK_DURATION_SECONDS', 30, 1, 600),
    },
    uploads: {
      bucket: raw('UPLOAD_BUCKET'),
      s3Endpoint: url('S3_ENDPOINT', raw('S3_ENDPOINT')),
      s3Region: str('S3_REGION', 'us-east-1'),
      s3ForcePathStyle: bool('S3_FORCE_PATH_STYLE', false),
      keyPrefix: str('UPLOAD_KEY_PREFIX', 'uploads/'),
      // S3 allows 5 MiB to 5 GiB per part.
      partSizeBytes: int('UPLOAD_PART_SIZE_BYTES', 100 * 1024 * 1024, 5 * 1024 * 1024, 5 * 1024 * 1024 * 1024),
      maxUploadBytes: int('UPLOAD_MAX_BYTES', 50 * 1024 * 1024 * 1024, 1, 5 * 1024 ** 4),
      urlTtlSeconds: int('UPLOAD_URL_TTL_SECONDS', 3_600, 60, 7 * 86_400),
      rateLimitPerMinute: int('UPLOAD_RATE_LIMIT_PER_MINUTE', 30, 1, 100_000),
      outboxSweepIntervalMs: int('OUTBOX_SWEEP_INTERVAL_MS', 5_000, 100, 3_600_000),
    },
    steering: { pathways, ttlSeconds: int('STEERING_TTL_SECONDS', 300, 1, 86_400) },
    transcodeOutputs: raw('TRANSCODE_OUTPUTS') === undefined ? ['s3://media/vod/{assetId}'] : list('TRANSCODE_OUTPUTS'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 64 * 1024, 256, 16 * 1024 * 1024),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    corsAllowOrigin: str('CORS_ALLOW_ORIGIN', '*'),
    logRequests: bool('LOG_REQUESTS', true),
  };
  if (config.transcodeOutputs.some((o) => !o.includes('{assetId}')))
    problems.push('TRANSCODE_OUTPUTS: every destination must contain {assetId}');
  if (config.uploads.partSizeBytes * 10_000 < config.uploads.maxUploadBytes) {
    problems.push('UPLOAD_MAX_BYTES needs more than 10,000 parts of UPLOAD_PART_SIZE_BYTES (the S3 limit)');
  }
  if (config.ads.fallback === 'slate' && config.ads.urlTemplate !== undefined && config.ads.slateUrl === undefined) {
    problems.push('SLATE_URL is required when ADS_FALLBACK=slate and ADS_URL_TEMPLATE is set');
  }
  const blackoutJson = raw('BLACKOUT_RULES');
  if (blackoutJson !== undefined) {
    try {
      config.blackoutRules = parseBlackoutRules(blackoutJson, { fillerIds: ['slate'] });
    } catch (error) {
      if (!isManifestError(error)) throw error;
      problems.push(`BLACKOUT_RULES: ${error.message}`);
    }
    if (config.blackoutRules.length > 0 && config.ads.slateUrl === undefined)
      problems.push('SLATE_URL is required when BLACKOUT_RULES is set (the slate replaces blacked-out content)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
