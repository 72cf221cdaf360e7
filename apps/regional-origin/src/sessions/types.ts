/** @module Session types: the claims a signed session id carries and the per-break ad decisions stored beside them. */

import type { SessionClaims } from '@meridian/manifest-core';

/** The claims a session id carries (manifest-core's shared session ids; the edge reads the same). */
export type { SessionClaims };

/** VOD asset or live channel. */
export type ContentKind = SessionClaims['kind'];

/** How ads are delivered: stitched into the media playlists or as HLS Interstitials. */
export type SessionMode = SessionClaims['mode'];

/** One ad chosen for a break, matched to a transcoded ad asset. */
export interface DecidedAd {
  /** VAST Ad id. */
  adId: string;
  /** VAST Creative id (or the media file URL when the creative has no id). */
  creativeId: string;
  /** Master playlist of the transcoded ad. */
  uri: string;
  /** Duration in seconds. */
  durationSeconds: number;
  /** Impression beacons. */
  impressions: string[];
  /** Tracking beacons by VAST event (start, firstQuartile, …). */
  tracking: Array<{ event: string; url: string }>;
}

/** How a break was decided. `disabled`: no ADS configured; `blocked`: ADS URL not on the allow-list. */
export type DecisionOutcome = 'filled' | 'empty' | 'timeout' | 'error' | 'disabled' | 'blocked';

/** The decision for one break of one session (kept so every reload and rendition agrees). */
export interface BreakDecision {
  breakId: string;
  outcome: DecisionOutcome;
  /** What the break plays: ads, slate or the underlying content. */
  fill: 'ads' | 'slate' | 'content';
  ads: DecidedAd[];
  /** Unix ms. */
  decidedAtMs: number;
}

/** What the store holds for a session. */
export interface SessionState {
  claims: SessionClaims;
  /** Zone that created or last rebuilt the record. */
  zone: string;
  breaks: Record<string, BreakDecision>;
  /** A live session's SSAI record (JSON: the manifest-core live state plus the zone's ads per break); absent for VOD or before the first reload. */
  live?: string;
}

/** Session persistence; every method may throw when the backing store is down (callers fall back). */
export interface SessionStore {
  /** Reads a session and its break decisions in one round trip; undefined when absent. */
  load(id: string): Promise<SessionState | undefined>;
  /** Writes the session record with a TTL. */
  save(claims: SessionClaims, zone: string, ttlSeconds: number): Promise<void>;
  /** Writes one break decision with a TTL. */
  saveBreak(id: string, decision: BreakDecision, ttlSeconds: number): Promise<void>;
  /**
   * Stores a decision under `field` of the session's decisions unless one is there already, and
   * returns the one stored (first writer wins: zones deciding the same live break at once agree).
   */
  claimBreak(id: string, field: string, decision: BreakDecision, ttlSeconds: number): Promise<BreakDecision>;
  /** Replaces a live session's SSAI record (small JSON) with a TTL. */
  saveLive(id: string, json: string, ttlSeconds: number): Promise<void>;
}
