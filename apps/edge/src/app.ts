/**
 * @module The edge Worker's Hono app, built from injected dependencies (configuration, source
 * reader, zone director, forwarder, clock, randomness). VOD sessions are stateless here: the
 * signed session id carries what rendering needs and the edge renders their playlists itself;
 * what needs shared state (live sessions, ADS calls, keys, uploads) is forwarded to a zone.
 */
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import {
  buildSteeringManifest,
  checkId as checkIdResult,
  checkSessionMode,
  checkAdParamsQuery,
  checkSessionStart,
  checkSessionTokenShape,
  isManifestError,
  ruleApplies,
  checkReadyAsset,
  sessionMediaPath,
  sessionPathways,
  sessionStartResponse,
  sessionUrlsFor,
  newSessionClaims,
  normalizeCountryCode,
  readSteeringQuery,
  renderSessionMaster,
  resolveOriginPath,
  sessionPlaylistCacheControl,
  signSessionToken,
  steeringPathwayPriority,
  verifyPlaybackUrl,
  verifySessionToken,
  type AssetManifest,
  type RequestCheck,
  type SessionClaims,
  type SessionMode,
  type SessionUrls,
} from '@meridian/manifest-core';
import type { EdgeConfig } from './config.ts';
import { EDGE_ERROR_CODES, EdgeError, isEdgeError, type EdgeErrorCode } from './errors.ts';
import { readBodyBounded, ZONE_HEADER, type Forwarder } from './forward.ts';
import { createEdgeMediaRenderer } from './media-render.ts';
import type { SourcePlaylist, SourceReader } from './sources.ts';
import type { Viewer, ZoneDirector } from './zones.ts';

/** Everything the app needs from outside. */
export interface EdgeDependencies {
  config: EdgeConfig;
  sources: SourceReader;
  director: ZoneDirector;
  forward: Forwarder;
  /** Clock, ms since the epoch. */
  nowMs: () => number;
  /** Random bytes (session ids and seeds). */
  randomBytes: (n: number) => Uint8Array;
  /** Cache API cache that media templates are shared through (`caches.default`); undefined keeps them per isolate. */
  templateCache?: Cache | undefined;
}

/** Bindings and context the Worker runtime hands each request. */
export interface EdgeBindings {
  Bindings: Record<string, unknown>;
}

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const MAX_URL_LENGTH = 8_192;

/** The checked value, or the check's problem thrown as an EdgeError (same codes as regional-origin). */
function must<T>(check: RequestCheck<T>): T {
  if (!check.ok) throw new EdgeError(check.problem, check.message);
  return check.value;
}

/** Throws INVALID_ID unless `value` is a safe id (manifest-core's rule also refuses `../` and its percent-encodings). */
function checkId(value: string | undefined, what: string): string {
  return must(checkIdResult(value, what));
}

/** The viewer's place from `request.cf` (set by Cloudflare; never from a client header). */
function viewerOf(c: Context): Viewer {
  const cf = (c.req.raw as Request & { cf?: { country?: unknown; continent?: unknown; regionCode?: unknown } }).cf;
  const region = cf?.regionCode;
  // request.cf.regionCode is the ISO 3166-2 code without its country (`CA`), as Route 53's subdivisions are.
  const subdivision =
    typeof region === 'string' && /^[A-Za-z0-9]{1,3}$/.test(region) ? region.toUpperCase() : undefined;
  return { country: normalizeCountryCode(cf?.country), continent: normalizeCountryCode(cf?.continent), subdivision };
}

