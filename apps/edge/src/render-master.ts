/**
 * @module Session masters with content steering: every variant, I-frame stream and rendition
 * group is written once per pathway (CDN or region) with PATHWAY-ID, each pathway with its own
 * group ids, and the master names the steering server (HLS bis §4.4.6.6, Content Steering 1.2).
 * With no pathways it is the shared single-pathway master, byte-identical to regional-origin's.
 */
import { serializePlaylist, type MasterPlaylist, type Rendition } from '@meridian/manifest-core';
import { masterModelOf, renderSessionMaster, rewriteSessionKey, type SessionUrls, type SourcePlaylistText } from './shared/session-playlist.ts';

/** One pathway of a steered master. */
export interface MasterPathway {
  /** PATHWAY-ID (`[A-Za-z0-9._-]`). */
  id: string;
  /** URL of this session's media playlist for a rendition id, served through this pathway. */
  mediaPlaylistUrl(renditionId: string): string;
}

/** Options of {@link renderSteeredMaster}. */
export interface SteeredMasterOptions {
  /** The session's URLs (key and steering URLs are shared by every pathway). */
  urls: SessionUrls;
  /** Pathways in default priority order; the first is the initial PATHWAY-ID. Empty: no steering. */
  pathways: MasterPathway[];
}

/** Renders a session master with one copy of each variant, I-frame stream and rendition group per pathway. */
export function renderSteeredMaster(source: SourcePlaylistText, options: SteeredMasterOptions): string {
  const { urls, pathways } = options;
  const first = pathways[0];
  if (!first || !urls.steeringUrl) return renderSessionMaster(source, { ...urls, mediaPlaylistUrl: first?.mediaPlaylistUrl ?? urls.mediaPlaylistUrl });
  const m = masterModelOf(source);
  // Groups are renamed per pathway (hls.js clones them the same way) so that audio and subtitles follow the pathway too.
  const group = (id: string | undefined, p: MasterPathway): string | undefined => (id === undefined ? undefined : `${id}-${p.id}`);
  const renditions: Rendition[] = [];
  // Closed captions travel inside the video: their groups are shared, written once.
  for (const r of m.renditions) if (r.type === 'CLOSED-CAPTIONS') renditions.push(r);
  const out: MasterPlaylist = { ...m, renditions, variants: [], iFrameVariants: [], contentSteering: { serverUri: urls.steeringUrl, pathwayId: first.id } };
  for (const p of pathways) {
    let r = 0;
    for (const rendition of m.renditions) {
      if (rendition.type === 'CLOSED-CAPTIONS') continue;
      const copy: Rendition = { ...rendition, groupId: `${rendition.groupId}-${p.id}` };
      if (rendition.uri !== undefined) copy.uri = p.mediaPlaylistUrl(`r${r++}`);
      renditions.push(copy);
    }
    m.variants.forEach((v, i) => {
      const copy = { ...v, uri: p.mediaPlaylistUrl(`v${i}`), pathwayId: p.id };
      const audio = group(v.audio, p);
      const video = group(v.video, p);
      const subtitles = group(v.subtitles, p);
      if (audio !== undefined) copy.audio = audio;
      if (video !== undefined) copy.video = video;
      if (subtitles !== undefined) copy.subtitles = subtitles;
      out.variants.push(copy);
    });
    m.iFrameVariants.forEach((v, i) => {
      const copy = { ...v, uri: p.mediaPlaylistUrl(`i${i}`), pathwayId: p.id };
      const video = group(v.video, p);
      if (video !== undefined) copy.video = video;
      out.iFrameVariants.push(copy);
    });
  }
  if (m.sessionKeys) out.sessionKeys = m.sessionKeys.map((k) => rewriteSessionKey(k, urls));
  return serializePlaylist(out);
}
