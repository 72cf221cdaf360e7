/**
 * @module Source reads at the edge: asset.json and source playlists fetched through
 * origin-failover's origin group (fetch transport), cached in an in-isolate LRU and in the
 * Cache API (the colo's shared cache): VOD sources for long, live media playlists for about
 * half a target duration, asset metadata briefly so that a re-transcode shows up.
 */
import { LRUCache } from 'lru-cache';
import { createOriginGroup, isOriginError, type OriginGroup } from '@meridian/origin-failover';
import {
  checkAssetJson,
  describeSourcePlaylist,
  type AssetManifest,
  type SessionSourcePlaylist,
} from '@meridian/manifest-core';
import { EdgeError, isEdgeError } from './errors.ts';

/** A source playlist as read from an origin (manifest-core's session source, shared with regional-origin). */
export type SourcePlaylist = SessionSourcePlaylist;

/** Reads assets and playlists for the routes. */
export interface SourceReader {
  /** Origin base URLs by id (segment URLs point at the origin that served the playlist). */
  readonly origins: ReadonlyArray<{ id: string; url: string }>;
  /** asset.json of a VOD asset: 404 when no origin has it, 502 when it is invalid. */
  getAsset(assetId: string): Promise<AssetManifest>;
  /** Origin path of the folder holding an asset's asset.json (no trailing slash). */
  assetFolder(assetId: string): string;
  /** A source playlist by origin path; `live` marks a live channel's master (media playlists tell by themselves). */
  getPlaylist(path: string, options?: { live?: boolean }): Promise<SourcePlaylist>;
  /** Origin path of a live channel's master. */
  liveMasterPath(channelId: string): string;
}

/** Options of {@link createSourceReader}. */
export interface SourceReaderOptions {
  /** Origin base URLs, primary first. */
  originUrls: string[];
  /** Time allowed per origin attempt (connect + headers, and each gap in the body), in ms. */
  originTimeoutMs: number;
  /** Largest origin body read, in bytes. */
  maxOriginBytes: number;
  /** Origin path of asset.json; `{assetId}` is replaced. */
  vodAssetPath: string;
  /** Origin path of a live channel's master; `{channelId}` is replaced. */
  liveMasterPath: string;
  /** How long VOD source playlists are cached, in seconds. */
  vodPlaylistTtlSeconds: number;
  /** How long asset.json is cached, in seconds. */
  assetTtlSeconds: number;
  /** Entries kept in the in-isolate LRU (playlists and assets each). */
  lruMaxEntries: number;
  /** The Cache API cache (`caches.default`); undefined skips the shared layer. */
  cache: Cache | undefined;
}

/** Cache API keys live on a host nobody serves, so they can never collide with a real URL. */
const CACHE_KEY_BASE = 'https://source-cache.meridian.invalid';

/** Live masters change rarely but must not be held long (regional-origin uses the same bound), in seconds. */
const LIVE_MASTER_TTL_SECONDS = 2;

/** How long a playlist may be reused, in seconds: VOD long, live media about half a target duration (at least 1 s), live masters briefly. */
export function sourceTtlSeconds(
  playlist: Pick<SourcePlaylist, 'live' | 'targetDurationSeconds'>,
  vodTtlSeconds: number,
): number {
  if (!playlist.live) return vodTtlSeconds;
  if (playlist.targetDurationSeconds === undefined) return LIVE_MASTER_TTL_SECONDS;
  return Math.max(1, Math.floor(playlist.targetDurationSeconds / 2));
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new EdgeError('BAD_ORIGIN_RESPONSE', `origin body larger than ${maxBytes} bytes`);
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new EdgeError('BAD_ORIGIN_RESPONSE', `origin body larger than ${maxBytes} bytes`);
      }
      text += decoder.decode(r.value, { stream: true });
    }
  } catch (error) {
    if (isEdgeError(error)) throw error;
    throw new EdgeError('ORIGIN_UNAVAILABLE', 'origin body failed', { cause: error });
  }
  return text + decoder.decode();
}

