/**
 * @module startStack: the whole Meridian system on loopback — two s3rver regions filled by the
 * transcode job, a CDN in front of them, two regional zones, the edge Worker in workerd, a VAST
 * server and the player page. `scripts/demo.ts` prints its URLs; the e2e tests drive its handles.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { Redis } from 'ioredis';
import {
  getFreePort,
  startLiveChannel,
  startRedis,
  startS3,
  startVastServer,
  type LiveChannel,
  type RedisHandle,
  type S3Handle,
  type VastServer,
} from '@meridian/testkit';
import { loadConfig, startServer, type RunningServer } from '@meridian/regional-origin';
import { createValkeyKeyStore } from '@meridian/transcode-gpu';
import { startCdn, type Cdn } from './cdn.ts';
import { DEFAULT_MEDIA, ensureClips, mediaCacheDir, publishAsset, type MediaParams, type Region } from './media.ts';
import { startPlayerServer, type PlayerServer } from './player-server.ts';

/** Repository root (scripts/demo/ → ../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundled edge Worker the stack runs in workerd. */
export const EDGE_BUNDLE = join(REPO_ROOT, 'apps', 'edge', 'dist', 'worker.js');
/** The keyring the edge and every zone share (demo only: never reuse these secrets). */
export const DEMO_SIGNING_KEYS = 'demo1:meridian-demo-signing-secret-0123456789';
/** The creative's MediaFile URL in VAST; zones match it to the transcoded ad asset by hash. */
export const AD_MEDIA_URL = 'https://ads.meridian.test/creatives/meridian-ad.mp4';
/** Asset id of the demo content. */
export const CONTENT_ASSET_ID = 'demo';
/** Asset id of the AES-128 copy of the content (only with Valkey: keys live there). */
export const ENCRYPTED_ASSET_ID = 'demo-aes';

/** Options of {@link startStack}. */
export interface StackOptions {
  /** Media parameters; default {@link DEFAULT_MEDIA}. */
  media?: Partial<MediaParams>;
  /** Where clips and transcoded assets are cached; default `<repo>/.tmp/demo`. */
  cacheRoot?: string;
  /** `true`: start a redis-server; a URL: use that Valkey; default `VALKEY_URL` from the environment, else in-memory stores. */
  valkey?: boolean | string;
  /** Also publish an AES-128 copy of the content (needs Valkey for the keys); default false. */
  encrypted?: boolean;
  /** VOD ad break offsets in seconds; default pre-roll and two mid-rolls at a third and two thirds. */
  breakOffsetsSeconds?: number[];
  /**
   * Start a simulated live channel (`live/demo`) looping the transcoded content, with SCTE-35
   * cue-out breaks, and add it as the last origin of the zones and the edge; default false.
   */
  live?:
    | boolean
    | {
        speed?: number;
        breaks?: { offsetSeconds: number; durationSeconds: number }[];
        /** PROGRAM-DATE-TIME of the channel's first segment (segment k starts k segment lengths later); default: one window before it starts. */
        programDateTimeStartMs?: number;
      };
  /**
   * Passed to every zone and the edge as `BLACKOUT_RULES` (a viewer a rule applies to gets the
   * slate — the demo's ad clip — over the window: VOD by media time, live by wall clock or SCTE-35)
   * and shown on the player page; default none.
   */
  blackoutRules?: string;
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
}

/** One running regional zone. */
export interface StackZone {
  id: string;
  /** `http://127.0.0.1:<port>` (also its PUBLIC_BASE_URL). */
  url: string;
  /** False once {@link Stack.killZone} stopped it. */
  alive: boolean;
}

