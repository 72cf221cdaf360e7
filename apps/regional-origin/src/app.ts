/**
 * @module The zone server's Hono app, built from injected dependencies (stores, clocks, fetchers,
 * renderer, ADS client). `server.ts` wires the real ones; tests call `app.request()` or a port.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Hono, type Context } from 'hono';
import { LRUCache } from 'lru-cache';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  buildSteeringManifest,
  checkAdParamsQuery,
  detectBreaks,
  checkId as checkIdResult,
  checkSessionMode,
  checkSessionStart,
  checkSessionTokenShape,
  checkReadyAsset,
  sessionMediaPath,
  sessionPathways,
  sessionStartResponse,
  sessionUrlsFor,
  isManifestError,
  keyIdFromUri,
  listSessionRenditions,
  mediaModelOf,
  normalizeCountryCode,
  personalizeMediaPlaylist,
  serializePlaylist,
  applySessionAds,
  readSteeringQuery,
  resolveOriginPath,
  sessionPlaylistCacheControl,
  steeringPathwayPriority,
  verifyPlaybackUrl,
  type AdPod,
  type AssetManifest,
  type Break,
  type FillerAsset,
  type RequestCheck,
  type SessionAds,
  type SessionBlackout,
  type ViewerProfile,
  ruleApplies,
} from '@meridian/manifest-core';
import type { Config } from './config.ts';
import { AppError, APP_ERROR_CODES, isAppError } from './errors.ts';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { OriginFetcher } from './origin.ts';
import type { ValkeyClient } from './valkey.ts';
import { createContentCatalog, type ContentCatalog, type SourcePlaylist } from './catalog.ts';
import type { PlaylistRenderer, RenderContext } from './render/playlist-renderer.ts';
import { renditionTargetOf, resolveSessionAds, slateFillerOf, type AdPlaylistSource } from './render/session-ads.ts';
import {
  advanceLiveAds,
  alignToReference,
  createLiveAdsRecord,
  liveTrackingTimeline,
  newerLiveAdsRecord,
  parseLiveAdsRecord,
  renderLiveAds,
  underBlackout,
  type LiveAdsOptions,
  type LiveAdsRecord,
} from './render/live-ads.ts';
import { createSessionService, type ResolvedSession, type SessionService } from './sessions/service.ts';
import type { SessionStore } from './sessions/types.ts';
import type { AdDecisionClient } from './ads/vast-client.ts';
import { createBreakDecider, planVodBreaks, type BreakPlan } from './ads/decisions.ts';
import type { KeyStore } from './keys.ts';
import type { AssetEvents, TranscodeQueue } from './jobs.ts';
import type { UploadStore } from './uploads/store.ts';
import { createUploadService, type UploadService } from './uploads/service.ts';
import { createRateLimiter } from './rate-limit.ts';

/** Everything the app needs from outside. */
export interface AppDependencies {
  config: Config;
  sessionStore: SessionStore;
  origin: OriginFetcher;
  renderer: PlaylistRenderer;
  adClient: AdDecisionClient;
  keys: KeyStore;
  queue: TranscodeQueue;
  uploadStore: UploadStore;
  /** S3 client for uploads; undefined disables them (503). */
  s3: S3Client | undefined;
  /** Valkey, when configured (metadata L2, readiness). */
  valkey: ValkeyClient | undefined;
  /** Transcode status events, when available (cache invalidation, video status). */
  events: AssetEvents | undefined;
  metrics: Metrics;
  log: Logger;
  /** Clock, ms since the epoch. */
  nowMs: () => number;
  /** Random bytes (ids, seeds). */
  randomBytes: (n: number) => Uint8Array;
}

/** The built app plus the handles `server.ts` needs for operation. */
export interface ZoneApp {
  app: Hono;
  catalog: ContentCatalog;
  sessions: SessionService;
  uploads: UploadService;
  /** Requests in flight right now. */
  inFlight(): number;
  /** Marks the app as draining: /readyz answers 503 so health checks steer traffic away. */
  startDraining(): void;
  /** Unsubscribes from events. */
  dispose(): void;
}

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';

/** The checked value, or the check's problem thrown as an AppError (same codes as the edge). */
function must<T>(check: RequestCheck<T>): T {
  if (!check.ok) throw new AppError(check.problem, check.message);
  return check.value;
}

/** Throws INVALID_ID unless `value` is a safe id (manifest-core's rule also refuses `../` and its percent-encodings). */
function checkId(value: string | undefined, what: string): string {
  return must(checkIdResult(value, what));
}

