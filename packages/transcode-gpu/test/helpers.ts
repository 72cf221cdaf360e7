/** @module Test helpers: small lavfi sources, ffprobe checks and an independent reading of a produced ladder. */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

const exec = promisify(execFile);

/** Options for {@link makeSource}. */
export interface SourceSpec {
  seconds: number;
  size?: string;
  rate?: number;
  video?: boolean;
  audio?: boolean;
}

/** Writes a small test source with ffmpeg's lavfi generators (testsrc2 + sine). */
export async function makeSource(path: string, spec: SourceSpec): Promise<string> {
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  if (spec.video !== false)
    args.push('-f', 'lavfi', '-i', `testsrc2=size=${spec.size ?? '640x360'}:rate=${spec.rate ?? 30}`);
  if (spec.audio !== false) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(spec.seconds));
  if (spec.video !== false) args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (spec.audio !== false) args.push('-c:a', 'aac');
  args.push(path);
  await exec('ffmpeg', args);
  return path;
}

/** Runs ffprobe and parses its JSON. */
export async function ffprobeJson(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-of', 'json', ...args], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Keyframe presentation times (seconds) of the video in a media playlist. */
export async function keyframeTimes(playlist: string): Promise<number[]> {
  const json = (await ffprobeJson(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', playlist])) as {
    packets: Array<{ pts_time: string; flags: string }>;
  };
  return json.packets.filter((p) => p.flags.startsWith('K')).map((p) => Number(p.pts_time));
}

/** Decodes a playlist with `ffmpeg -v error`; returns what it printed (empty when clean). */
export async function decodeErrors(playlist: string): Promise<string> {
  const { stdout, stderr } = await exec('ffmpeg', ['-nostdin', '-v', 'error', '-i', playlist, '-f', 'null', '-']);
  return `${stdout}${stderr}`.trim();
}

/** Number of decoded video frames in a playlist. */
export async function frameCount(playlist: string): Promise<number> {
  const json = (await ffprobeJson([
    '-select_streams',
    'v:0',
    '-count_frames',
    '-show_entries',
    'stream=nb_read_frames',
    playlist,
  ])) as {
    streams: Array<{ nb_read_frames: string }>;
  };
  return Number(json.streams[0]?.nb_read_frames);
}

/** A media playlist as the tests read it, independently of the package's own reader. */
export interface ParsedMedia {
  targetDuration: number;
  map: string | undefined;
  segments: Array<{ uri: string; duration: number }>;
  keyLine: string | undefined;
  text: string;
}

/** Reads a media playlist file. */
export function readMedia(path: string): ParsedMedia {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const segments: ParsedMedia['segments'] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.startsWith('#EXTINF:'))
      segments.push({ duration: Number.parseFloat(l.slice(8)), uri: (lines[i + 1] as string).trim() });
  }
  return {
    text,
    targetDuration: Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1]),
    map: /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1],
    keyLine: lines.find((l) => l.startsWith('#EXT-X-KEY:')),
    segments,
  };
}

/** Attributes of a tag line (`A=1,B="x,y"`). */
export function attributes(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line.slice(line.indexOf(':') + 1)))) out[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
  return out;
}

/** The STREAM-INF entries of a master playlist. */
export function readMaster(path: string): {
  text: string;
  variants: Array<{ attrs: Record<string, string>; uri: string }>;
  media: Array<Record<string, string>>;
} {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const variants: Array<{ attrs: Record<string, string>; uri: string }> = [];
  lines.forEach((l, i) => {
    if (l.startsWith('#EXT-X-STREAM-INF:'))
      variants.push({ attrs: attributes(l), uri: (lines[i + 1] as string).trim() });
  });
  return { text, variants, media: lines.filter((l) => l.startsWith('#EXT-X-MEDIA:')).map(attributes) };
}

/**
 * Peak segment bitrate per RFC 8216bis §4.4.6.2 (largest rate of a contiguous run lasting
 * 0.5–1.5 target durations), computed from file sizes on disk.
 */
export function measuredPeakBps(dir: string, media: ParsedMedia): number {
  const segs = media.segments.map((s) => ({ bits: readFileSync(join(dir, s.uri)).length * 8, d: s.duration }));
  let peak = 0;
  for (let i = 0; i < segs.length; i++) {
    let bits = 0;
    let d = 0;
    for (let j = i; j < segs.length; j++) {
      bits += (segs[j] as { bits: number }).bits;
      d += (segs[j] as { d: number }).d;
      if (d > 1.5 * media.targetDuration) break;
      if (d >= 0.5 * media.targetDuration) peak = Math.max(peak, bits / d);
    }
  }
  return peak;
}

/** Average bitrate from file sizes and EXTINF durations. */
export function measuredAverageBps(dir: string, media: ParsedMedia): number {
  let bits = 0;
  let d = 0;
  for (const s of media.segments) {
    bits += readFileSync(join(dir, s.uri)).length * 8;
    d += s.duration;
  }
  return bits / d;
}

/**
 * NAL unit type of the first video slice in an fMP4 media segment: walks the mdat's
 * length-prefixed NAL units (4-byte lengths, as ffmpeg writes avcC/hvcC) until a VCL NAL.
 */