/** The running system and handles to break parts of it. */
export interface Stack {
  /** Player page. */
  player: string;
  /** Edge master URL of the content (opens a session). */
  master: string;
  /** The same master straight from the first zone. */
  regionalMaster: string;
  /** Edge master of the AES-128 copy, when {@link StackOptions.encrypted}. */
  encryptedMaster?: string;
  /** Edge master of the live channel and the channel itself, when {@link StackOptions.live}. */
  liveMaster?: string;
  liveChannel?: LiveChannel;
  /** Edge base URL (workerd). */
  edge: string;
  zones: StackZone[];
  /** Regions (s3rver endpoints), primary first. */
  regions: { id: string; endpoint: string; alive: boolean }[];
  /** Loopback CDN segments are served from. */
  cdn: string;
  /** Segments and other CDN responses served so far, per region id. */
  cdnServedBy(): Record<string, number>;
  vast: string;
  /** Valkey URL, when sessions are in Valkey. */
  valkeyUrl?: string;
  /** Content and ad durations, seconds (from the media parameters). */
  contentSeconds: number;
  adSeconds: number;
  breakOffsetsSeconds: number[];
  /** PIDs of child processes the stack started (redis-server), for leak checks. */
  childPids(): number[];
  /** Stops a zone's server (in-flight requests are dropped). */
  killZone(id: string): Promise<void>;
  /** Stops a region's s3rver (its objects stay on disk). */
  killOrigin(regionId: string): Promise<void>;
  /** Starts a stopped region again. */
  restartOrigin(regionId: string): Promise<void>;
  /** SIGKILLs the Valkey the stack started. */
  stopValkey(): Promise<void>;
  /** Stops everything, in reverse start order. */
  stop(): Promise<void>;
}

/** Asset id zones give a creative (regional-origin `adAssetIdFor`: `ad-` + 24 hex of sha256 of the MediaFile URL). */
export function adAssetIdFor(mediaFileUrl: string): string {
  return `ad-${createHash('sha256').update(mediaFileUrl).digest('hex').slice(0, 24)}`;
}

const quietLogger = (log: (line: string) => void, zone: string) => ({
  info: () => undefined,
  warn: (message: string) => log(`${zone}: ${message}`),
  error: (message: string) => log(`${zone}: ${message}`),
});

function ensureEdgeBundle(log: (line: string) => void): void {
  // Built once (a fresh checkout after `npm ci` has no dist/); later edits need `npm run build -w @meridian/edge`.
  if (existsSync(EDGE_BUNDLE)) return;
  log('edge: bundling apps/edge (npm run build -w @meridian/edge)');
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'apps', 'edge', 'scripts', 'bundle.mjs')], {
    cwd: join(REPO_ROOT, 'apps', 'edge'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0 || !existsSync(EDGE_BUNDLE))
    throw new Error('cannot bundle the edge Worker (npm run build -w @meridian/edge)');
}

