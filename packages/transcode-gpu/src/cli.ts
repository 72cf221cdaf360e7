/**
 * @module meridian-transcode CLI: `run`, `thumbnails`, `enqueue`, `worker`. A progress bar with
 * ETA on a terminal, JSON lines otherwise; every TranscodeError exits with its own code.
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { TRANSCODE_ERROR_CODES, TranscodeError, isTranscodeError } from './errors.ts';
import type { EncoderChoice } from './encoder.ts';
import { createValkeyKeyStore } from './keys.ts';
import { parseLadder, type Container, type VideoCodec } from './ladder.ts';
import { probeSource } from './probe.ts';
import { TRANSCODE_QUEUE, createTranscodeWorker, enqueueTranscodeJob, type TranscodeJob } from './queue.ts';
import { generateThumbnails, type ThumbnailSize } from './thumbnails.ts';
import { transcode, type TranscodeEvent, type TranscodeOptions } from './transcode.ts';

const USAGE = `meridian-transcode — the 6-second HLS ladder on NVENC or CPU

Usage:
  meridian-transcode run <input> --out <dir|s3://bucket/prefix> [--out <replica> …] [options]
  meridian-transcode thumbnails <input> --out <dir> [--interval 10] [--sizes small=160,medium=320,large=640]
  meridian-transcode enqueue <input> --out <dir|s3://…> [--redis URL] [--priority] [options]
  meridian-transcode worker [--redis URL] [--consumer NAME] [--claim-idle-ms 60000] [--shutdown finish|handback]

Options (run, enqueue):
  --ladder 240:500k,480:1.5M,…   rungs as height:bitrate (default 240/480/720/1080/2160)
  --codec h264|hevc              default h264 (hevc is fMP4 only, tagged hvc1)
  --container fmp4|ts            default fmp4
  --encoder auto|nvenc|cpu       default auto (one-frame NVENC test, CPU fallback)
  --segment 6                    segment seconds (even; keyframes every 2 s)
  --copies N                     destinations each rendition must reach (default: all --out)
  --language en                  audio language (default und)
  --preset veryfast              libx264/libx265 preset
  --encrypt                      AES-128; keys go to Valkey (--redis), never beside segments
  --no-thumbnails                skip the thumbnail job
  --thumb-interval 10            seconds between thumbnails
  --asset-id ID                  default: last path segment of the first --out
  --json                         JSON lines even on a terminal
  --redis URL                    default $REDIS_URL or redis://127.0.0.1:6379

S3: s3://bucket/prefix?endpoint=http://host:port&region=r per destination; credentials from the
AWS environment. Exit codes: ${Object.entries(TRANSCODE_ERROR_CODES)
  .map(([code, v]) => `${v.exitCode} ${code}`)
  .join(', ')}, 1 unexpected.`;

const options = {
  out: { type: 'string', multiple: true },
  ladder: { type: 'string' },
  codec: { type: 'string' },
  container: { type: 'string' },
  encoder: { type: 'string' },
  segment: { type: 'string' },
  copies: { type: 'string' },
  language: { type: 'string' },
  preset: { type: 'string' },
  encrypt: { type: 'boolean' },
  'no-thumbnails': { type: 'boolean' },
  'thumb-interval': { type: 'string' },
  interval: { type: 'string' },
  sizes: { type: 'string' },
  'asset-id': { type: 'string' },
  json: { type: 'boolean' },
  redis: { type: 'string' },
  priority: { type: 'boolean' },
  consumer: { type: 'string' },
  'claim-idle-ms': { type: 'string' },
  shutdown: { type: 'string' },
  'grace-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function usage(message: string): never {
  throw new TranscodeError('INVALID_OPTIONS', `${message}\n\n${USAGE}`);
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) usage(`--${flag} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0)) usage(`--${flag} must be a positive number`);
  return n;
}

/** Builds the job fields shared by `run` and `enqueue` from the flags. */
function jobFields(input: string, v: Values): Omit<TranscodeJob, 'jobId'> {
  const outs = v.out ?? [];
  if (outs.length === 0) usage('--out is required');
  const job: Omit<TranscodeJob, 'jobId'> = { input, output: outs.length === 1 ? (outs[0] as string) : outs };
  if (v.ladder) job.ladder = parseLadder(v.ladder);
  const codec = oneOf<VideoCodec>(v.codec, ['h264', 'hevc'], 'codec');
  if (codec) job.codec = codec;
  const container = oneOf<Container>(v.container, ['fmp4', 'ts'], 'container');
  if (container) job.container = container;
  const encoder = oneOf<EncoderChoice>(v.encoder, ['auto', 'nvenc', 'cpu'], 'encoder');
  if (encoder) job.encoder = encoder;
  const segment = positiveNumber(v.segment, 'segment');
  if (segment) job.segmentSeconds = segment;
  const copies = positiveNumber(v.copies, 'copies');
  if (copies) job.copies = copies;
  if (v.language) job.language = v.language;
  if (v.preset) job.cpuPreset = v.preset;
  if (v.encrypt) job.encrypt = true;
  if (v['no-thumbnails']) job.thumbnails = false;
  else if (v['thumb-interval'])
    job.thumbnails = { intervalSeconds: positiveNumber(v['thumb-interval'], 'thumb-interval') as number };
  if (v['asset-id']) job.assetId = v['asset-id'];
  return job;
}

