/** @module Demo media: sample and ad clips (ffmpeg), transcoded once with transcode-gpu and cached by parameters. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { makeAdClip, makeSampleClip } from '@meridian/testkit';
import {
  metaFor,
  openStore,
  parseLadder,
  PACKAGING_REVISION,
  transcode,
  type KeyStore,
  type TranscodeEvent,
} from '@meridian/transcode-gpu';

/** What to generate and how to encode it; every field is part of the cache key. */
export interface MediaParams {
  /** Content clip length, seconds. */
  contentSeconds: number;
  /** Ad clip length, seconds. */
  adSeconds: number;
  width: number;
  height: number;
  /** transcode-gpu ladder string, e.g. `240:400k,360:900k`. */
  ladder: string;
  /** Segment length, seconds (even). */
  segmentSeconds: number;
}

/** The demo's default media: one minute of content, a 10-second ad, 640x360, two rungs. */
export const DEFAULT_MEDIA: MediaParams = {
  contentSeconds: 60,
  adSeconds: 10,
  width: 640,
  height: 360,
  ladder: '240:400k,360:900k',
  segmentSeconds: 4,
};

/** An S3 destination of the demo (one simulated region). */
export interface Region {
  id: string;
  /** s3rver endpoint, `http://127.0.0.1:<port>`. */
  endpoint: string;
  bucket: string;
}

const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** `s3://bucket/prefix?endpoint=…` for transcode-gpu. */
export function regionUrl(region: Region, prefix: string): string {
  return `s3://${region.bucket}/${prefix}?endpoint=${encodeURIComponent(region.endpoint)}&region=us-east-1`;
}

/** The cache directory of one set of parameters. */
export function mediaCacheDir(root: string, params: MediaParams): string {
  // Keyed on the packaging revision too: a transcoder change never reuses media cut the old way.
  const key = createHash('sha256')
    .update(JSON.stringify({ ...params, packaging: PACKAGING_REVISION }))
    .digest('hex')
    .slice(0, 12);
  return join(root, `media-${key}`);
}

/** Sample and ad clips (mp4), made once per parameter set. */
export async function ensureClips(
  cacheDir: string,
  params: MediaParams,
  log: (line: string) => void,
): Promise<{ content: string; ad: string }> {
  mkdirSync(cacheDir, { recursive: true });
  const content = join(cacheDir, 'content.mp4');
  const ad = join(cacheDir, 'ad.mp4');
  if (!existsSync(content)) {
    log(`ffmpeg: sample clip ${params.contentSeconds}s ${params.width}x${params.height}`);
    // Written aside and renamed: a run that dies half-way never leaves a truncated clip in the cache.
    await makeSampleClip({
      path: `${content}.${process.pid}.mp4`,
      width: params.width,
      height: params.height,
      durationSeconds: params.contentSeconds,
      label: 'MERIDIAN',
    });
    renameSync(`${content}.${process.pid}.mp4`, content);
  }
  if (!existsSync(ad)) {
    log(`ffmpeg: ad clip ${params.adSeconds}s`);
    await makeAdClip({
      path: `${ad}.${process.pid}.mp4`,
      width: params.width,
      height: params.height,
      durationSeconds: params.adSeconds,
    });
    renameSync(`${ad}.${process.pid}.mp4`, ad);
  }
  return { content, ad };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** Options of {@link publishAsset}. */
export interface PublishOptions {
  /** Source clip. */
  input: string;
  /** Asset id (the origin prefix is `vod/<assetId>`). */
  assetId: string;
  /** Regions, primary first: the job writes the primary and the replica. */
  regions: readonly Region[];
  params: MediaParams;
  /** Directory that keeps a copy of the transcoded asset, reused on later runs; none to always transcode. */
  cacheDir?: string;
  /** AES-128 (never cached: the keys live in the key store). */
  keyStore?: KeyStore;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Puts a transcoded asset into every region: from the cache when a finished copy exists there,
 * else by running the transcode job with the regions (and the cache directory) as destinations.
 */
export async function publishAsset(options: PublishOptions): Promise<{ transcoded: boolean }> {
  const prefix = `vod/${options.assetId}`;
  const cached = options.cacheDir && !options.keyStore ? join(options.cacheDir, 'assets', options.assetId) : undefined;
  if (cached && existsSync(join(cached, 'asset.json'))) {
    for (const region of options.regions) {
      const store = openStore(regionUrl(region, prefix), { credentials: S3_CREDENTIALS });
      try {
        const files = filesUnder(cached);
        // asset.json last, as the job does: a zone only sees a ready asset when everything is there.
        files.sort((a, b) => Number(a.endsWith(`${sep}asset.json`)) - Number(b.endsWith(`${sep}asset.json`)));
        for (const file of files) {
          const key = relative(cached, file).split(sep).join('/');
          await store.put(key, { path: file }, metaFor(key));
        }
      } finally {
        store.close();
      }
    }
    options.log(`${options.assetId}: copied from cache to ${options.regions.map((r) => r.id).join(', ')}`);
    return { transcoded: false };
  }
  const started = Date.now();
  let lastPercent = -10;
  const onEvent = (e: TranscodeEvent): void => {
    if (e.type === 'progress') {
      const percent = Math.floor(e.fraction * 100);
      if (percent >= lastPercent + 25) {
        lastPercent = percent;
        options.log(`${options.assetId}: transcoding ${percent}%`);
      }
    } else if (e.type === 'encoder') options.log(`${options.assetId}: encoder ${e.name}`);
  };
  await transcode({
    input: options.input,
    output: [...options.regions.map((r) => regionUrl(r, prefix)), ...(cached ? [cached] : [])],
    assetId: options.assetId,
    ladder: parseLadder(options.params.ladder),
    encoder: 'cpu',
    segmentSeconds: options.params.segmentSeconds,
    audio: { language: 'en' },
    thumbnails: false,
    s3: { credentials: S3_CREDENTIALS },
    onEvent,
    ...(options.keyStore ? { encryption: { keyStore: options.keyStore } } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.log(
    `${options.assetId}: transcoded in ${((Date.now() - started) / 1000).toFixed(1)} s to ${options.regions.map((r) => r.id).join(', ')}`,
  );
  return { transcoded: true };
}