/** Creates the reader; one per isolate, so that the LRU and the origin group's failure memory persist across requests. */
export function createSourceReader(options: SourceReaderOptions): SourceReader {
  const ids = options.originUrls.map((_, i) => (i === 0 ? 'primary' : i === 1 ? 'secondary' : `origin-${i}`));
  const origins = options.originUrls.map((url, i) => ({ id: ids[i] ?? `origin-${i}`, url: url.replace(/\/+$/, '') }));
  const group: OriginGroup = createOriginGroup({
    origins,
    mode: 'resilient',
    connectionAttempts: 1,
    connectionTimeoutMs: options.originTimeoutMs,
    responseTimeoutMs: options.originTimeoutMs,
    deadlineMs: options.originTimeoutMs * (origins.length + 1),
    // Hedges would outlive the request that started them, which workerd does not allow.
    hedging: false,
  });
  const assetPath = (assetId: string): string => options.vodAssetPath.replace('{assetId}', assetId);

  const readOrigin = async (path: string, what: string): Promise<{ text: string; originId: string }> => {
    let response: Response;
    try {
      response = await group.fetch(path);
    } catch (error) {
      if (isOriginError(error))
        throw new EdgeError('ORIGIN_UNAVAILABLE', 'every origin failed or timed out', { cause: error });
      throw error;
    }
    if (response.status === 404 || response.status === 403) {
      await response.body?.cancel();
      throw new EdgeError('NOT_FOUND', `${what} not found`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new EdgeError('BAD_ORIGIN_RESPONSE', `origin answered ${response.status} for ${what}`);
    }
    return {
      text: await readBounded(response, options.maxOriginBytes),
      originId: response.headers.get('x-meridian-origin') ?? 'primary',
    };
  };

  /** The shared Cache API layer: entries carry their own max-age. */
  const shared = {
    async get(key: string): Promise<{ text: string; originId: string; live: boolean } | undefined> {
      if (!options.cache) return undefined;
      // The shared cache is an optimisation: when it fails, the origin answers.
      const hit = await options.cache.match(`${CACHE_KEY_BASE}${key}`).catch(() => undefined);
      if (!hit) return undefined;
      return {
        text: await hit.text(),
        originId: hit.headers.get('x-meridian-origin') ?? 'primary',
        live: hit.headers.get('x-meridian-live') === '1',
      };
    },
    /** Awaited on the miss path: a waitUntil would belong to whichever request created the reader. */
    async put(key: string, text: string, originId: string, live: boolean, ttlSeconds: number): Promise<void> {
      if (!options.cache) return;
      const response = new Response(text, {
        headers: {
          'cache-control': `public, max-age=${ttlSeconds}`,
          'x-meridian-origin': originId,
          'x-meridian-live': live ? '1' : '0',
        },
      });
      await options.cache.put(`${CACHE_KEY_BASE}${key}`, response).catch(() => undefined);
    },
  };

  const toPlaylist = (path: string, text: string, originId: string, liveMaster: boolean): SourcePlaylist => {
    const playlist = describeSourcePlaylist(path, text, originId, liveMaster);
    if (!playlist) throw new EdgeError('BAD_ORIGIN_RESPONSE', `origin playlist ${path} is not an HLS playlist`);
    return playlist;
  };

  const playlists = new LRUCache<string, SourcePlaylist, { live: boolean }>({
    max: options.lruMaxEntries,
    ttl: options.vodPlaylistTtlSeconds * 1000,
    fetchMethod: async (path, _stale, { options: entry, context }) => {
      const cached = await shared.get(path);
      const { text, originId } = cached ?? (await readOrigin(path, `playlist ${path}`));
      const playlist = toPlaylist(path, text, originId, context.live);
      const ttlSeconds = sourceTtlSeconds(playlist, options.vodPlaylistTtlSeconds);
      // Live media playlists are reused for about half a target duration, so reloads see new segments in time.
      entry.ttl = ttlSeconds * 1000;
      if (!cached) await shared.put(path, text, originId, playlist.live, ttlSeconds);
      return playlist;
    },
  });

  const assets = new LRUCache<string, AssetManifest>({
    max: options.lruMaxEntries,
    ttl: options.assetTtlSeconds * 1000,
    fetchMethod: async (assetId) => {
      const path = assetPath(assetId);
      const cached = await shared.get(path);
      const { text, originId } = cached ?? (await readOrigin(path, `asset ${assetId}`));
      const checked = checkAssetJson(assetId, text);
      if (!checked.ok) throw new EdgeError(checked.problem, checked.message);
      const manifest = checked.value;
      if (!cached) await shared.put(path, text, originId, false, options.assetTtlSeconds);
      return manifest;
    },
  });

  const fetchCached = async <V extends object, C>(
    cache: LRUCache<string, V, C>,
    key: string,
    context: C,
  ): Promise<V> => {
    try {
      const value = await (cache.fetch as (k: string, o: { context: C }) => Promise<V | undefined>).call(cache, key, {
        context,
      });
      if (value === undefined) throw new EdgeError('ORIGIN_UNAVAILABLE');
      return value;
    } catch (error) {
      if (isEdgeError(error)) throw error;
      throw new EdgeError('ORIGIN_UNAVAILABLE', `could not read ${key}`, { cause: error });
    }
  };

  return {
    origins,
    getAsset: (assetId) => fetchCached(assets, assetId, undefined as unknown),
    assetFolder: (assetId) => assetPath(assetId).replace(/\/[^/]*$/, ''),
    getPlaylist: (path, opts) => fetchCached(playlists, path, { live: opts?.live ?? false }),
    liveMasterPath: (channelId) => options.liveMasterPath.replace('{channelId}', channelId),
  };
}