/** Starts the whole system; on failure everything already started is stopped before rethrowing. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[demo] ${line}\n`));
  const params: MediaParams = { ...DEFAULT_MEDIA, ...options.media };
  const cacheRoot = options.cacheRoot ?? join(REPO_ROOT, '.tmp', 'demo');
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((e: unknown) => log(`stop: ${(e as Error).message}`));
  };
  try {
    ensureEdgeBundle(log);
    const cacheDir = mediaCacheDir(cacheRoot, params);
    const clips = await ensureClips(cacheDir, params, log);

    // Valkey: explicit option, else VALKEY_URL, else in-memory stores in each zone.
    let redis: RedisHandle | undefined;
    let valkeyUrl: string | undefined =
      typeof options.valkey === 'string'
        ? options.valkey
        : options.valkey === undefined
          ? process.env.VALKEY_URL || undefined
          : undefined;
    if (options.valkey === true) {
      redis = await startRedis();
      cleanups.push(() => redis!.stop());
      valkeyUrl = redis.url;
      log(`valkey: redis-server pid ${redis.pid} at ${redis.url}`);
    }
    if (options.encrypted && !valkeyUrl)
      throw new Error('encrypted: true needs Valkey (the zones read AES-128 keys from it)');

    // Two simulated regions.
    const s3: S3Handle[] = [];
    const regions: Region[] = [];
    for (const id of ['region-1', 'region-2']) {
      const handle = await startS3({ buckets: ['media'] });
      cleanups.push(() => handle.destroy());
      s3.push(handle);
      regions.push({ id, endpoint: handle.endpoint, bucket: 'media' });
      log(`${id}: s3rver at ${handle.endpoint}`);
    }
    const regionState = regions.map((r) => ({ id: r.id, endpoint: r.endpoint, alive: true }));

    // Media: content and ad (ad asset id = what zones derive from the VAST MediaFile URL).
    await publishAsset({ input: clips.content, assetId: CONTENT_ASSET_ID, regions, params, cacheDir, log });
    await publishAsset({ input: clips.ad, assetId: adAssetIdFor(AD_MEDIA_URL), regions, params, cacheDir, log });
    if (options.encrypted && valkeyUrl) {
      const client = new Redis(valkeyUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      try {
        await publishAsset({
          input: clips.content,
          assetId: ENCRYPTED_ASSET_ID,
          regions,
          params,
          keyStore: createValkeyKeyStore(client),
          log,
        });
      } finally {
        client.disconnect();
      }
    }

    // The live channel loops the cached copy of the content. Its playlists carry absolute segment
    // URLs (`<channel>/vod/demo/…`), which the zones keep as they are (not rewritten to the CDN).
    let liveChannel: LiveChannel | undefined;
    if (options.live) {
      const liveOptions = typeof options.live === 'object' ? options.live : {};
      const seg = params.segmentSeconds;
      const channel = await startLiveChannel({
        dir: join(cacheDir, 'assets'),
        masterName: `${CONTENT_ASSET_ID}/master.m3u8`,
        windowSegments: 5,
        speed: liveOptions.speed ?? 1,
        ...(liveOptions.programDateTimeStartMs !== undefined
          ? { programDateTimeStartMs: liveOptions.programDateTimeStartMs }
          : {}),
        breaks: liveOptions.breaks ?? [
          { offsetSeconds: seg, durationSeconds: seg },
          { offsetSeconds: Math.round(params.contentSeconds / 2 / seg) * seg, durationSeconds: seg },
        ],
      });
      liveChannel = channel;
      cleanups.push(() => channel.stop());
      log(
        `live: channel ${CONTENT_ASSET_ID} at ${channel.url} (${channel.breaks.length} SCTE-35 breaks per ${channel.loopSeconds}s loop)`,
      );
    }

    const cdn: Cdn = await startCdn(regions.map((r) => ({ id: r.id, url: `${r.endpoint}/${r.bucket}/` })));
    cleanups.push(() => cdn.close());
    log(`cdn: ${cdn.url}`);

    const vast: VastServer = await startVastServer({
      ads: [
        { id: 'meridian-ad', mediaUrl: AD_MEDIA_URL, durationSeconds: params.adSeconds, title: 'Meridian demo ad' },
      ],
    });
    cleanups.push(() => vast.close());
    log(`vast: ${vast.vastUrl}`);

    const breakOffsetsSeconds = options.breakOffsetsSeconds ?? [
      0,
      Math.round(params.contentSeconds / 3),
      Math.round((2 * params.contentSeconds) / 3),
    ];
    // Resilient origin groups fail over on 404, so live paths fall through the regions to the channel.
    const originUrls = [
      ...regions.map((r) => `${r.endpoint}/${r.bucket}`),
      ...(liveChannel ? [liveChannel.baseUrl] : []),
    ].join(',');
    const edgePort = await getFreePort();
    const edgeUrl = `http://127.0.0.1:${edgePort}`;

    // Two regional zones.
    const zones: StackZone[] = [];
    const servers = new Map<string, RunningServer>();
    for (const id of ['eu-west', 'us-east']) {
      const port = await getFreePort();
      const config = loadConfig({
        HOST: '127.0.0.1',
        PORT: String(port),
        ZONE: id,
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        // What the edge forwards keeps its URLs on the edge (keys, asset lists), not on this zone.
        FORWARDED_BASE_URLS: edgeUrl,
        SIGNING_KEYS: DEMO_SIGNING_KEYS,
        ORIGIN_URLS: originUrls,
        ORIGIN_TIMEOUT_MS: '1500',
        CDN_BASE_URL: cdn.url,
        ADS_URL_TEMPLATE: `${vast.vastUrl}?session=[session.id]&dur=[avail.duration]`,
        ADS_FALLBACK: 'content',
        // The demo's slate (blackouts) is its transcoded ad clip, read from the CDN like any asset.
        SLATE_URL: `${cdn.url}/vod/${adAssetIdFor(AD_MEDIA_URL)}/master.m3u8`,
        VOD_BREAK_OFFSETS_SECONDS: breakOffsetsSeconds.join(','),
        AD_BREAK_DURATION_SECONDS: String(params.adSeconds),
        LOG_REQUESTS: 'false',
        SHUTDOWN_GRACE_MS: '0',
        ...(valkeyUrl ? { VALKEY_URL: valkeyUrl } : {}),
        ...(options.blackoutRules ? { BLACKOUT_RULES: options.blackoutRules } : {}),
      });
      const server = await startServer(config, quietLogger(log, id));
      servers.set(id, server);
      const zone: StackZone = { id, url: server.url, alive: true };
      cleanups.push(async () => {
        if (zone.alive) await server.shutdown();
        zone.alive = false;
      });
      zones.push(zone);
      log(`${id}: zone at ${server.url}${valkeyUrl ? ' (Valkey sessions)' : ' (in-memory sessions)'}`);
    }

    // The edge in workerd.
    const mf = new Miniflare({
      modules: true,
      scriptPath: EDGE_BUNDLE,
      // Module names are relative to modulesRoot (default: the cwd); turbo runs tests from e2e/,
      // and workerd refuses a module path that climbs out with "..".
      modulesRoot: dirname(EDGE_BUNDLE),
      compatibilityDate: '2025-09-01',
      host: '127.0.0.1',
      port: edgePort,
      cf: { country: 'US', continent: 'NA', colo: 'LOC' },
      bindings: {
        SIGNING_KEYS: DEMO_SIGNING_KEYS,
        ORIGIN_URLS: originUrls,
        ORIGIN_TIMEOUT_MS: '1500',
        PUBLIC_BASE_URL: edgeUrl,
        CDN_BASE_URL: cdn.url,
        ZONES: JSON.stringify(zones.map((z) => ({ id: z.id, url: z.url, geo: ['*'] }))),
        ZONE_TIMEOUT_MS: '3000',
        PROBE_INTERVAL_MS: '2000',
        // The zones insert the VOD ads (ADS calls stay there): the edge forwards VOD media playlists to them.
        VOD_ADS: 'true',
        // The zones' rules: a blacked-out viewer's VOD media playlists go to a zone even without VOD ads.
        ...(options.blackoutRules ? { BLACKOUT_RULES: options.blackoutRules } : {}),
      },
    });
    cleanups.push(() => mf.dispose());
    await mf.ready;
    log(`edge: workerd at ${edgeUrl}`);

    const master = `${edgeUrl}/v1/vod/${CONTENT_ASSET_ID}/master.m3u8`;
    const regionalMaster = `${zones[0]!.url}/v1/vod/${CONTENT_ASSET_ID}/master.m3u8`;
    const playerServer: PlayerServer = await startPlayerServer({
      edge: edgeUrl,
      zones: zones.map((z) => ({ id: z.id, url: z.url })),
      assetId: CONTENT_ASSET_ID,
      ...(liveChannel ? { channelId: CONTENT_ASSET_ID } : {}),
      contentSeconds: params.contentSeconds,
      ...(options.blackoutRules ? { blackoutRules: options.blackoutRules } : {}),
    });
    cleanups.push(() => playerServer.close());
    log(`player: ${playerServer.url}`);

    const find = <T extends { id: string }>(list: T[], id: string): T => {
      const item = list.find((x) => x.id === id);
      if (!item) throw new Error(`unknown id ${id}`);
      return item;
    };
    return {
      player: playerServer.url,
      master,
      regionalMaster,
      ...(liveChannel ? { liveMaster: `${edgeUrl}/v1/live/${CONTENT_ASSET_ID}/master.m3u8`, liveChannel } : {}),
      ...(options.encrypted ? { encryptedMaster: `${edgeUrl}/v1/vod/${ENCRYPTED_ASSET_ID}/master.m3u8` } : {}),
      edge: edgeUrl,
      zones,
      regions: regionState,
      cdn: cdn.url,
      cdnServedBy: () => ({ ...cdn.servedBy }),
      vast: vast.vastUrl,
      ...(valkeyUrl ? { valkeyUrl } : {}),
      contentSeconds: params.contentSeconds,
      adSeconds: params.adSeconds,
      breakOffsetsSeconds,
      childPids: () => (redis ? [redis.pid] : []),
      killZone: async (id) => {
        const zone = find(zones, id);
        if (!zone.alive) return;
        zone.alive = false;
        await servers.get(id)!.shutdown();
      },
      killOrigin: async (id) => {
        const index = regionState.findIndex((r) => r.id === id);
        if (index < 0) throw new Error(`unknown region ${id}`);
        regionState[index]!.alive = false;
        await s3[index]!.stop();
      },
      restartOrigin: async (id) => {
        const index = regionState.findIndex((r) => r.id === id);
        if (index < 0) throw new Error(`unknown region ${id}`);
        await s3[index]!.start();
        regionState[index]!.alive = true;
      },
      stopValkey: async () => {
        if (!redis) throw new Error('this stack did not start Valkey');
        await redis.kill();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
