/**
 * @module The PlaylistRenderer over manifest-core's session module — the same functions the edge
 * Worker runs, so a zone and the edge answer the same bytes for the same session: masters with one
 * PATHWAY-ID per steering pathway, media playlists through per-source templates joined with the
 * session id as bytes; media playlists with ads go through renderSessionMedia with the session's
 * SessionAds (stitched or HLS Interstitials), the same function the edge would run.
 */
import {
  createSessionMediaRenderer,
  listSessionRenditions,
  renderSessionMaster,
  renderSessionMedia,
} from '@meridian/manifest-core';
import type { PlaylistRenderer } from './playlist-renderer.ts';
import { createBufferPool } from './buffer-pool.ts';

/** Creates the renderer (its media templates live as long as the source playlist objects). */
export function createManifestCoreRenderer(): PlaylistRenderer {
  // Template output goes into pooled buffers: a fresh ~100 KB array per request halves throughput (bench/run.ts).
  const pool = createBufferPool();
  const media = createSessionMediaRenderer({ allocate: (size) => pool.allocate(size) });
  return {
    listRenditions: (source) => listSessionRenditions(source),
    renderMaster: (source, context) =>
      renderSessionMaster(source, context.urlsFor(context.sessionToken), context.pathways),
    renderMedia: (source, context) =>
      context.ads === undefined && context.blackout === undefined
        ? media.bytes(source, context.sessionToken, context.urlsFor, context.templateKey)
        : renderSessionMedia(source, context.urlsFor(context.sessionToken), context.ads, context.blackout),
    release: (bytes) => pool.release(bytes),
  };
}
