/** @module Public names of the session module: what the edge and every zone share to open, check and render a session. */

// — claims —
// The claims and the signed session id (signSessionToken, verifySessionToken, newSessionClaims) live in the signing module.
/** The kind and ad mode a session's claims carry. */
export type { SessionKind, SessionMode } from './request.ts';

// — keys —
/** SIGNING_KEYS / SIGNING_ACTIVE_KID parsed the same way by the edge and every zone. */
export { parseSigningKeys } from './keys.ts';
export type { ParsedSigningKeys } from './keys.ts';
/** Typed, problem-collecting reads of string settings (env, bindings, flags) for both apps. */
export { createSettingsReader } from './settings.ts';
export type { SettingsReader } from './settings.ts';

// — request checks —
/** Checks of ids, `ads.*` parameters, the ad mode, session ids and POST /v1/sessions bodies, as results carrying the app's error code. */
export {
  checkId,
  isSafeId,
  checkSessionTokenShape,
  checkAdParamsQuery,
  checkAdParamsBody,
  checkSessionMode,
  checkSessionStart,
  checkAssetJson,
  checkReadyAsset,
  normalizeCountryCode,
  sessionPlaylistCacheControl,
  AD_PARAM_LIMITS,
} from './request.ts';
export type { RequestCheck, SessionRequestProblem, SessionStartRequest } from './request.ts';

// — playlists —
/** A session's master (with steering pathways) and media playlists from the source playlists. */
export {
  renderSessionMaster,
  renderSessionMedia,
  personalizeMediaPlaylist,
  listSessionRenditions,
  masterModelOf,
  mediaModelOf,
  resolveOriginPath,
  keyIdFromUri,
  rewriteSessionKey,
  describeSourcePlaylist,
  sessionMediaPath,
} from './playlist.ts';
export type { SourcePlaylistText, SessionSourcePlaylist, SessionUrls, SessionPathway } from './playlist.ts';
/** A session's ads in its media playlists: stitched decisions or HLS Interstitials, by the session's mode. */
export { applySessionAds } from './ads.ts';
export type { SessionAds, SessionStitchedAds, SessionInterstitialAds } from './ads.ts';
/** A viewer's blackouts in a session's VOD media playlist (slate or alternate over blacked-out media time), composed with its ads. */
export { applySessionBlackout } from './blackout.ts';
export type { SessionBlackout } from './blackout.ts';
/** A session's live media playlist with blackouts and stitched ads, advancing its small live state. */
export { renderSessionLiveMedia } from './live.ts';
export type { SessionLiveOptions, SessionLiveMedia } from './live.ts';
/** Per-source templates: the same bytes as renderSessionMedia at a join's cost. */
export { createSessionMediaRenderer } from './templates.ts';
export type { SessionMediaRenderer, SessionMediaRendererOptions } from './templates.ts';

// — URLs —
/** The session URL layout of SPEC §5 (media playlists, keys, steering, POST /v1/sessions answer, pathways). */
export { sessionUrlsFor, sessionPlaylistUrl, sessionStartResponse, sessionPathways } from './urls.ts';
export type { SessionUrlsOptions, SessionStartResponse } from './urls.ts';

// — content steering —
/** Steering manifests: PATHWAY-PRIORITY from zone health, viewer preference and the player's report. */
export { steeringPathwayPriority, readSteeringQuery, buildSteeringManifest } from './steering.ts';
export type { SteeringManifest, SteeringPathway, SteeringPriorityInput, SteeringQuery } from './steering.ts';
