/**
 * @module PlaylistRenderer: the seam where manifest-core's renderer and SSAI stitcher plug in.
 * The server hands it the source playlist and the session; it returns the personalised text.
 */
import type { SourcePlaylist } from '../catalog.ts';
import type { BreakDecision, SessionClaims } from '../sessions/types.ts';

/** Everything a renderer needs about the viewer's session and where URLs must point. */
export interface RenderContext {
  /** The signed session id (goes into every URL the player will request). */
  sessionToken: string;
  claims: SessionClaims;
  /** URL of this session's media playlist for a rendition id. */
  mediaPlaylistUrl(renditionId: string): string;
  /** URL of this session's key endpoint for a key id. */
  keyUrl(keyId: string): string;
  /** URL of the session's content-steering manifest, when steering is configured. */
  steeringUrl: string | undefined;
  /** Absolute URL for an origin path, rebased to the CDN when one is configured. */
  segmentUrl(originPath: string): string;
  /** Break decisions known for this session (SSAI input; unused by the interim renderer). */
  breaks: Record<string, BreakDecision>;
}

/** Renders personalised playlists from source playlists. */
export interface PlaylistRenderer {
  /** Rendition ids of a source master, each mapped to the URI (relative to the master) it stands for. */
  listRenditions(master: SourcePlaylist): Map<string, string>;
  /** The session's master: variants point at the session's media playlist URLs. */
  renderMaster(master: SourcePlaylist, context: RenderContext): string;
  /** The session's media playlist for one rendition (text or its UTF-8 bytes). */
  renderMedia(media: SourcePlaylist, context: RenderContext): string | Uint8Array;
}
