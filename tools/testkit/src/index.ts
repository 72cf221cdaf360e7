/** @module Test helpers that start real parts on loopback: redis-server, s3rver, faulty HTTP servers. */
export { getFreePort, waitForPort, sleep } from './ports.ts';
export { startRedis, type RedisHandle, type StartRedisOptions } from './redis.ts';
export { startS3, s3ClientConfig, type S3Handle, type StartS3Options } from './s3.ts';
export {
  startFaultyServer,
  refusedUrl,
  startBlackHole,
  type Behaviour,
  type FaultyServer,
  type SeenRequest,
  type BlackHole,
} from './faulty-server.ts';
export { TestkitError, isTestkitError, TESTKIT_ERROR_CODES, type TestkitErrorCode } from './errors.ts';
export {
  makeSampleClip,
  makeAdClip,
  probeMedia,
  packageHls,
  type Clip,
  type ClipOptions,
  type MediaFacts,
  type HlsLadder,
  type HlsRenditionSpec,
  type PackageHlsOptions,
} from './media.ts';
export {
  startStaticServer,
  STATIC_CONTENT_TYPES,
  type StaticServer,
  type StaticServerOptions,
  type StaticFault,
  type StaticRequest,
  type StaticRequestHook,
  type StaticRequestContext,
  type PathMatcher,
} from './static-server.ts';
export {
  startLiveChannel,
  type LiveChannel,
  type LiveChannelOptions,
  type LiveBreak,
  type LiveBreakOptions,
  type LiveCueStyle,
  type LiveWindow,
} from './live-channel.ts';
export {
  startVastServer,
  buildVast,
  buildVmap,
  type VastServer,
  type VastServerOptions,
  type VastAdSpec,
  type VastBehaviour,
  type VastRequest,
  type VastBeacon,
} from './vast-server.ts';
export {
  playInChromium,
  startChromium,
  probeWithFfmpeg,
  installedHlsJs,
  CHROMIUM_ARGS,
  type ChromiumPlayer,
  type ChromiumOptions,
  type PlayOptions,
  type PlayReport,
  type PlaybackHook,
  type PlayerFatalError,
  type FragmentLoad,
  type PlayerLevel,
  type PlayerStall,
  type InterstitialsReport,
  type FfmpegProbeOptions,
  type FfmpegProbeReport,
} from './player.ts';

// — sample assets for app tests —
export { sampleAssetManifest } from './assets.ts';
export type { SampleAssetOptions } from './assets.ts';

// — Worker bundles for miniflare —
export { bundleForWorkerd } from './workerd.ts';
