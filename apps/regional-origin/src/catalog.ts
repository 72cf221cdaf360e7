/**
 * @module Content catalog: asset metadata (asset.json) and source playlists read through the
 * OriginFetcher, with an lru-cache L1 (short TTLs, concurrent misses coalesced) and a Valkey
 * L2 for metadata (600 s), invalidated when a transcode job reports `ready`.
 */
import { LRUCache } from 'lru-cache';
import {
  checkAssetJson,
  describeSourcePlaylist,
  parseAssetManifest,
  type AssetManifest,
  type SessionSourcePlaylist,
} from '@meridian/manifest-core';
import { AppError, isAppError } from './errors.ts';
import type { Logger } from './log.ts';
import { createThrottledWarn, describeError } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { OriginFetcher } from './origin.ts';
import type { ValkeyClient } from './valkey.ts';

/** A source playlist as read from the origin (manifest-core's session source, shared with the edge). */
export type SourcePlaylist = SessionSourcePlaylist;

/** Reads assets and playlists for the routes. */
export interface ContentCatalog {
  /** asset.json of a VOD asset; 404 when no origin has it, 502 when it is invalid. */
  getAsset(assetId: string): Promise<AssetManifest>;
  /** Origin path of the folder holding asset.json (no trailing slash). */
  assetFolder(assetId: string): string;
  /** Origin path of a live channel's master. */
  liveMasterPath(channelId: string): string;
  /** A source playlist by origin path, live or VOD. */
  getPlaylist(path: string, options?: { live?: boolean }): Promise<SourcePlaylist>;
  /** Drops an asset's metadata from L1 and L2 (a transcode job reported it ready or failed). */
  invalidateAsset(assetId: string): Promise<void>;
}

/** Options for {@link createContentCatalog}. */
export interface ContentCatalogOptions {
  origin: OriginFetcher;
  valkey: ValkeyClient | undefined;
  keyPrefix: string;
  vodAssetPath: string;
  liveMasterPath: string;
  metadataL1TtlMs: number;
  metadataL2TtlSeconds: number;
  vodPlaylistL1TtlMs: number;
  metrics: Metrics;
  log: Logger;
}

/** Live masters change rarely but must not be held long; this caps their L1 life. */
const LIVE_MASTER_TTL_MS = 2_000;

async function readOrigin(
  origin: OriginFetcher,
  path: string,
  what: string,
  signal?: AbortSignal,
): Promise<{ text: string; originId: string }> {
  const response = await origin.fetch(path, signal ? { signal } : undefined);
  if (response.status === 404 || response.status === 403) {
    throw new AppError('NOT_FOUND', `${what} not found`);
  }
  if (response.status !== 200)
    throw new AppError('BAD_ORIGIN_RESPONSE', `origin answered ${response.status} for ${what}`);
  return { text: await response.text(), originId: response.headers.get('x-meridian-origin') ?? 'origin' };
}

/** Creates the catalog. */
export function createContentCatalog(options: ContentCatalogOptions): ContentCatalog {
  const { origin, valkey, metrics, log } = options;
  const l2Key = (assetId: string): string => `${options.keyPrefix}asset:${assetId}`;
  const warn = createThrottledWarn(log);
  const assetPath = (assetId: string): string => options.vodAssetPath.replace('{assetId}', assetId);

  const assets = new LRUCache<string, AssetManifest>({
    max: 10_000,
    ttl: Math.max(1, options.metadataL1TtlMs),
    fetchMethod: async (assetId, _stale, { signal }) => {
      if (valkey) {
        try {
          const cached = await valkey.get(l2Key(assetId));
          metrics.cacheLookups.inc({ cache: 'l2_metadata', result: cached ? 'hit' : 'miss' });
          if (cached) return parseAssetManifest(JSON.parse(cached));
        } catch (error) {
          metrics.valkeyErrors.inc({ op: 'asset_l2_get' });
          warn('asset L2 read failed', { assetId, ...describeError(error) });
        }
      }
      const { text } = await readOrigin(origin, assetPath(assetId), `asset ${assetId}`, signal);
      const checked = checkAssetJson(assetId, text);
      if (!checked.ok) throw new AppError(checked.problem, checked.message);
      const manifest = checked.value;
      if (valkey) {
        valkey
          .set(l2Key(assetId), JSON.stringify(manifest), 'EX', options.metadataL2TtlSeconds)
          .catch((error: unknown) => {
            metrics.valkeyErrors.inc({ op: 'asset_l2_set' });
            warn('asset L2 write failed', { assetId, ...describeError(error) });
          });
      }
      return manifest;
    },
  });

  const playlists = new LRUCache<string, SourcePlaylist, { live: boolean }>({
    max: 5_000,
    ttl: Math.max(1, options.vodPlaylistL1TtlMs),
    fetchMethod: async (path, _stale, { signal, options: entry, context }) => {
      const { text, originId } = await readOrigin(origin, path, `playlist ${path}`, signal);
      const playlist = describeSourcePlaylist(path, text, originId, context.live);
      if (!playlist) throw new AppError('BAD_ORIGIN_RESPONSE', `origin playlist ${path} is not an HLS playlist`);
      const { live, targetDurationSeconds } = playlist;
      // Live media playlists are cached for about half a target duration, so reloads see new segments in time.
      if (live)
        entry.ttl =
          targetDurationSeconds !== undefined ? Math.max(250, (targetDurationSeconds * 1000) / 2) : LIVE_MASTER_TTL_MS;
      return playlist;
    },
  });

  const fetchCached = async <V extends object, C>(
    cache: LRUCache<string, V, C>,
    name: string,
    key: string,
    context: C,
  ): Promise<V> => {
    // Fast path: a fresh entry needs none of fetch()'s bookkeeping (the hot path of every playlist request).
    const fresh = cache.get(key);
    if (fresh !== undefined) {
      metrics.cacheLookups.inc({ cache: name, result: 'hit' });
      return fresh;
    }
    const status: LRUCache.Status<string, V, C> = {};
    try {
      const value = await (
        cache.fetch as (k: string, o: { status: typeof status; context: C }) => Promise<V | undefined>
      ).call(cache, key, { status, context });
      if (value === undefined) throw new AppError('ORIGIN_UNAVAILABLE');
      return value;
    } catch (error) {
      if (isAppError(error)) throw error;
      throw new AppError('ORIGIN_UNAVAILABLE', `could not read ${key}`, { cause: error });
    } finally {
      metrics.cacheLookups.inc({
        cache: name,
        result: status.fetch === 'hit' || status.fetch === 'inflight' ? 'hit' : 'miss',
      });
    }
  };

  return {
    getAsset: (assetId) => fetchCached(assets, 'l1_metadata', assetId, undefined as unknown),
    assetFolder: (assetId) => assetPath(assetId).replace(/\/[^/]*$/, ''),
    liveMasterPath: (channelId) => options.liveMasterPath.replace('{channelId}', channelId),
    getPlaylist: (path, opts) => fetchCached(playlists, 'l1_playlist', path, { live: opts?.live ?? false }),
    async invalidateAsset(assetId) {
      assets.delete(assetId);
      const folder = assetPath(assetId).replace(/\/[^/]*$/, '');
      for (const key of playlists.keys()) if (key.startsWith(`${folder}/`)) playlists.delete(key);
      if (valkey) {
        try {
          await valkey.del(l2Key(assetId));
        } catch (error) {
          metrics.valkeyErrors.inc({ op: 'asset_l2_del' });
          warn('asset L2 invalidation failed', { assetId, ...describeError(error) });
        }
      }
    },
  };
}
