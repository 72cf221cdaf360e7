/** @module Public names of the render module (chosen here, re-exported by the package index). */

// — URIs —
/** String-level URI resolution and query appends that keep signed query strings byte for byte. */
export {
  resolveUri,
  createUriResolver,
  appendQuery,
  formatQuery,
  isAbsoluteUri,
  isOpaqueUri,
  replaceUrlPrefix,
  joinUrl,
  urlOrigin,
} from './url.ts';
export type { QueryParams } from './url.ts';

// — state in force —
/** The keys in force (one per KEYFORMAT) at a segment; the playlist module's resolveSegmentStates gives the rest. */
export { keysInForceAt, applyKeyLines, keyFormatOf } from './state.ts';

// — DRM —
/** Key signalling: AES-128, SAMPLE-AES with FairPlay / Widevine / PlayReady, rotation, session keys, PSSH boxes. */
export {
  applyKeySignalling,
  reemitKeysInForce,
  drmKeysAt,
  sessionKeysFor,
  assertDrmOptions,
  ivForMediaSequence,
  keyPeriodOf,
  keyIdForPeriod,
  raiseVersionForKeys,
  buildPsshBox,
  widevinePsshData,
  playReadyObject,
  normalizeKeyId,
  KEYFORMAT,
  DRM_SYSTEM_ID,
} from './drm.ts';
export type {
  DrmOptions,
  IvMode,
  FairPlayOptions,
  WidevineOptions,
  PlayReadyOptions,
  ApplyKeySignallingOptions,
  SessionKeysOptions,
  WidevinePsshDataOptions,
  PlayReadyObjectOptions,
} from './drm.ts';

// — media playlists —
/** Media playlist rewriting: absolute/CDN URIs, query tokens, live-window trimming with the state in force carried over. */
export {
  rewriteMediaPlaylist,
  rewriteMediaUris,
  rewriteUri,
  createUriRewriter,
  trimLiveWindow,
  MEDIA_URI_KINDS,
} from './media.ts';
export type {
  MediaUriKind,
  UriRewriteOptions,
  LiveWindowOptions,
  RewriteMediaPlaylistOptions,
  TrimResult,
} from './media.ts';

// — master playlists —
/** Master rendering from a ladder (asset.json or an origin master) with per-viewer filtering, pathways and session keys. */
export {
  renderMasterPlaylist,
  ladderFromAsset,
  ladderFromMaster,
  orderVariants,
  codecFamily,
  assertLadder,
  masterVersion,
} from './master.ts';
export type {
  Ladder,
  LadderVariant,
  LadderIFrameVariant,
  LadderMedia,
  LadderItemRef,
  LadderFromAssetOptions,
  LadderFromMasterOptions,
  CodecFamily,
  Viewer,
  Pathway,
  RenderMasterOptions,
  RenderMasterResult,
  RenderWarningCode,
} from './master.ts';
