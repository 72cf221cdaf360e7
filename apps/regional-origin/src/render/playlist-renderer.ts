/**
 * @module PlaylistRenderer: the seam where the session playlist renderer plugs in. The server hands
 * it the source playlist and the session; it returns the personalised text.
 */
import type { SessionAds, SessionBlackout, SessionPathway, SessionUrls } from '@meridian/manifest-core';
import type { SourcePlaylist } from '../catalog.ts';
import type { BreakDecision, SessionClaims } from '../sessions/types.ts';

/** Everything a renderer needs about the viewer's session and where URLs must point. */
export interface RenderContext {
  /** The signed session id (goes into every URL the player will request). */
  sessionToken: string;
  claims: SessionClaims;
  /** The session's URLs for a session id (media templates are rendered once with a placeholder id). */
  urlsFor(token: string): SessionUrls;
  /** Everything besides the session id that `urlsFor` depends on (the serving origin): one media template per key. */
  templateKey: string;
  /** Content-steering pathways of the master, first = initial PATHWAY-ID; empty: no pathways. */
  pathways: SessionPathway[];
  /** Break decisions known for this session (stored ADS answers). */
  breaks: Record<string, BreakDecision>;
  /** The ads of the media playlist being rendered (stitched or interstitials); undefined: none. */
  ads?: SessionAds | undefined;
  /** The viewer's blackouts (VOD): slate over blacked-out media time, composed with the ads; undefined: none. */
  blackout?: SessionBlackout | undefined;
}

/** Renders personalised playlists from source playlists. */
export interface PlaylistRenderer {
  /** Rendition ids of a source master, each mapped to the URI (relative to the master) it stands for. */
  listRenditions(master: SourcePlaylist): ReadonlyMap<string, string>;
  /** The session's master: variants point at the session's media playlist URLs, one copy per steering pathway. */
  renderMaster(master: SourcePlaylist, context: RenderContext): string;
  /** The session's media playlist for one rendition (text or its UTF-8 bytes). */
  renderMedia(media: SourcePlaylist, context: RenderContext): string | Uint8Array;
  /**
   * Takes back bytes renderMedia returned, once the response carrying them has been handed to the
   * kernel (the renderer may reuse them for another response). Optional: without it, or when it is
   * never called, the bytes are simply garbage-collected.
   */
  release?(bytes: Uint8Array): void;
}