async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError('INVALID_JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('BAD_REQUEST', 'body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Builds the app. */
export function createApp(deps: AppDependencies): ZoneApp {
  const { config, metrics, log, nowMs } = deps;
  // Per request: the edge's base when an allowed edge forwarded it (FORWARDED_BASE_URLS), else this zone's.
  const forwardedBases = new Map(config.forwardedBaseUrls.map((u) => [new URL(u).host, u]));
  const requestBase = new AsyncLocalStorage<string>();
  const base = (): string => requestBase.getStore() ?? config.publicBaseUrl;
  let inFlight = 0;
  let draining = false;

  const catalog = createContentCatalog({
    origin: deps.origin,
    valkey: deps.valkey,
    keyPrefix: config.valkey.keyPrefix,
    vodAssetPath: config.vodAssetPath,
    liveMasterPath: config.liveMasterPath,
    metadataL1TtlMs: config.metadataL1TtlMs,
    metadataL2TtlSeconds: config.metadataL2TtlSeconds,
    vodPlaylistL1TtlMs: config.vodPlaylistL1TtlMs,
    metrics,
    log,
  });
  const sessions = createSessionService({
    store: deps.sessionStore,
    keyring: config.keyring,
    ttlSeconds: config.sessionTtlSeconds,
    zone: config.zone,
    nowMs,
    randomBytes: deps.randomBytes,
    metrics,
    log,
  });
  /** Where origin paths are served from: the CDN when configured, else the origin that served the playlist (so a dead primary is not referenced). */
  const segmentBaseUrl = (servedBy?: string): string =>
    config.cdnBaseUrl ?? (deps.origin.origins.find((o) => o.id === servedBy) ?? deps.origin.origins[0])?.url ?? '';
  /** Public URL of an origin path. */
  const originUrl = (originPath: string, servedBy?: string): string => `${segmentBaseUrl(servedBy)}${originPath}`;
  // (S3 origins have no player-facing URL; config requires CDN_BASE_URL for them.)
  const decider = createBreakDecider({
    client: deps.adClient,
    catalog,
    queue: deps.queue,
    sessions,
    urlTemplate: config.ads.urlTemplate,
    totalBudgetMs: config.ads.totalBudgetMs,
    fallback: config.ads.fallback,
    slateUrl: config.ads.slateUrl,
    publicOriginUrl: originUrl,
    nowMs,
    metrics,
    log,
  });
  const randomId = (): string =>
    Array.from(deps.randomBytes(12), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
  const uploads = createUploadService({
    s3: deps.s3,
    store: deps.uploadStore,
    queue: deps.queue,
    uploads: config.uploads,
    nowMs,
    randomId,
    metrics,
    log,
  });
  // Content keys never change for a key id, so a zone keeps the ones it served: a Valkey outage
  // then does not stop decryption of content already playing here.
  const keyCache = new LRUCache<string, Uint8Array>({ max: 10_000, ttl: 3_600_000 });
  const uploadLimiter = createRateLimiter(config.uploads.rateLimitPerMinute, 60_000, nowMs);

  const unsubscribe = deps.events?.subscribe((event) => {
    if (event.status === 'ready' || event.status === 'failed') {
      void catalog.invalidateAsset(event.assetId);
      void uploads.get(event.assetId).then(
        (record) => (record ? deps.uploadStore.setStatus(event.assetId, event.status, nowMs()) : undefined),
        () => undefined,
      );
    }
  });

  const app = new Hono();
  // Request ids: a random per-process prefix plus a counter — unique across zones, and cheap.
  const requestIdPrefix = `${randomId().slice(0, 8)}-`;
  let requestCount = 0;
  /** Which origin served each request's content, for the request log line. */
  const servedBy = new WeakMap<Request, string>();
  const markOrigin = (c: Context, originId: string): void => {
    c.header('x-meridian-origin', originId);
    servedBy.set(c.req.raw, originId);
  };

  // — request id, one JSON log line and metrics per request —
  app.use('*', async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId =
      incoming && /^[A-Za-z0-9._-]{1,128}$/.test(incoming)
        ? incoming
        : `${requestIdPrefix}${(++requestCount).toString(36)}`;
    inFlight++;
    // Set before the handler runs: touching c.res.headers afterwards would turn @hono/node-server's
    // light response into a full WHATWG Response and cost a body stream per request.
    c.header('x-request-id', requestId);
    c.header('x-meridian-zone', config.zone);
    try {
      const forwardedHost = forwardedBases.size > 0 ? c.req.header('x-forwarded-host') : undefined;
      const edgeBase = forwardedHost !== undefined ? forwardedBases.get(forwardedHost) : undefined;
      if (edgeBase !== undefined) await requestBase.run(edgeBase, next);
      else await next();
    } finally {
      inFlight--;
      const route = c.req.routePath === '/*' || c.req.routePath === '*' ? 'unmatched' : c.req.routePath;
      const seconds = (performance.now() - started) / 1000;
      metrics.requests.inc({ route, method: c.req.method, status: String(c.res.status) });
      metrics.latency.observe({ route, method: c.req.method }, seconds);
      if (config.logRequests) {
        log.info('request', {
          requestId,
          method: c.req.method,
          route,
          path: c.req.path,
          status: c.res.status,
          durationMs: Math.round(seconds * 10_000) / 10,
          origin: servedBy.get(c.req.raw),
          zone: config.zone,
        });
      }
    }
  });

  app.onError((error, c) => {
    let code: keyof typeof APP_ERROR_CODES;
    let message: string;
    let headers: Record<string, string> = {};
    if (isAppError(error)) {
      ({ code, message, headers } = error);
    } else if (isManifestError(error)) {
      code = error.code === 'INVALID_SIGNATURE' ? 'INVALID_SIGNATURE' : 'BAD_ORIGIN_RESPONSE';
      message = error.message;
    } else if (error instanceof HTTPException) {
      code = error.status === 413 ? 'PAYLOAD_TOO_LARGE' : error.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
      message = APP_ERROR_CODES[code].message;
    } else {
      code = 'INTERNAL';
      message = APP_ERROR_CODES.INTERNAL.message;
    }
    const status = APP_ERROR_CODES[code].status;
    if (status >= 500) log.error('request failed', { path: c.req.path, code, ...describeError(error) });
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    c.header('cache-control', 'no-store');
    return c.json({ error: { code, message } }, status);
  });

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: 'no such route' } }, 404));

  // — operations —
  app.get('/healthz', (c) => c.json({ status: 'ok', zone: config.zone, role: config.role }));

  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    let ready = !draining;
    if (draining) checks.draining = 'yes';
    if (deps.valkey) {
      try {
        await Promise.race([
          deps.valkey.ping(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timeout')), config.valkey.commandTimeoutMs * 2),
          ),
        ]);
        checks.valkey = 'ok';
      } catch {
        checks.valkey = 'down';
        ready = false;
      }
    }
    if (config.role !== 'upload') {
      const results = await deps.origin.probe(Math.min(1_000, config.originTimeoutMs));
      for (const { id, ok } of results) checks[`origin:${id}`] = ok ? 'ok' : 'down';
      if (!results.some((r) => r.ok)) ready = false;
    }
    return c.json({ ready, zone: config.zone, checks }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    c.header('content-type', metrics.registry.contentType);
    c.header('cache-control', 'no-store');
    return c.body(await metrics.registry.metrics());
  });

  // — playback —
  if (config.role !== 'upload') {
    // CORS by hand rather than hono/cors: that middleware edits c.res after the handler, which
    // forces a full Response per request; these headers are fixed, so they are set up front.
    const exposed = 'x-meridian-origin, x-meridian-zone, x-meridian-session, x-request-id, content-length';
    const corsMiddleware = async (c: Context, next: () => Promise<void>): Promise<Response | void> => {
      c.header('access-control-allow-origin', config.corsAllowOrigin);
      if (config.corsAllowOrigin !== '*') c.header('vary', 'Origin');
      if (c.req.method === 'OPTIONS') {
        c.header('access-control-allow-methods', 'GET, HEAD, POST, OPTIONS');
        c.header(
          'access-control-allow-headers',
          c.req.header('access-control-request-headers') ?? 'content-type, x-request-id',
        );
        c.header('access-control-max-age', '86400');
        return c.body(null, 204);
      }
      c.header('access-control-expose-headers', exposed);
      await next();
    };
    for (const path of ['/v1/vod/*', '/v1/live/*', '/v1/sessions/*', '/v1/steering/*', '/v1/keys/*'])
      app.use(path, corsMiddleware);
    app.use(
      '/v1/sessions',
      bodyLimit({
        maxSize: config.bodyLimitBytes,
        onError: () => {
          throw new AppError('PAYLOAD_TOO_LARGE');
        },
      }),
    );

    const country = (c: Context): string | undefined => {
      return normalizeCountryCode(c.req.header(config.countryHeader));
    };

    const requireSigned = async (c: Context): Promise<void> => {
      if (!config.requireSignedUrls) return;
      try {
        await verifyPlaybackUrl(c.req.url, { keyring: config.keyring, nowMs: nowMs() });
      } catch (error) {
        throw new AppError('INVALID_SIGNATURE', isManifestError(error) ? error.message : undefined);
      }
    };

    const readyAsset = async (assetId: string): Promise<AssetManifest> => {
      return must(checkReadyAsset(await catalog.getAsset(assetId)));
    };

    /** The source master of a session's content. */
    const sourceMaster = async (kind: 'vod' | 'live', contentId: string): Promise<SourcePlaylist> => {
      if (kind === 'live') return catalog.getPlaylist(catalog.liveMasterPath(contentId), { live: true });
      const asset = await readyAsset(contentId);
      return catalog.getPlaylist(resolveOriginPath(asset.master, `${catalog.assetFolder(contentId)}/asset.json`));
    };

    // Content steering in the edge's form: one PATHWAY-ID per zone (this one first), PATHWAY-PRIORITY from health.
    const steeringPathways =
      config.steering.pathways.length === 0
        ? []
        : [
            config.steering.pathways.find((p) => p.id === config.zone) ?? { id: config.zone, baseUrl: base() },
            ...config.steering.pathways.filter((p) => p.id !== config.zone),
          ];
    /** PATHWAY-PRIORITY: this zone first unless it is draining; other zones' health is unknown here, so they count as healthy. */
    const steeringPriority = (player: {
      currentPathway: string | undefined;
      throughputBps: number | undefined;
    }): string[] =>
      steeringPathwayPriority({
        pathways: steeringPathways.map((p) => ({ id: p.id, zone: p.id })),
        zoneOrder: steeringPathways.map((p) => p.id),
        isHealthy: (zone) => zone !== config.zone || !draining,
        ...player,
        minThroughputBps: 0,
      });

    const renderContext = (session: ResolvedSession, servedBy?: string, withPathways = false): RenderContext => ({
      sessionToken: session.token,
      claims: session.claims,
      urlsFor: (token) =>
        sessionUrlsFor({
          baseUrl: base(),
          sessionToken: token,
          steering: steeringPathways.length > 0,
          segmentBaseUrl: segmentBaseUrl(servedBy),
        }),
      templateKey: `${servedBy ?? ''} ${base()}`,
      pathways: withPathways
        ? sessionPathways(
            steeringPathways,
            steeringPriority({ currentPathway: undefined, throughputBps: undefined }),
            session.token,
          )
        : [],
      breaks: session.breaks,
    });

    const serveMaster = (c: Context, session: ResolvedSession, master: SourcePlaylist): Response => {
      const text = deps.renderer.renderMaster(master, renderContext(session, master.originId, true));
      c.header('content-type', PLAYLIST_TYPE);
      c.header('cache-control', 'private, no-cache');
      markOrigin(c, master.originId);
      c.header('x-meridian-session', session.token);
      return c.body(text);
    };

    const startImplicit = async (c: Context, kind: 'vod' | 'live', contentId: string): Promise<Response> => {
      await requireSigned(c);
      const master = await sourceMaster(kind, contentId);
      const session = await sessions.start({
        kind,
        contentId,
        mode: must(checkSessionMode(c.req.query('mode'))),
        adParams: must(checkAdParamsQuery(c.req.query())),
        country: country(c),
      });
      return serveMaster(c, session, master);
    };

    app.get('/v1/vod/:assetId/master.m3u8', (c) =>
      startImplicit(c, 'vod', checkId(c.req.param('assetId'), 'asset id')),
    );
    app.get('/v1/live/:channelId/master.m3u8', (c) =>
      startImplicit(c, 'live', checkId(c.req.param('channelId'), 'channel id')),
    );

    app.post('/v1/sessions', async (c) => {
      const { kind, contentId, mode, adParams } = must(checkSessionStart(await readJsonObject(c)));
      await sourceMaster(kind, contentId);
      const session = await sessions.start({ kind, contentId, mode, adParams, country: country(c) });
      c.header('cache-control', 'no-store');
      return c.json(sessionStartResponse(base(), session.token), 201);
    });

    const sessionParam = (c: Context): string => {
      return must(checkSessionTokenShape(c.req.param('sid')));
    };

    app.get('/v1/sessions/:sid/:rendition{[A-Za-z0-9_-]+\\.m3u8}', async (c) => {
      const session = await sessions.resolve(sessionParam(c));
      const renditionId = (c.req.param('rendition') ?? '').replace(/\.m3u8$/, '');
      const { kind, contentId } = session.claims;
      const master = await sourceMaster(kind, contentId);
      if (renditionId === 'master') return serveMaster(c, session, master);
      // Only origin paths are followed: an absolute URL in a master would make this server fetch arbitrary hosts.
      const media = await catalog.getPlaylist(must(sessionMediaPath(master, renditionId)), { live: kind === 'live' });
      const context = renderContext(session, media.originId);
      if (kind === 'live') noteLiveKeys(contentId, media);
      if (kind === 'live' && liveInterstitialsFor(session, renditionId))
        context.ads = await liveInterstitials(session, master, renditionId, media);
      if (kind === 'vod') context.ads = await mediaAds(session, master, renditionId, media);
      if (kind === 'vod') context.blackout = await mediaBlackout(session, master, renditionId);
      let body: string | Uint8Array | undefined;
      if (kind === 'live' && liveSessionFor(session, renditionId))
        body = await liveMedia(session, master, renditionId, media, context);
      try {
        body ??= deps.renderer.renderMedia(media, context);
      } catch (error) {
        // Stitching throws ManifestError for unusable ad inputs: the content plays without them.
        if (context.ads === undefined) throw error;
        log.warn('ads left out of a media playlist', {
          sessionId: session.claims.id,
          errorMessage: (error as Error).message,
        });
        // A blackout is a rights rule: it stays even when the ads cannot be stitched.
        body = deps.renderer.renderMedia(media, { ...context, ads: undefined });
      }
      c.header('content-type', PLAYLIST_TYPE);
      c.header('cache-control', sessionPlaylistCacheControl(media.live, media.targetDurationSeconds));
      markOrigin(c, media.originId);
      if (typeof body === 'string') return c.body(body);
      // Served by @hono/node-server: the bytes go back to the renderer once the kernel has them
      // (`finish`); an aborted response never finishes and leaves them to the garbage collector.
      const bytes = body;
      const outgoing = (c.env as { outgoing?: { once(event: 'finish', listener: () => void): unknown } } | undefined)
        ?.outgoing;
      if (deps.renderer.release !== undefined && outgoing !== undefined)
        outgoing.once('finish', () => deps.renderer.release?.(bytes));
      return c.body(bytes as Uint8Array<ArrayBuffer>);
    });

    /** The session's viewer when a BLACKOUT_RULES rule applies to them (I-frame playlists are never blacked out); else undefined. */
    const blackedOutViewer = (session: ResolvedSession, renditionId: string): ViewerProfile | undefined => {
      const viewer: ViewerProfile = session.claims.country !== undefined ? { country: session.claims.country } : {};
      return config.blackoutRules.some((rule) => ruleApplies(rule, viewer)) && !renditionId.startsWith('i')
        ? viewer
        : undefined;
    };

    /**
     * The viewer's blackouts for a VOD media playlist (BLACKOUT_RULES), undefined when no rule
     * applies to them. A rule that applies but whose slate cannot be read fails the playlist (503):
     * a blacked-out viewer is never served the content instead.
     */
    const mediaBlackout = async (
      session: ResolvedSession,
      master: SourcePlaylist,
      renditionId: string,
    ): Promise<SessionBlackout | undefined> => {
      const viewer = blackedOutViewer(session, renditionId);
      if (viewer === undefined) return undefined;
      const slate = await readSlate();
      if (slate === undefined) {
        log.error('blackout slate unavailable', { sessionId: session.claims.id, slateUrl: config.ads.slateUrl });
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'blackout slate unavailable');
      }
      return {
        rules: config.blackoutRules,
        viewer,
        fillers: [slate],
        rendition: renditionTargetOf(master, renditionId),
      };
    };

    /** The slate (SLATE_URL) as a filler; undefined when none is set or it cannot be read. */
    const readSlate = async (): Promise<FillerAsset | undefined> =>
      config.ads.slateUrl === undefined
        ? undefined
        : slateFillerOf(config.ads.slateUrl, adPlaylists()).catch(() => undefined);

    /** Where ad and slate playlists are read (this zone's catalog) and the URLs players fetch them from. */
    const adPlaylists = (): AdPlaylistSource => {
      const prefix = segmentBaseUrl();
      return {
        getPlaylist: (path) => catalog.getPlaylist(path),
        originPathOf: (url) => (prefix !== '' && url.startsWith(`${prefix}/`) ? url.slice(prefix.length) : undefined),
        publicUrlOf: (path) => originUrl(path),
      };
    };

    // — live SSAI: one record per session, in the session store and in this zone's cache —
    // The cache keeps a session's breaks (and so its sequence numbers) while Valkey is down; the
    // store lets another zone take over. Advances of one session are serialised in this process,
    // so concurrent reloads of its renditions decide each break once and never step back.
    const liveRecords = new LRUCache<string, { record: LiveAdsRecord; json: string }>({
      max: 50_000,
      ttl: config.sessionTtlSeconds * 1000,
    });
    const liveQueues = new Map<string, Promise<unknown>>();
    const serialised = <T>(id: string, run: () => Promise<T>): Promise<T> => {
      const result = (liveQueues.get(id) ?? Promise.resolve()).then(run, run);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      liveQueues.set(id, tail);
      void tail.then(() => {
        if (liveQueues.get(id) === tail) liveQueues.delete(id);
      });
      return result;
    };
    // Ad playlists are VOD and cached for VOD_PLAYLIST_L1_TTL_MS; the pods built from them live as long.
    const livePods = new LRUCache<string, AdPod>({ max: 1_000, ttl: Math.max(1, config.vodPlaylistL1TtlMs) });
    const liveOptions = (session: ResolvedSession, renditionId: string): LiveAdsOptions => {
      const ssai = liveSsaiFor(session, renditionId);
      const options: LiveAdsOptions = {
        podCache: livePods,
        // A break another zone already settled needs no ADS call here; without SSAI every break keeps its content.
        decide: ssai
          ? (plan) => Promise.resolve(session.breaks[`live:${plan.id}`] ?? decider.decide(session, plan))
          : (plan) =>
              Promise.resolve({ breakId: plan.id, outcome: 'disabled', fill: 'content', ads: [], decidedAtMs: 0 }),
        // A separate field from the decider's own record of the ADS answer: it holds what the break plays.
        claim: ssai
          ? async (decision) =>
              session.breaks[`live:${decision.breakId}`] ??
              sessions.claimBreak(session.claims, `live:${decision.breakId}`, decision)
          : (decision) => Promise.resolve(decision),
        playlists: adPlaylists(),
        slateUrl: ssai && config.ads.fallback === 'slate' ? config.ads.slateUrl : undefined,
        breakDurationSeconds: config.ads.breakDurationSeconds,
      };
      const viewer = blackedOutViewer(session, renditionId);
      // Config validation requires SLATE_URL with BLACKOUT_RULES.
      if (viewer !== undefined && config.ads.slateUrl !== undefined)
        options.blackout = { rules: config.blackoutRules, viewer, slateUrl: config.ads.slateUrl };
      return options;
    };
    /** Live ads need an ADS, the stitched mode, and a rendition ads can be matched to (I-frame playlists stay as they are). */
    const liveSsaiFor = (session: ResolvedSession, renditionId: string): boolean =>
      config.ads.urlTemplate !== undefined && session.claims.mode === 'stitched' && !renditionId.startsWith('i');
    /** The session's live record: the more advanced of this zone's copy and the store's. */
    const liveRecordOf = (session: ResolvedSession): { record: LiveAdsRecord; json: string | undefined } => {
      const cached = liveRecords.get(session.claims.id);
      // The store usually holds what this zone wrote last: no need to parse it again.
      if (cached !== undefined && session.live === cached.json) return cached;
      const stored = parseLiveAdsRecord(session.live);
      const record = newerLiveAdsRecord(cached?.record, stored) ?? createLiveAdsRecord();
      return { record, json: record === cached?.record ? cached.json : record === stored ? session.live : undefined };
    };

    /** A live rendition goes through the session's live record when it gets stitched ads or a blackout applies to the viewer. */
    const liveSessionFor = (session: ResolvedSession, renditionId: string): boolean =>
      liveSsaiFor(session, renditionId) || blackedOutViewer(session, renditionId) !== undefined;

    /**
     * A live session media playlist with its breaks (and the viewer's blackouts) replaced;
     * undefined (the plain personalised window is served) when the window cannot carry live ads,
     * e.g. without PROGRAM-DATE-TIME. A viewer under a blackout rule is never served the plain
     * window instead: that fails the playlist (503) and the player retries.
     */
    const liveMedia = async (
      session: ResolvedSession,
      master: SourcePlaylist,
      renditionId: string,
      media: SourcePlaylist,
      context: RenderContext,
    ): Promise<string | undefined> => {
      const { id } = session.claims;
      const options = liveOptions(session, renditionId);
      try {
        // The session advances with the first rendition's window (see alignToReference); the others follow it.
        const referenceId = listSessionRenditions(master).keys().next().value;
        const referencePath =
          referenceId === undefined || referenceId === renditionId ? undefined : sessionMediaPath(master, referenceId);
        const reference = referencePath?.ok
          ? mediaModelOf(await catalog.getPlaylist(referencePath.value, { live: true }))
          : mediaModelOf(media);
        const window = alignToReference(mediaModelOf(media), reference);
        if (window.segments.length === 0 || reference.segments.length === 0) return undefined;
        const record = await serialised(id, async () => {
          const current = liveRecordOf(session);
          const next = await advanceLiveAds(current.record, reference, options);
          const json = JSON.stringify(next);
          if (json !== current.json) {
            liveRecords.set(id, { record: next, json });
            await sessions.recordLive(session.claims, json);
          }
          return next;
        });
        const personalised = personalizeMediaPlaylist(window, media.path, context.urlsFor(session.token));
        const rendered = await renderLiveAds(record, personalised, renditionTargetOf(master, renditionId), options);
        // Interstitials (a blacked-out viewer's session in that mode): the breaks outside its blackouts.
        const ads =
          context.ads?.mode === 'interstitials'
            ? { ...context.ads, breaks: context.ads.breaks.filter((b) => !underBlackout(record, b)) }
            : undefined;
        return serializePlaylist(
          ads === undefined || ads.breaks.length === 0 ? rendered : applySessionAds(rendered, ads),
        );
      } catch (error) {
        if (options.blackout !== undefined) {
          log.error('live blackout unavailable', {
            sessionId: id,
            renditionId,
            errorMessage: (error as Error).message,
          });
          throw new AppError('DEPENDENCY_UNAVAILABLE', 'blackout slate unavailable');
        }
        log.warn('live ads left out of a media playlist', { sessionId: id, errorMessage: (error as Error).message });
        return undefined;
      }
    };

    // — live HLS Interstitials: the content as it is plus one interstitial DATERANGE per break; the ADS is called when the player asks for the asset list —
    const liveInterstitialsFor = (session: ResolvedSession, renditionId: string): boolean =>
      config.ads.urlTemplate !== undefined && session.claims.mode === 'interstitials' && !renditionId.startsWith('i');
    /** The breaks of the reference rendition's window (the master's first), with their planned length as the resume offset so the DATERANGE never changes. */
    // Breaks signalled recently, by channel and id: a player may ask for an asset list after its break slid out of the window.
    const signalledBreaks = new LRUCache<string, Break>({ max: 10_000, ttl: 600_000 });
    const liveBreaks = async (master: SourcePlaylist, channelId: string): Promise<Break[]> => {
      const referencePath = sessionMediaPath(master, listSessionRenditions(master).keys().next().value ?? 'v0');
      if (!referencePath.ok) return [];
      const reference = mediaModelOf(await catalog.getPlaylist(referencePath.value, { live: true }));
      return detectBreaks(reference).breaks.flatMap((b) => {
        if (b.startPdtMs === undefined || b.insert) return [];
        const planned = b.durationSeconds ?? b.contentDurationSeconds;
        if (planned === undefined) return [];
        const brk = { ...b, durationSeconds: planned, contentDurationSeconds: planned };
        signalledBreaks.set(`${channelId}/${brk.id}`, brk);
        return [brk];
      });
    };
    const liveInterstitials = async (
      session: ResolvedSession,
      master: SourcePlaylist,
      renditionId: string,
      media: SourcePlaylist,
    ): Promise<SessionAds | undefined> => {
      try {
        const breaks = await liveBreaks(master, session.claims.contentId);
        if (breaks.length === 0) return undefined;
        return {
          mode: 'interstitials',
          breaks,
          assetListUrl: (brk) => `${base()}/v1/sessions/${session.token}/breaks/${brk.id}.json`,
        };
      } catch (error) {
        log.warn('live interstitials left out of a media playlist', {
          sessionId: session.claims.id,
          renditionId,
          path: media.path,
          errorMessage: (error as Error).message,
        });
        return undefined;
      }
    };

    /** A live break's plan: from the channel's current window, else (it slid out) from a stored decision; undefined for an unknown id. */
    const livePlan = async (session: ResolvedSession, breakId: string): Promise<BreakPlan | undefined> => {
      const channelId = session.claims.contentId;
      // The origin being unreachable must not fail an asset list whose break this zone has seen.
      const current = await sourceMaster('live', channelId)
        .then((master) => liveBreaks(master, channelId))
        .catch((): Break[] => []);
      const brk = current.find((b) => b.id === breakId) ?? signalledBreaks.get(`${channelId}/${breakId}`);
      if (brk)
        return {
          id: brk.id,
          index: brk.startMsn,
          offsetSeconds: brk.startOffsetSeconds,
          durationSeconds: brk.durationSeconds ?? config.ads.breakDurationSeconds,
          truncateLastAd: true,
        };
      // Another zone signalled it and decided it already: the stored decision answers.
      if (!session.breaks[breakId]) return undefined;
      return {
        id: breakId,
        index: 0,
        offsetSeconds: 0,
        durationSeconds: config.ads.breakDurationSeconds,
        truncateLastAd: true,
      };
    };

    const vodPlans = async (session: ResolvedSession): Promise<BreakPlan[]> => {
      if (session.claims.kind !== 'vod') return [];
      const asset = await readyAsset(session.claims.contentId);
      return planVodBreaks(config.ads.vodBreakOffsetsSeconds, asset.durationSeconds, config.ads.breakDurationSeconds);
    };

    /** The ads of a VOD media playlist; any failure (ADS, ad playlists, stitching) serves the content without them. */
    const mediaAds = async (
      session: ResolvedSession,
      master: SourcePlaylist,
      renditionId: string,
      media: SourcePlaylist,
    ): Promise<SessionAds | undefined> => {
      try {
        const plans = await vodPlans(session);
        // I-frame playlists stay as they are (ad segments are not I-frame byte ranges).
        if (renditionId.startsWith('i')) return undefined;
        const ads = await resolveSessionAds(media, renditionTargetOf(master, renditionId), {
          mode: session.claims.mode,
          plans,
          decide: (plan) => decider.decide(session, plan),
          ...adPlaylists(),
          assetListUrl: (breakId) => `${base()}/v1/sessions/${session.token}/breaks/${breakId}.json`,
          // A real wall clock (not 1970): players map DATERANGEs through PROGRAM-DATE-TIME.
          sessionEpochMs: session.claims.createdAtSeconds * 1000,
          slate: readSlate,
        });
        return ads;
      } catch (error) {
        log.warn('ads left out of a media playlist', {
          sessionId: session.claims.id,
          errorMessage: (error as Error).message,
        });
        return undefined;
      }
    };

    app.get('/v1/sessions/:sid/tracking', async (c) => {
      const session = await sessions.resolve(sessionParam(c));
      c.header('cache-control', 'private, no-store');
      // Live avails are the breaks the session's reloads decided (times on the PROGRAM-DATE-TIME clock, epoch seconds).
      if (session.claims.kind === 'live') return c.json(liveTrackingTimeline(liveRecordOf(session).record));
      const plans = await vodPlans(session);
      const decisions = await Promise.all(plans.map((plan) => decider.decide(session, plan)));
      return c.json({
        avails: plans.map((plan, i) => {
          const d = decisions[i];
          let start = plan.offsetSeconds;
          return {
            availId: plan.id,
            startTimeInSeconds: plan.offsetSeconds,
            durationInSeconds: plan.durationSeconds,
            fill: d?.fill ?? 'content',
            assetListUrl: `${base()}/v1/sessions/${session.token}/breaks/${plan.id}.json`,
            ads: (d?.ads ?? []).map((ad) => {
              const entry = {
                adId: ad.adId,
                creativeId: ad.creativeId,
                startTimeInSeconds: start,
                durationInSeconds: ad.durationSeconds,
                uri: ad.uri,
                trackingEvents: [
                  { eventType: 'impression', beaconUrls: ad.impressions },
                  ...[...new Set(ad.tracking.map((t) => t.event))].map((eventType) => ({
                    eventType,
                    beaconUrls: ad.tracking.filter((t) => t.event === eventType).map((t) => t.url),
                  })),
                ],
              };
              start += ad.durationSeconds;
              return entry;
            }),
          };
        }),
      });
    });

    app.get('/v1/sessions/:sid/breaks/:break{[A-Za-z0-9_-]{1,100}\\.json}', async (c) => {
      const session = await sessions.resolve(sessionParam(c));
      const breakId = (c.req.param('break') ?? '').replace(/\.json$/, '');
      const plan =
        session.claims.kind === 'live'
          ? await livePlan(session, breakId)
          : (await vodPlans(session)).find((p) => p.id === breakId);
      if (!plan) throw new AppError('NOT_FOUND', `no break ${breakId}`);
      const decision = await decider.decide(session, plan);
      c.header('cache-control', 'private, no-store');
      return c.json(decider.assetList(decision, plan));
    });

    app.get('/v1/steering/:file{[A-Za-z0-9_.-]+\\.json}', async (c) => {
      const token = (c.req.param('file') ?? '').replace(/\.json$/, '');
      await sessions.verify(token);
      c.header('cache-control', 'private, no-store');
      return c.json(
        buildSteeringManifest(
          steeringPriority(readSteeringQuery(c.req.query())),
          config.steering.ttlSeconds,
          `${base()}/v1/steering/${token}.json`,
        ),
      );
    });

    // A live channel's keys are the AES-128 keys its media playlists name. Keys rotate out of the
    // window while players still hold them, so every key id seen for a channel is remembered for
    // as long as a session lives (a key of the channel never becomes another channel's).
    const liveKeyIds = new LRUCache<string, Set<string>>({ max: 10_000, ttl: config.sessionTtlSeconds * 1000 });
    const noteLiveKeys = (channelId: string, media: SourcePlaylist): void => {
      let ids: Set<string> | undefined;
      for (const segment of mediaModelOf(media).segments) {
        for (const key of segment.keys ?? []) {
          if (key.method !== 'AES-128' || key.uri === undefined) continue;
          ids ??= liveKeyIds.get(channelId) ?? new Set();
          ids.add(keyIdFromUri(key.uri));
        }
      }
      if (ids !== undefined && !liveKeyIds.has(channelId)) liveKeyIds.set(channelId, ids);
    };
    /** True when the channel's media playlists (now or since this zone first read them) name the key. */
    const liveChannelUsesKey = async (channelId: string, keyId: string): Promise<boolean> => {
      if (liveKeyIds.get(channelId)?.has(keyId)) return true;
      const master = await sourceMaster('live', channelId);
      await Promise.all(
        [...listSessionRenditions(master).keys()].map(async (renditionId) => {
          const path = sessionMediaPath(master, renditionId);
          if (!path.ok) return;
          noteLiveKeys(channelId, await catalog.getPlaylist(path.value, { live: true }));
        }),
      );
      return liveKeyIds.get(channelId)?.has(keyId) ?? false;
    };

    app.get('/v1/keys/:keyId', async (c) => {
      const keyId = checkId(c.req.param('keyId'), 'key id');
      const token = c.req.query('session');
      if (!token) throw new AppError('FORBIDDEN', 'a session is required');
      const claims = await sessions.verify(token);
      if (claims.kind === 'live') {
        if (!(await liveChannelUsesKey(claims.contentId, keyId)))
          throw new AppError('FORBIDDEN', 'key not bound to this session');
      } else {
        const asset = await catalog.getAsset(claims.contentId);
        if (!asset.keyIds.includes(keyId)) throw new AppError('FORBIDDEN', 'key not bound to this session');
      }
      let key = keyCache.get(keyId);
      if (!key) {
        try {
          key = await deps.keys.get(keyId);
        } catch (error) {
          // Retryable: players retry key loads, and the store usually comes back within seconds.
          throw new AppError('DEPENDENCY_UNAVAILABLE', 'key store unavailable', {
            cause: error,
            headers: { 'retry-after': '1' },
          });
        }
        if (key?.length === 16) keyCache.set(keyId, key);
      }
      if (!key || key.length !== 16) throw new AppError('FORBIDDEN', 'key unavailable');
      c.header('content-type', 'application/octet-stream');
      c.header('cache-control', 'private, no-store');
      return c.body(key.slice().buffer as ArrayBuffer);
    });
  }

  // — uploads —
  if (config.role !== 'playback') {
    const clientOf = (c: Context): string => {
      if (config.clientIpHeader) {
        const v = c.req.header(config.clientIpHeader);
        if (v) return v.split(',')[0]?.trim() ?? 'unknown';
      }
      const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
      return incoming?.socket?.remoteAddress ?? 'unknown';
    };
    const limited = async (c: Context, next: () => Promise<void>): Promise<void> => {
      const wait = uploadLimiter.hit(clientOf(c));
      if (wait > 0) throw new AppError('RATE_LIMITED', undefined, { headers: { 'retry-after': String(wait) } });
      await next();
    };
    // `/v1/uploads/*` also matches `/v1/uploads` itself in Hono, so one registration covers both.
    app.use('/v1/uploads/*', limited);
    app.use(
      '/v1/uploads/*',
      bodyLimit({
        maxSize: config.bodyLimitBytes,
        onError: () => {
          throw new AppError('PAYLOAD_TOO_LARGE');
        },
      }),
    );

    app.post('/v1/uploads', async (c) => {
      const body = await readJsonObject(c);
      const { filename, size, contentType } = body;
      if (typeof filename !== 'string' || filename.length === 0 || filename.length > 255)
        throw new AppError('BAD_REQUEST', 'filename must be a string of 1–255 characters');
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0)
        throw new AppError('BAD_REQUEST', 'size must be a positive integer (bytes)');
      if (size > config.uploads.maxUploadBytes)
        throw new AppError('BAD_REQUEST', `size exceeds the limit of ${config.uploads.maxUploadBytes} bytes`);
      if (typeof contentType !== 'string' || !/^(video|audio)\/[A-Za-z0-9.+-]+$/.test(contentType))
        throw new AppError('BAD_REQUEST', 'contentType must be a video/* or audio/* type');
      const created = await uploads.create({ filename, sizeBytes: size, contentType });
      c.header('cache-control', 'no-store');
      return c.json(created, 201);
    });

    app.post('/v1/uploads/:videoId/complete', async (c) => {
      const videoId = checkId(c.req.param('videoId'), 'video id');
      const body = await readJsonObject(c);
      if (!Array.isArray(body.parts) || body.parts.length === 0 || body.parts.length > 10_000)
        throw new AppError('BAD_REQUEST', 'parts must be a non-empty array');
      const parts = body.parts.map((p: unknown) => {
        const part = p as { partNumber?: unknown; etag?: unknown; ETag?: unknown } | null;
        const etag = part?.etag ?? part?.ETag;
        if (
          typeof part?.partNumber !== 'number' ||
          !Number.isInteger(part.partNumber) ||
          part.partNumber < 1 ||
          typeof etag !== 'string'
        ) {
          throw new AppError('BAD_REQUEST', 'each part needs partNumber and etag');
        }
        return { partNumber: part.partNumber, etag };
      });
      const record = await uploads.complete(videoId, parts);
      return c.json({ videoId: record.videoId, status: record.status }, 202);
    });

    app.get('/v1/videos/:videoId', async (c) => {
      const videoId = checkId(c.req.param('videoId'), 'video id');
      const record = await uploads.get(videoId);
      if (!record) throw new AppError('NOT_FOUND', `video ${videoId} not found`);
      c.header('cache-control', 'no-store');
      return c.json({
        videoId: record.videoId,
        status: record.status,
        filename: record.filename,
        size: record.sizeBytes,
        contentType: record.contentType,
        createdAt: new Date(record.createdAtMs).toISOString(),
        updatedAt: new Date(record.updatedAtMs).toISOString(),
      });
    });
  }

  return {
    app,
    catalog,
    sessions,
    uploads,
    inFlight: () => inFlight,
    startDraining: () => void (draining = true),
    dispose: () => unsubscribe?.(),
  };
}