/** Builds the app. */
export function createEdgeApp(deps: EdgeDependencies): Hono<EdgeBindings> {
  const { config, sources, director, nowMs } = deps;
  const app = new Hono<EdgeBindings>();
  const renderMedia = createEdgeMediaRenderer(
    deps.templateCache ? { shared: { cache: deps.templateCache, ttlSeconds: config.vodPlaylistTtlSeconds } } : {},
  );

  const masterPathways = config.pathways.filter((p) => !p.clone);
  /** Content Steering PATHWAY-CLONES: one per configured clone, sent in every manifest (a player ignores a clone it already has). */
  const pathwayClones = config.pathways.flatMap((p) =>
    p.clone
      ? [
          {
            'BASE-ID': p.clone.baseId,
            ID: p.id,
            'URI-REPLACEMENT': {
              ...(p.clone.host ? { HOST: p.clone.host } : {}),
              ...(Object.keys(p.clone.params).length > 0 ? { PARAMS: p.clone.params } : {}),
            },
          },
        ]
      : [],
  );
  const baseOf = (c: Context): string => config.publicBaseUrl ?? new URL(c.req.url).origin;
  const pathAndQuery = (c: Context): string => {
    const url = new URL(c.req.url);
    return `${url.pathname}${url.search}`;
  };
  const later = (c: Context, promise: Promise<unknown>): void => {
    try {
      c.executionCtx.waitUntil(promise);
    } catch {
      void promise.catch(() => undefined);
    }
  };

  // — guard rails, zone probes and the serving zone on every response —
  app.use('*', async (c, next) => {
    if (c.req.url.length > MAX_URL_LENGTH) throw new EdgeError('BAD_REQUEST', 'URL too long');
    if (director.zones.length > 0) later(c, director.probeIfDue());
    await next();
    if (!c.res.headers.has(ZONE_HEADER)) c.res.headers.set(ZONE_HEADER, config.edgeZone);
  });

  app.onError((error, c) => {
    let code: EdgeErrorCode;
    let message: string;
    if (isEdgeError(error)) {
      ({ code, message } = error);
    } else if (isManifestError(error)) {
      code = error.code === 'INVALID_SIGNATURE' ? 'INVALID_SIGNATURE' : 'BAD_ORIGIN_RESPONSE';
      message = error.message;
    } else if (error instanceof HTTPException) {
      code = error.status === 413 ? 'PAYLOAD_TOO_LARGE' : error.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
      message = EDGE_ERROR_CODES[code].message;
    } else {
      code = 'INTERNAL';
      message = EDGE_ERROR_CODES.INTERNAL.message;
    }
    const status = EDGE_ERROR_CODES[code].status;
    if (status >= 500)
      console.error(
        JSON.stringify({
          msg: 'request failed',
          path: c.req.path,
          code,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    c.header('cache-control', 'no-store');
    return c.json({ error: { code, message } }, status);
  });

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: 'no such route' } }, 404));

  app.get('/healthz', (c) => c.json({ status: 'ok', zone: config.edgeZone, zones: director.health() }));
  // Ready whenever the configuration loaded: VOD needs only the origins, and forwarded routes fail
  // over across zones (or answer 502 themselves), so a dead zone is reported, not a reason to leave.
  app.get('/readyz', (c) => {
    const checks = Object.fromEntries(director.health().map((z) => [`zone:${z.id}`, z.healthy ? 'ok' : 'down']));
    c.header('cache-control', 'no-store');
    return c.json({ ready: true, zone: config.edgeZone, checks });
  });

  const corsMiddleware = cors({
    origin: config.corsAllowOrigin,
    allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowHeaders: ['content-type', 'x-request-id'],
    exposeHeaders: [
      'x-meridian-origin',
      'x-meridian-zone',
      'x-meridian-zone-attempts',
      'x-meridian-session',
      'x-request-id',
      'content-length',
    ],
    maxAge: 86_400,
  });
  for (const path of ['/v1/vod/*', '/v1/live/*', '/v1/sessions', '/v1/sessions/*', '/v1/steering/*', '/v1/keys/*'])
    app.use(path, corsMiddleware);

  const requireSigned = async (c: Context): Promise<void> => {
    if (!config.requireSignedUrls) return;
    try {
      await verifyPlaybackUrl(c.req.url, { keyring: config.keyring, nowMs: nowMs() });
    } catch (error) {
      throw new EdgeError('INVALID_SIGNATURE', isManifestError(error) ? error.message : undefined);
    }
  };

  const verifySession = async (token: string | undefined): Promise<{ token: string; claims: SessionClaims }> => {
    const checked = must(checkSessionTokenShape(token));
    try {
      return { token: checked, claims: await verifySessionToken(checked, config.keyring, nowMs()) };
    } catch (error) {
      if (isManifestError(error)) throw new EdgeError('INVALID_SIGNATURE', `session: ${error.message}`);
      throw error;
    }
  };

  const readyAsset = async (assetId: string): Promise<AssetManifest> => {
    return must(checkReadyAsset(await sources.getAsset(assetId)));
  };

  const vodMaster = async (assetId: string): Promise<SourcePlaylist> => {
    const asset = await readyAsset(assetId);
    return sources.getPlaylist(resolveOriginPath(asset.master, `${sources.assetFolder(assetId)}/asset.json`));
  };

  /** Where origin paths are served from: the CDN when configured, else the origin that served the playlist (so a dead primary is not referenced). */
  const segmentBaseUrl = (servedBy: string): string =>
    config.cdnBaseUrl ?? (sources.origins.find((o) => o.id === servedBy) ?? sources.origins[0])?.url ?? '';

  const sessionUrls = (base: string, token: string, servedBy: string): SessionUrls =>
    sessionUrlsFor({
      baseUrl: base,
      sessionToken: token,
      steering: config.pathways.length > 0,
      segmentBaseUrl: segmentBaseUrl(servedBy),
    });

  /** PATHWAY-PRIORITY for this viewer: zone pathways by the viewer's zone order and current zone health. */
  const priorityFor = (
    c: Context,
    player: { currentPathway: string | undefined; throughputBps: number | undefined },
    minThroughputBps: number,
  ): string[] =>
    steeringPathwayPriority({
      pathways: config.pathways,
      zoneOrder: director.order(viewerOf(c)).map((z) => z.id),
      isHealthy: (zone) => director.isHealthy(zone),
      ...player,
      minThroughputBps,
    });

  const serveMaster = (c: Context, token: string, master: SourcePlaylist): Response => {
    const urls = sessionUrls(baseOf(c), token, master.originId);
    const priority = priorityFor(c, { currentPathway: undefined, throughputBps: undefined }, 0);
    // Clones are not written in masters: players build them from the steering manifest's PATHWAY-CLONES.
    const text = renderSessionMaster(master, urls, sessionPathways(masterPathways, priority, token));
    c.header('content-type', PLAYLIST_TYPE);
    c.header('cache-control', 'private, no-cache');
    c.header('x-meridian-origin', master.originId);
    c.header('x-meridian-session', token);
    return c.body(text);
  };

  const startVodSession = async (
    c: Context,
    assetId: string,
    mode: SessionMode,
    adParams: Record<string, string>,
  ): Promise<string> => {
    const claims = newSessionClaims(
      { kind: 'vod', contentId: assetId, mode, adParams, country: viewerOf(c).country },
      nowMs(),
      deps.randomBytes,
    );
    return signSessionToken(claims, config.keyring, config.sessionTtlSeconds);
  };

  const forwardAs = (c: Context, affinityKey?: string): Promise<Response> =>
    deps.forward(c.req.raw, viewerOf(c), pathAndQuery(c), affinityKey);

  /** True when one of BLACKOUT_RULES applies to the session's viewer (its country, as the zones read it). */
  const blackedOut = (country: string | undefined): boolean =>
    config.blackoutRules.some((rule) => ruleApplies(rule, country === undefined ? {} : { country }));

  // — playback: VOD rendered here, live forwarded —
  app.get('/v1/vod/:assetId/master.m3u8', async (c) => {
    const assetId = checkId(c.req.param('assetId'), 'asset id');
    await requireSigned(c);
    const master = await vodMaster(assetId);
    const token = await startVodSession(
      c,
      assetId,
      must(checkSessionMode(c.req.query('mode'))),
      must(checkAdParamsQuery(c.req.query())),
    );
    return serveMaster(c, token, master);
  });

  /** A live session's master, rendered here with steering pathways; undefined when the edge cannot (the zone's own master is used then). */
  const liveMaster = async (c: Context, token: string, channelId: string): Promise<Response | undefined> => {
    try {
      return serveMaster(c, token, await sources.getPlaylist(sources.liveMasterPath(channelId), { live: true }));
    } catch {
      return undefined;
    }
  };

  app.get('/v1/live/:channelId/master.m3u8', async (c) => {
    const channelId = checkId(c.req.param('channelId'), 'channel id');
    await requireSigned(c);
    // The zone opens the session (live sessions keep state there); the edge writes the master with every pathway.
    const opened = await forwardAs(c);
    const token = opened.headers.get('x-meridian-session');
    if (opened.status !== 200 || !token) return opened;
    const { claims } = await verifySession(token);
    if (claims.kind !== 'live' || claims.contentId !== channelId) return opened;
    const steered = await liveMaster(c, token, channelId);
    if (!steered) return opened;
    await opened.body?.cancel();
    steered.headers.set(ZONE_HEADER, opened.headers.get(ZONE_HEADER) ?? config.edgeZone);
    return steered;
  });

  app.post('/v1/sessions', async (c) => {
    const bytes = (await readBodyBounded(c.req.raw, config.bodyLimitBytes)) ?? new ArrayBuffer(0);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new EdgeError('INVALID_JSON');
    }
    const start = must(checkSessionStart(body));
    if (start.kind === 'live') {
      const replay = new Request(c.req.url, { method: 'POST', headers: c.req.raw.headers, body: bytes });
      return deps.forward(replay, viewerOf(c), pathAndQuery(c));
    }
    await vodMaster(start.contentId);
    const token = await startVodSession(c, start.contentId, start.mode, start.adParams);
    const base = baseOf(c);
    c.header('cache-control', 'no-store');
    return c.json(sessionStartResponse(base, token), 201);
  });

  app.get('/v1/sessions/:sid/:rendition{[A-Za-z0-9_-]+\\.m3u8}', async (c) => {
    const { token, claims } = await verifySession(c.req.param('sid'));
    const renditionId = (c.req.param('rendition') ?? '').replace(/\.m3u8$/, '');
    if (claims.kind === 'live') {
      // Live media playlists follow the session's ad decisions, kept in the zones; the master needs none of that.
      const master =
        renditionId === 'master' ? await liveMaster(c, token, checkId(claims.contentId, 'channel id')) : undefined;
      // One zone per session while it is healthy: its live record (sequence numbers, breaks) stays in one place even without shared Valkey.
      return master ?? forwardAs(c, claims.id);
    }
    const master = await vodMaster(checkId(claims.contentId, 'asset id'));
    if (renditionId === 'master') return serveMaster(c, token, master);
    // Ads need the ADS and the session's stored decisions, both in the zones: the zone renders
    // ad sessions' media playlists with the same session function (so edge and zone agree).
    // So do a blacked-out viewer's (the slate and the rule's window are applied in the zone, as for ads).
    if (config.vodAds || blackedOut(claims.country)) return forwardAs(c, claims.id);
    // Only origin paths are followed: an absolute URL in a master would make the edge fetch arbitrary hosts.
    const media = await sources.getPlaylist(must(sessionMediaPath(master, renditionId)));
    const base = baseOf(c);
    const urlsFor = (t: string): SessionUrls => sessionUrls(base, t, media.originId);
    const templateKey = `${base} ${media.originId}`;
    // A source this isolate has not rendered yet may have a template another isolate of the colo shared.
    const template = await renderMedia.prepare(media, urlsFor, templateKey);
    const text = renderMedia.text(media, token, urlsFor, templateKey);
    c.header('x-meridian-template', template);
    c.header('content-type', PLAYLIST_TYPE);
    c.header('cache-control', sessionPlaylistCacheControl(media.live, media.targetDurationSeconds));
    c.header('x-meridian-origin', media.originId);
    return c.body(text);
  });

  // — ADS-backed session state lives in the zones —
  app.get('/v1/sessions/:sid/tracking', async (c) => {
    const { claims } = await verifySession(c.req.param('sid'));
    return forwardAs(c, claims.id);
  });
  // Break ids as the zones name them: VOD `b<n>`, live `cue-<msn>` / `scte35-<event>-<msn>`.
  app.get('/v1/sessions/:sid/breaks/:break{[A-Za-z0-9_-]{1,100}\\.json}', async (c) => {
    const { claims } = await verifySession(c.req.param('sid'));
    return forwardAs(c, claims.id);
  });

  app.get('/v1/steering/:file{[A-Za-z0-9_.-]+\\.json}', async (c) => {
    const { token } = await verifySession((c.req.param('file') ?? '').replace(/\.json$/, ''));
    // Steering follows what the colo's other isolates know about zone health too.
    await director.syncShared();
    const priority = priorityFor(c, readSteeringQuery(c.req.query()), config.steeringMinThroughputBps);
    c.header('cache-control', 'private, no-store');
    const manifest = buildSteeringManifest(
      priority,
      config.steeringTtlSeconds,
      `${baseOf(c)}/v1/steering/${token}.json`,
    );
    return c.json(pathwayClones.length > 0 ? { ...manifest, 'PATHWAY-CLONES': pathwayClones } : manifest);
  });

  app.get('/v1/keys/:keyId', async (c) => {
    checkId(c.req.param('keyId'), 'key id');
    const { claims } = await verifySession(c.req.query('session'));
    return forwardAs(c, claims.id);
  });

  // — uploads: forwarded to the zones' upload role —
  app.post('/v1/uploads', (c) => forwardAs(c));
  app.post('/v1/uploads/:videoId/complete', (c) => {
    checkId(c.req.param('videoId'), 'video id');
    return forwardAs(c);
  });
  app.get('/v1/videos/:videoId', (c) => {
    checkId(c.req.param('videoId'), 'video id');
    return forwardAs(c);
  });

  return app;
}