export function firstSliceNalType(segment: Uint8Array, codec: 'h264' | 'hevc'): number | undefined {
  let off = 0;
  while (off + 8 <= segment.length) {
    const size =
      ((segment[off] as number) << 24) |
      ((segment[off + 1] as number) << 16) |
      ((segment[off + 2] as number) << 8) |
      (segment[off + 3] as number);
    const type = String.fromCharCode(...segment.subarray(off + 4, off + 8));
    if (type === 'mdat') {
      let p = off + 8;
      while (p + 5 <= segment.length) {
        const len =
          ((segment[p] as number) << 24) |
          ((segment[p + 1] as number) << 16) |
          ((segment[p + 2] as number) << 8) |
          (segment[p + 3] as number);
        const header = segment[p + 4] as number;
        const nal = codec === 'h264' ? header & 0x1f : (header >> 1) & 0x3f;
        if (codec === 'h264' ? nal >= 1 && nal <= 5 : nal <= 31) return nal;
        p += 4 + len;
      }
      return undefined;
    }
    if (size < 8) return undefined;
    off += size;
  }
  return undefined;
}

/** A pass-through HTTP proxy in front of s3rver that counts PUTs and can hold chosen requests forever. */
export interface S3Proxy {
  url: string;
  /** PUT requests seen (object writes and multipart parts). */
  readonly puts: string[];
  /** Requests matching this never get an answer (a hung or too-slow bucket). */
  hold: (method: string, path: string) => boolean;
  close(): Promise<void>;
}

/** Starts an {@link S3Proxy} on 127.0.0.1 forwarding to `target` (`http://127.0.0.1:port`). */
export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const t = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: S3Proxy = { url: '', puts: [], hold: () => false, close: async () => undefined };
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    if (proxy.hold(method, path)) return; // never answer
    if (method === 'PUT') proxy.puts.push(path);
    const upstream = request({ host: t.hostname, port: t.port, method, path, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  proxy.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  proxy.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return proxy;
}

/** Downloads every object under `prefix` of an s3rver bucket into `dir` (to run the file-based checks). */
export async function downloadPrefix(client: S3Client, bucket: string, prefix: string, dir: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) keys.push(o.Key as string);
    token = page.NextContinuationToken;
  } while (token);
  for (const key of keys) {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const file = join(dir, key.slice(prefix.length + 1));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await out.Body!.transformToByteArray());
  }
  return keys.map((k) => k.slice(prefix.length + 1));
}

/** Spawns the CLI (`node --import tsx src/cli.ts …`) with JSON lines on stdout. */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams & {
  lines: Array<Record<string, unknown>>;
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
} {
  const cli = new URL('../src/cli.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: new URL('..', import.meta.url).pathname,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    pred: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }> = [];
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters])
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  child.stderr.resume();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return Object.assign(child, {
    lines,
    exited,
    waitFor: (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 60_000) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const hit = lines.find(pred);
        if (hit) return resolve(hit);
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for a CLI line; saw ${JSON.stringify(lines.slice(-5))}`)),
          timeoutMs,
        );
        waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then((code) =>
          reject(new Error(`CLI exited (${code}) before the awaited line; saw ${JSON.stringify(lines.slice(-5))}`)),
        );
      }),
  });
}

/** Timing of one fMP4 media segment as a player that ignores edit lists reads it (hls.js does). */
export interface FragmentTiming {
  /** tfdt baseMediaDecodeTime, in the track's timescale. */
  baseMediaDecodeTime: number;
  /** Composition offset of the first sample (trun), in the track's timescale; 0 when absent. */
  firstCompositionOffset: number;
}

/** Reads tfdt and the first trun sample of the first moof of an fMP4 segment (ISO/IEC 14496-12 §8.8). */
export function fragmentTiming(segment: Buffer): FragmentTiming {
  const boxes = (buf: Buffer, from: number, to: number): Array<{ type: string; start: number; end: number }> => {
    const out: Array<{ type: string; start: number; end: number }> = [];
    for (let at = from; at + 8 <= to;) {
      const size = buf.readUInt32BE(at);
      const type = buf.toString('latin1', at + 4, at + 8);
      if (size < 8) throw new Error(`bad box size ${size} at ${at}`);
      out.push({ type, start: at + 8, end: at + size });
      at += size;
    }
    return out;
  };
  const moof = boxes(segment, 0, segment.length).find((b) => b.type === 'moof');
  const traf = moof && boxes(segment, moof.start, moof.end).find((b) => b.type === 'traf');
  if (!traf) throw new Error('no moof/traf');
  const inner = boxes(segment, traf.start, traf.end);
  const tfdt = inner.find((b) => b.type === 'tfdt');
  const trun = inner.find((b) => b.type === 'trun');
  if (!tfdt || !trun) throw new Error('no tfdt/trun');
  const tfdtVersion = segment.readUInt8(tfdt.start);
  const baseMediaDecodeTime =
    tfdtVersion === 1 ? Number(segment.readBigUInt64BE(tfdt.start + 4)) : segment.readUInt32BE(tfdt.start + 4);
  const trunVersion = segment.readUInt8(trun.start);
  const flags = segment.readUIntBE(trun.start + 1, 3);
  let at = trun.start + 8; // version+flags, sample_count
  if (flags & 0x1) at += 4; // data_offset
  if (flags & 0x4) at += 4; // first_sample_flags
  if (flags & 0x100) at += 4; // sample_duration
  if (flags & 0x200) at += 4; // sample_size
  if (flags & 0x400) at += 4; // sample_flags
  const firstCompositionOffset =
    flags & 0x800 ? (trunVersion === 1 ? segment.readInt32BE(at) : segment.readUInt32BE(at)) : 0;
  return { baseMediaDecodeTime, firstCompositionOffset };
}
