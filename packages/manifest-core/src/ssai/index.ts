/** @module Public names of the ssai module (chosen here, re-exported by the package index). */

// — the break and ad model —
export type {
  Break,
  BreakSource,
  BreakPosition,
  ProgramSignal,
  MediaKind,
  AdAssetRendition,
  TrackingEventType,
  AdCreative,
  AdPod,
  FillerAsset,
  RenditionTarget,
  DecidedAd,
  BreakDecision,
} from './types.ts';

// — break detection —
/** One break model from CUE-OUT/IN, DATERANGE SCTE35-*, SPLICEPOINT/OATCLS and VOD offsets. */
export {
  detectBreaks,
  breaksFromVodOffsets,
  AD_OUT_SEGMENTATION_TYPES,
  AD_IN_SEGMENTATION_TYPES,
  PROGRAM_START_SEGMENTATION_TYPES,
  PROGRAM_END_SEGMENTATION_TYPES,
} from './breaks.ts';
export type { DetectBreaksOptions, DetectBreaksResult, VodAdOffsets } from './breaks.ts';

// — decisions and rendition matching —
/** What a break gets (ads, slate, content) and where each replacement segment sits. */
export { decideBreak, contentDecision, PlanLayout } from './plan.ts';
export type { DecideBreakOptions, PlanSegment } from './plan.ts';
/** Nearest ad rendition to a content rendition. */
export { selectAdRendition, AD_BANDWIDTH_TOLERANCE } from './select.ts';

// — stitched output —
/** VOD stitching and the decisions a VOD session stores. */
export {
  stitchVod,
  planVodSession,
  isReplacementSegment,
  AD_CREATIVE_DATERANGE_CLASS,
  STITCH_SEGMENT_PARAM,
} from './stitch.ts';
export type { StitchCommonOptions, StitchVodOptions, PlanVodSessionOptions } from './stitch.ts';

// — live sequencing —
/** Per-session live windows: decisions in a small state, MSN/DSN as a pure function of (window, state). */
export {
  createLiveSession,
  parseLiveSessionState,
  pendingBreaks,
  advanceLiveSession,
  renderLiveWindow,
} from './live.ts';
export type {
  LiveSessionState,
  LiveBlackoutOptions,
  LiveTimingOptions,
  AdvanceLiveSessionOptions,
  RenderLiveWindowOptions,
} from './live.ts';

// — blackout —
/** Blackout and content-replacement rules as data, per viewer. */
export { matchAudience, ruleApplies, scte35Triggers, validateBlackoutRules, planVodBlackouts } from './blackout.ts';
export type { ViewerProfile, Audience, BlackoutTrigger, BlackoutRule, PlanVodBlackoutsOptions } from './blackout.ts';
/** Blackout rules from a JSON setting (BLACKOUT_RULES), strictly checked. */
export { parseBlackoutRules, BLACKOUT_RULES_LIMITS } from './blackout-config.ts';
export type { ParseBlackoutRulesOptions } from './blackout-config.ts';

// — HLS Interstitials —
/** Interstitial DATERANGEs from the same break model, and the X-ASSET-LIST body. */
export { renderInterstitials, renderAssetList, INTERSTITIAL_CLASS } from './interstitials.ts';
export type { RenderInterstitialsOptions } from './interstitials.ts';

// — tracking —
/** The session's avails and beacons, in MediaTailor's client-side tracking shape. */
export { buildTrackingTimeline } from './tracking.ts';
export type { TrackingTimeline, TrackedAvail, TrackedAd, TrackingEvent, TrackingTimelineOptions } from './tracking.ts';

// — VAST → AdPod —
/** Map parseVast results to the stitcher's AdPod input. */
export { adPodFromVast, adCreativeFromVast } from './vast-map.ts';
export type { TranscodedCreative, AdPodFromVastOptions } from './vast-map.ts';