function redisUrl(v: Values): string {
  return v.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * One progress-bar line: bar, percent, output time over duration, speed and an ETA from the
 * elapsed wall time and the fraction done (ffmpeg's out_time, already in seconds).
 */
export function formatProgressLine(
  p: { fraction: number; outTimeSeconds: number; durationSeconds: number; speed?: number },
  elapsedSeconds: number,
  width = 30,
): string {
  const fraction = Math.min(1, Math.max(0, p.fraction));
  const filled = Math.round(fraction * width);
  const etaSeconds = fraction > 0.01 ? (elapsedSeconds / fraction) * (1 - fraction) : NaN;
  const clock = (s: number): string => {
    if (!Number.isFinite(s)) return '--:--';
    const whole = Math.round(s);
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
  };
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ` +
    `${p.outTimeSeconds.toFixed(1)}/${p.durationSeconds.toFixed(1)} s  ${p.speed ? `${p.speed.toFixed(2)}x  ` : ''}ETA ${clock(etaSeconds)}`
  );
}

/** Renders events: a one-line progress bar with ETA on a TTY, JSON lines otherwise. */
function createReporter(json: boolean): { event(e: TranscodeEvent | Record<string, unknown>): void; end(): void } {
  // ETA counts from the first progress block: probing and the NVENC test are not encoding time.
  let started: number | undefined;
  let barShown = false;
  const clear = (): void => {
    if (barShown) process.stderr.write('\r\x1b[K');
    barShown = false;
  };
  return {
    event(e) {
      if (json) {
        process.stdout.write(`${JSON.stringify(e)}\n`);
        return;
      }
      const ev = e as TranscodeEvent;
      if (ev.type === 'progress') {
        started ??= Date.now();
        process.stderr.write(`\r\x1b[K${formatProgressLine(ev, (Date.now() - started) / 1000)}`);
        barShown = true;
        return;
      }
      clear();
      switch (ev.type) {
        case 'probe':
          process.stderr.write(
            `source: ${ev.durationSeconds.toFixed(2)} s, ${ev.width ? `${ev.width}x${ev.height}` : 'no video'}, ${ev.hasAudio ? 'audio' : 'no audio'}\n`,
          );
          break;
        case 'plan':
          process.stderr.write(
            `encode: ${ev.encode.join(', ') || 'nothing'}${ev.complete.length ? ` (already complete: ${ev.complete.join(', ')})` : ''}\n`,
          );
          break;
        case 'encoder':
          process.stderr.write(
            `encoder: ${ev.name}${ev.fallbackReason ? ` (NVENC unavailable: ${ev.fallbackReason})` : ''}\n`,
          );
          break;
        case 'rendition':
          process.stderr.write(`stored ${ev.rendition} → ${ev.locations.join(', ')}\n`);
          break;
        case 'destination-down':
          process.stderr.write(`destination down, carrying on without it: ${ev.url}: ${ev.reason}\n`);
          break;
        case 'done':
          process.stderr.write(
            ev.skipped ? 'already complete: nothing to do\n' : `done: ${ev.uploads} objects written\n`,
          );
          break;
        default:
          break;
      }
    },
    end: clear,
  };
}

async function cmdRun(input: string, v: Values, json: boolean): Promise<void> {
  const job = jobFields(input, v);
  const reporter = createReporter(json);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let redis: Redis | undefined;
  try {
    const o: TranscodeOptions = { input, output: job.output, onEvent: (e) => reporter.event(e), signal: abort.signal };
    if (job.ladder) o.ladder = job.ladder;
    if (job.codec) o.codec = job.codec;
    if (job.container) o.container = job.container;
    if (job.encoder) o.encoder = job.encoder;
    if (job.segmentSeconds) o.segmentSeconds = job.segmentSeconds;
    if (job.copies) o.copies = job.copies;
    if (job.language) o.audio = { language: job.language };
    if (job.cpuPreset) o.cpuPreset = job.cpuPreset;
    if (job.thumbnails !== undefined) o.thumbnails = job.thumbnails;
    if (job.assetId) o.assetId = job.assetId;
    if (job.encrypt) {
      redis = new Redis(redisUrl(v), { lazyConnect: true, maxRetriesPerRequest: 1 });
      o.encryption = { keyStore: createValkeyKeyStore(redis) };
    }
    const { asset } = await transcode(o);
    reporter.end();
    if (json) process.stdout.write(`${JSON.stringify({ type: 'asset', asset })}\n`);
    else
      process.stdout.write(
        `${asset.assetId}: ${asset.renditions.map((r) => `${r.name} ${Math.round(r.bandwidthBps / 1000)} kb/s`).join(', ')}${asset.audio ? ', audio' : ''}\n`,
      );
  } finally {
    reporter.end();
    redis?.disconnect();
  }
}

async function cmdThumbnails(input: string, v: Values, json: boolean): Promise<void> {
  const out = v.out?.[0];
  if (!out) usage('--out <dir> is required');
  const source = await probeSource(input);
  if (!source.video) throw new TranscodeError('INPUT_UNREADABLE', `${input} has no video stream`);
  await mkdir(out, { recursive: true });
  const sizes: ThumbnailSize[] | undefined = v.sizes?.split(',').map((s) => {
    const [name, width] = s.split('=');
    if (!name || !(Number(width) > 0)) usage(`--sizes entry "${s}" is not name=width`);
    return { name, width: Number(width) };
  });
  const result = await generateThumbnails({
    input,
    outDir: out,
    videoWidth: (source.video.width * source.video.sarNum) / source.video.sarDen,
    videoHeight: source.video.height,
    durationSeconds: source.durationSeconds,
    ...(v.interval ? { intervalSeconds: positiveNumber(v.interval, 'interval') as number } : {}),
    ...(sizes ? { sizes } : {}),
  });
  if (json) process.stdout.write(`${JSON.stringify({ type: 'thumbnails', ...result.info })}\n`);
  else process.stdout.write(`${result.files.length} files in ${out}/thumbs\n`);
}

async function cmdEnqueue(input: string, v: Values, json: boolean): Promise<void> {
  const job = jobFields(input, v);
  if (v.priority) job.priority = true;
  // A local source is probed so that short videos take the priority lane.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) job.durationSeconds = (await probeSource(input)).durationSeconds;
  const redis = new Redis(redisUrl(v), { maxRetriesPerRequest: 1 });
  try {
    const r = await enqueueTranscodeJob(redis, job);
    process.stdout.write(
      json ? `${JSON.stringify({ type: 'enqueued', ...r })}\n` : `enqueued ${r.jobId} on ${r.stream}\n`,
    );
  } finally {
    redis.disconnect();
  }
}

async function cmdWorker(v: Values): Promise<void> {
  const redis = new Redis(redisUrl(v), { maxRetriesPerRequest: null });
  const mode = oneOf<'finish' | 'handback'>(v.shutdown, ['finish', 'handback'], 'shutdown') ?? 'finish';
  const worker = createTranscodeWorker({
    redis,
    ...(v.consumer ? { consumer: v.consumer } : {}),
    ...(v['claim-idle-ms'] ? { claimIdleMs: positiveNumber(v['claim-idle-ms'], 'claim-idle-ms') as number } : {}),
    onLog: (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`),
  });
  const graceMs = positiveNumber(v['grace-ms'], 'grace-ms');
  const onSignal = (): void => {
    process.stdout.write(`${JSON.stringify({ shutdown: mode })}\n`);
    void worker.stop({ mode, ...(graceMs ? { graceMs } : {}) });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.stdout.write(
    `${JSON.stringify({ worker: 'started', streams: [TRANSCODE_QUEUE.priority, TRANSCODE_QUEUE.jobs], group: TRANSCODE_QUEUE.group })}\n`,
  );
  try {
    await worker.run();
  } finally {
    redis.disconnect();
  }
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // A closed pipe (`| head`) is not an error of the job.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  let json = !process.stdout.isTTY;
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    json = json || values.json === true;
    const [command, input] = positionals;
    if (values.help || !command) {
      process.stdout.write(`${USAGE}\n`);
      return values.help ? 0 : 2;
    }
    switch (command) {
      case 'run':
      case 'thumbnails':
      case 'enqueue': {
        if (!input) usage(`${command} needs an <input>`);
        if (command === 'run') await cmdRun(input, values, json);
        else if (command === 'thumbnails') await cmdThumbnails(input, values, json);
        else await cmdEnqueue(input, values, json);
        return 0;
      }
      case 'worker':
        await cmdWorker(values);
        return 0;
      default:
        usage(`unknown command "${command}"`);
    }
  } catch (err) {
    const te = isTranscodeError(err)
      ? err
      : (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')
        ? new TranscodeError('INVALID_OPTIONS', `${(err as Error).message}\n\n${USAGE}`)
        : undefined;
    const message = ((err as Error)?.message ?? String(err)).split('\n\n')[0];
    if (json) process.stdout.write(`${JSON.stringify({ type: 'error', code: te?.code ?? 'UNEXPECTED', message })}\n`);
    process.stderr.write(`meridian-transcode: ${te ? `${te.code}: ` : ''}${(err as Error)?.message ?? String(err)}\n`);
    return te?.exitCode ?? 1;
  }
}

// Run when executed directly (`tsx src/cli.ts …`); bin/meridian-transcode.js calls main() itself.
if (process.argv[1] && /[/\\]cli\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`meridian-transcode: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
