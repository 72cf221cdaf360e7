/**
 * @module A session's live media playlist with blackouts (and stitched ads): the personalised
 * origin window advanced into the session's small live state (src/ssai's advanceLiveSession) and
 * rendered with breaks and blackouts replaced (renderLiveWindow), in one call both apps share.
 */
import { serializePlaylist } from '../playlist/serialize.ts';
import { advanceLiveSession, renderLiveWindow } from '../ssai/live.ts';
import type {
  AdvanceLiveSessionOptions,
  LiveSessionState,
  LiveTimingOptions,
  RenderLiveWindowOptions,
} from '../ssai/live.ts';
import type { AdPod, FillerAsset, RenditionTarget } from '../ssai/types.ts';
import type { SessionBlackout } from './blackout.ts';
import { mediaModelOf, personalizeMediaPlaylist, type SessionUrls, type SourcePlaylistText } from './playlist.ts';

/** Inputs of {@link renderSessionLiveMedia}. */
export interface SessionLiveOptions extends LiveTimingOptions {
  /** The session's stored live state (createLiveSession() for a new session; parseLiveSessionState for a stored one). */
  state: LiveSessionState;
  /** The content rendition being rendered; ad, slate and alternate renditions are matched to it. */
  rendition: RenditionTarget;
  /** The viewer's blackouts: wall-clock windows (through PROGRAM-DATE-TIME) and SCTE-35 program start … end. Default none. */
  blackout?: SessionBlackout;
  /**
   * Pods by break id: for the breaks pendingBreaks(state, window) returned (to decide them) and for
   * every decided break still in the window (to render its ads). Default none (slate or content).
   */
  pods?: Readonly<Record<string, AdPod | undefined>>;
  /** Slate looped over ad underfill and empty breaks. Default none. */
  slate?: FillerAsset;
  /** MediaTailor's PersonalizationThresholdSeconds. Default: none. */
  personalizationThresholdSeconds?: number;
  /** EXT-X-TARGETDURATION floor in seconds (the ads' and slate's longest segment). Default: the origin's. */
  targetDurationSeconds?: number;
}

/** What {@link renderSessionLiveMedia} gives back: the playlist and the state to store for the next reload. */
export interface SessionLiveMedia {
  text: string;
  /** The advanced state (store it; the input state is not modified). */
  state: LiveSessionState;
}

/**
 * The session's live media playlist for one rendition: the source window personalised like
 * renderSessionMedia, the session state advanced with it (blackouts that now apply to this viewer
 * start, open ones end, new ad breaks are decided — blackout wins), and the window rendered with
 * slate, alternate content and ads in place. EXT-X-MEDIA-SEQUENCE and EXT-X-DISCONTINUITY-SEQUENCE
 * are a pure function of (window, state), identical for every rendition and never decreasing, so any
 * zone serves the next reload from the stored state. The origin window must carry
 * PROGRAM-DATE-TIME. Output is regular-latency HLS (LL-HLS parts, hints, reports and
 * SERVER-CONTROL are left out, as in every stitched live window). Throws ManifestError
 * INVALID_OPTIONS for bad rules or missing fillers.
 *
 * @example
 * const { text, state } = renderSessionLiveMedia(source, urls, { state: stored, rendition, blackout: { rules, viewer, fillers } });
 * await store.set(sessionId, JSON.stringify(state));
 */
export function renderSessionLiveMedia(
  source: SourcePlaylistText,
  urls: SessionUrls,
  options: SessionLiveOptions,
): SessionLiveMedia {
  const window = personalizeMediaPlaylist(mediaModelOf(source), source.path, urls);
  const advance: AdvanceLiveSessionOptions = {};
  if (options.blackout !== undefined)
    advance.blackout = {
      rules: options.blackout.rules,
      viewer: options.blackout.viewer,
      fillers: options.blackout.fillers,
    };
  if (options.pods !== undefined) advance.pods = options.pods;
  if (options.slate !== undefined) advance.slate = options.slate;
  if (options.personalizationThresholdSeconds !== undefined)
    advance.personalizationThresholdSeconds = options.personalizationThresholdSeconds;
  if (options.targetDurationSeconds !== undefined) advance.targetDurationSeconds = options.targetDurationSeconds;
  if (options.maxBreakSeconds !== undefined) advance.maxBreakSeconds = options.maxBreakSeconds;
  if (options.maxBlackoutSeconds !== undefined) advance.maxBlackoutSeconds = options.maxBlackoutSeconds;
  const state = advanceLiveSession(options.state, window, advance);
  const byId = new Map<string, FillerAsset>();
  if (options.slate !== undefined) byId.set(options.slate.id, options.slate);
  for (const f of options.blackout?.fillers ?? []) byId.set(f.id, f);
  const render: RenderLiveWindowOptions = { rendition: options.rendition, fillers: [...byId.values()] };
  if (options.pods !== undefined) render.pods = options.pods;
  if (options.maxBreakSeconds !== undefined) render.maxBreakSeconds = options.maxBreakSeconds;
  if (options.maxBlackoutSeconds !== undefined) render.maxBlackoutSeconds = options.maxBlackoutSeconds;
  return { text: serializePlaylist(renderLiveWindow(state, window, render)), state };
}
