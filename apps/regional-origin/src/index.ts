/** @module The Meridian regional zone server: public names for embedding and tests. */
export const REGIONAL_ORIGIN_VERSION = '0.1.0';

/** Build the Hono app from injected dependencies. */
export { createApp } from './app.ts';
export type { AppDependencies, ZoneApp } from './app.ts';
/** Start a fully wired server from configuration. */
export { startServer } from './server.ts';
export type { RunningServer } from './server.ts';
/** Configuration. */
export { loadConfig, flagsToEnv, ConfigError } from './config.ts';
export type { Config, Role, AdFallback, Pathway } from './config.ts';
/** Errors. */
export { AppError, isAppError, APP_ERROR_CODES } from './errors.ts';
export type { AppErrorCode } from './errors.ts';
/** Seams where libraries plug in. */
export type { OriginFetcher } from './origin.ts';
export type { PlaylistRenderer, RenderContext } from './render/playlist-renderer.ts';
export type { AdDecisionClient, AdRequestResult, ResolvedAd } from './ads/vast-client.ts';
/** The asset id a VAST creative's media file is transcoded under (where its ad playlists are looked up). */
export { adAssetIdFor } from './ads/decisions.ts';
export type { VastParser, VastAd } from './ads/vast.ts';
export type { KeyStore } from './keys.ts';
export type { TranscodeQueue, TranscodeJobRequest, AssetEvents, AssetStatusEvent } from './jobs.ts';
export type { SessionStore, SessionClaims, BreakDecision } from './sessions/types.ts';
