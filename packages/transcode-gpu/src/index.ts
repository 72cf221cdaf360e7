/**
 * @module @meridian/transcode-gpu — the 6-second HLS ladder on NVENC with a first-class CPU
 * fallback: one ffmpeg pass, measured master playlist, thumbnails, AES-128, S3 with replicas,
 * crash-safe resume, and a Valkey Streams worker.
 */

// — errors —
export { TranscodeError, isTranscodeError, TRANSCODE_ERROR_CODES } from './errors.ts';
export type { TranscodeErrorCode, TranscodeErrorOptions } from './errors.ts';

// — the job —
export { transcode } from './transcode.ts';
export type { TranscodeOptions, TranscodeEvent, TranscodeResult } from './transcode.ts';

// — ladder and ffmpeg arguments —
export { DEFAULT_LADDER, parseLadder, planLadder, validateLadder, h264Level, hevcLevel } from './ladder.ts';
export type { RungSpec, Rung, VideoCodec, Container, FrameRate, SourceVideo } from './ladder.ts';
export { buildLadderArgs, segmentExtension, AUDIO_RENDITION, PACKAGING_REVISION } from './args.ts';
export type { LadderArgsOptions, EncoderKind, AudioOutput } from './args.ts';
export { selectEncoder, probeNvenc, nvencTestArgs } from './encoder.ts';
export type { EncoderChoice, EncoderSelection } from './encoder.ts';
export { probeSource } from './probe.ts';
export type { SourceInfo } from './probe.ts';
export { runFfmpeg, createProgressParser } from './ffmpeg.ts';
export type { FfmpegProgress, RunFfmpegOptions } from './ffmpeg.ts';

// — playlists —
export { readMediaPlaylist, measureBandwidth, videoCodecString } from './media.ts';

// — encryption —
export { createMemoryKeyStore, createValkeyKeyStore, DEFAULT_KEY_URI_TEMPLATE } from './keys.ts';
export type { KeyStore, ValkeyKeyStoreOptions } from './keys.ts';

// — thumbnails —
export { generateThumbnails, buildSpriteVtt, DEFAULT_THUMBNAIL_SIZES } from './thumbnails.ts';
export type { ThumbnailOptions, ThumbnailSize, GenerateThumbnailsInput, ThumbnailResult } from './thumbnails.ts';

// — storage —
export {
  openStore,
  createDirectoryStore,
  createS3Store,
  parseS3Url,
  metaFor,
  CACHE_IMMUTABLE,
  CACHE_SHORT,
} from './storage.ts';
export type { ObjectStore, ObjectMeta, S3StoreOptions } from './storage.ts';
export { createDestinations, markerKey } from './destinations.ts';
export type { Destinations, CompletionMarker } from './destinations.ts';

// — queue and worker (Valkey Streams) —
export { enqueueTranscodeJob, createTranscodeWorker, jobToTranscodeOptions, TRANSCODE_QUEUE } from './queue.ts';
export type {
  TranscodeJob,
  TranscodeStatusEvent,
  TranscodeWorker,
  WorkerOptions,
  EnqueueOptions,
  JobContext,
} from './queue.ts';

// — CLI —
export { main as runCli } from './cli.ts';
