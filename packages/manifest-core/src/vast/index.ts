/** @module Public names of the vast module (chosen here, re-exported by the package index). */

// — VAST —
export { parseVast, parseVastDuration, parseVastOffset } from './vast.ts';
export type { ParseVastOptions } from './vast.ts';

// — VMAP —
export { parseVmap, parseVmapTimeOffset, resolveVmapTimeOffsetSeconds } from './vmap.ts';
export type { ParseVmapOptions } from './vmap.ts';

// — wrapper chains (fetching is the app's job; these are pure) —
export { mergeWrapperTracking, nextVastWrapperUri, resolveVastWrapperChain } from './wrapper.ts';
export type { VastWrapperChainOptions } from './wrapper.ts';

// — hardened XML limits —
export type { XmlLimitsOptions } from './xml.ts';

// — the ad and break model —
export type {
  VastDocument,
  VastAd,
  VastWrapperInfo,
  VastLinearCreative,
  VastMediaFile,
  VastMezzanine,
  VastTrackingEvent,
  VastVideoClicks,
  VastUniversalAdId,
  VastOffset,
  VmapDocument,
  VmapAdBreak,
  VmapAdSource,
  VmapTrackingEvent,
  VmapTimeOffset,
} from './types.ts';
