/**
 * @module startLiveChannel: a simulated live HLS channel on 127.0.0.1, made from a VOD rendition
 * set on disk: a sliding window per rendition that advances with the clock, loops the VOD with
 * discontinuities, stamps PROGRAM-DATE-TIME and places SCTE-35 cues identically in every rendition.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import {
  encodeScte35,
  formatScte35Base64,
  formatScte35Hex,
  parseMasterPlaylist,
  parseMediaPlaylist,
  serializePlaylist,
  type DateRange,
  type EncodeScte35Input,
  type Key,
  type MediaPlaylist,
  type MediaSegment,
} from '@meridian/manifest-core';
import { TestkitError } from './errors.ts';
import { listenLoopback } from './http.ts';
import { CORS_HEADERS, resolveUnder, serveFile } from './static-server.ts';

/**
 * How a break is signalled in the media playlists.
 * - `cue-out`: EXT-X-CUE-OUT:DURATION / EXT-X-CUE-OUT-CONT / EXT-X-CUE-IN.
 * - `daterange-splice-insert`: EXT-X-DATERANGE with SCTE35-OUT / SCTE35-IN holding splice_insert
 *   (out_of_network, break_duration with auto_return).
 * - `daterange-time-signal`: EXT-X-DATERANGE with time_signal + segmentation descriptors
 *   (0x34/0x35 Provider Placement Opportunity Start/End).
 */
export type LiveCueStyle = 'cue-out' | 'daterange-splice-insert' | 'daterange-time-signal';

/** A cue placed at the same point of every loop. */
export interface LiveBreakOptions {
  /** Start of the break in the VOD loop, seconds; snapped to the nearest segment boundary. */
  offsetSeconds: number;
  /** Declared break duration in seconds (the cue's duration); it covers the segments starting inside it. */
  durationSeconds: number;
  /**
   * `ad` (default): an ad break in the channel's `cueStyle`. `program`: a blackout window, always
   * a DATERANGE with time_signal 0x10 Program Start / 0x11 Program End, delivery restricted with
   * no_regional_blackout_flag = 0 (the regional blackout applies).
   */
  kind?: 'ad' | 'program';
  /** Marker style for this break; default the channel's `cueStyle`. Ignored for `program`. */
  style?: LiveCueStyle;
  /** Segmentation UPID text (type 0x09 ADI) for time_signal cues; default `meridian-<kind>-<n>`. */
  upid?: string;
}

/** A break as placed on the loop. */
export interface LiveBreak {
  /** Position in the options list. */
  index: number;
  kind: 'ad' | 'program';
  style: LiveCueStyle;
  /** Index (within a loop) of the first segment of the break. */
  startSegment: number;
  /** Number of segments the break covers. */
  segmentCount: number;
  /** Snapped start, seconds from the loop start. */
  startSeconds: number;
  /** Declared duration in seconds. */
  durationSeconds: number;
  /** Sum of the covered segments' durations, seconds. */
  coveredSeconds: number;
  upid: string;
}

/** Options for {@link startLiveChannel}. */
export interface LiveChannelOptions {
  /** The VOD ladder directory (holds the master playlist and each rendition's media playlist and segments). */
  dir: string;
  /** Master playlist file name inside `dir`; default `master.m3u8`. */
  masterName?: string;
  /** Segments per live window; default 6. */
  windowSegments?: number;
  /**
   * Media seconds per wall-clock second; default 1. Tests run faster with e.g. 4, played with the
   * same `playbackRate` in playInChromium (hls.js then keeps up with the edge without stalls).
   */
  speed?: number;
  /** The clock in epoch ms; default `Date.now`. */
  now?: () => number;
  /** Epoch ms of the PROGRAM-DATE-TIME of the first segment ever; default start time minus the first window. */
  programDateTimeStartMs?: number;
  /** Breaks placed in every loop; default none. */
  breaks?: LiveBreakOptions[];
  /** Marker style of ad breaks; default `cue-out`. */
  cueStyle?: LiveCueStyle;
  /** Fixed port; default a free one. */
  port?: number;
}

/** Where the window is at one instant. */
export interface LiveWindow {
  /** EXT-X-MEDIA-SEQUENCE: global index of the first segment in the window. */
  mediaSequence: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE. */
  discontinuitySequence: number;
  /** Global index of the newest segment. */
  lastSequence: number;
  /** Completed loops at the newest segment. */
  loop: number;
}

/** A running simulated live channel. */
export interface LiveChannel {
  /** The live master playlist URL, e.g. `http://127.0.0.1:PORT/live/master.m3u8`. */
  url: string;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  port: number;
  /** Live media playlist URLs, in master order (variants, then EXT-X-MEDIA renditions with a URI). */
  mediaUrls: string[];
  /** Breaks as placed on the loop. */
  breaks: LiveBreak[];
  /** Segments per loop. */
  segmentsPerLoop: number;
  /** Loop length in seconds. */
  loopSeconds: number;
  /** Every request path seen (with epoch ms), oldest first. */
  requests: { path: string; at: number }[];
  /** The window at `atMs` (default now). */
  window(atMs?: number): LiveWindow;
  /** The text of a live media playlist (by index into `mediaUrls`, default 0) at `atMs` (default now). */
  mediaPlaylist(rendition?: number, atMs?: number): string;
  /** Stops listening and drops every connection (the origin dies); the clock keeps running. */
  kill(): Promise<void>;
  /** Listens again on the same port; the window is where the clock says. */
  restart(): Promise<void>;
  /** Stops the channel for good. */
  stop(): Promise<void>;
}

interface SourceSegment {
  /** A path relative to the ladder directory, or an absolute URL kept as written. */
  uri: string;
  duration: number;
  /** EXT-X-MAP in force (same form as `uri`). */
  mapUri?: string;
  /** EXT-X-KEY lines in force (URIs in the same form as `uri`). */
  keys?: Key[];
}

interface RenditionSource {
  /** Path of the media playlist relative to `dir`, POSIX separators. */
  path: string;
  playlist: MediaPlaylist;
  segments: SourceSegment[];
}

const PTS_WRAP_TICKS = 2 ** 33;
const TICKS_PER_SECOND = 90_000;
/** SCTE 35 Table 23: segmentation_upid_type 0x09 = ADI. */
const UPID_ADI = 0x09;
const EPSILON_SECONDS = 1e-6;
const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:/i;

function ticks(seconds: number): number {
  return Math.round(seconds * TICKS_PER_SECOND) % PTS_WRAP_TICKS;
}

function toPosix(path: string): string {
  return path.split('\\').join('/');
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new TestkitError('LADDER_INVALID', `cannot read ${path}`, { cause });
  }
}

function loadRendition(root: string, masterDir: string, uri: string): RenditionSource {
  if (ABSOLUTE_URL.test(uri))
    throw new TestkitError('LADDER_INVALID', `media playlist URI must be relative, got ${uri}`);
  const file = resolve(masterDir, uri);
  const path = toPosix(relative(root, file));
  const { playlist } = parseMediaPlaylist(readText(file));
  const mediaDir = posix.dirname(path);
  const ref = (u: string): string => (ABSOLUTE_URL.test(u) ? u : posix.join(mediaDir, u));
  let mapUri: string | undefined;
  let keys: Key[] | undefined;
  const segments = playlist.segments.map((s) => {
    if (s.map) mapUri = ref(s.map.uri);
    if (s.keys) keys = s.keys.map((k) => (k.uri ? { ...k, uri: ref(k.uri) } : { ...k }));
    const entry: SourceSegment = { uri: ref(s.uri), duration: s.duration };
    if (mapUri) entry.mapUri = mapUri;
    if (keys) entry.keys = keys;
    return entry;
  });
  if (segments.length === 0) throw new TestkitError('LADDER_INVALID', `${path} has no segments`);
  return { path, playlist, segments };
}

function spliceInsert(eventId: number, out: boolean, ptsSeconds: number, durationSeconds: number): EncodeScte35Input {
  return {
    spliceCommand: {
      type: 'spliceInsert',
      spliceEventId: eventId,
      outOfNetworkIndicator: out,
      spliceTime: { ptsTimeTicks: ticks(ptsSeconds) },
      ...(out ? { breakDuration: { autoReturn: true, durationTicks: ticks(durationSeconds) } } : {}),
    },
  };
}

function timeSignal(
  eventId: number,
  typeId: number,
  ptsSeconds: number,
  upid: string,
  durationSeconds: number | undefined,
  restricted: boolean,
): EncodeScte35Input {
  return {
    spliceCommand: { type: 'timeSignal', spliceTime: { ptsTimeTicks: ticks(ptsSeconds) } },
    descriptors: [
      {
        type: 'segmentation',
        segmentationEventId: eventId,
        segmentationTypeId: typeId,
        upid: { upidType: UPID_ADI, value: upid },
        segmentNum: 1,
        segmentsExpected: 1,
        ...(durationSeconds !== undefined ? { segmentationDurationTicks: ticks(durationSeconds) } : {}),
        ...(restricted
          ? {
              deliveryNotRestrictedFlag: false,
              webDeliveryAllowedFlag: true,
              noRegionalBlackoutFlag: false,
              archiveAllowedFlag: true,
              deviceRestrictions: 3,
            }
          : {}),
      },
    ],
  };
}

/**
 * Starts a simulated live channel over a VOD ladder directory.
 * @example
 * const ladder = await packageHls((await makeSampleClip({ durationSeconds: 20 })).path);
 * const channel = await startLiveChannel({
 *   dir: ladder.dir,
 *   speed: 4,
 *   breaks: [{ offsetSeconds: 6, durationSeconds: 4 }],
 *   cueStyle: 'daterange-splice-insert',
 * });
 * await playInChromium(channel.url, { playSeconds: 10 });
 * await channel.stop();
 */
export async function startLiveChannel(options: LiveChannelOptions): Promise<LiveChannel> {
  const root = resolve(options.dir);
  const masterName = options.masterName ?? 'master.m3u8';
  const masterFile = join(root, masterName);
  const masterText = readText(masterFile);
  const { playlist: master } = parseMasterPlaylist(masterText);
  const masterDir = dirname(masterFile);
  const uris = [...master.variants.map((v) => v.uri), ...master.renditions.flatMap((r) => (r.uri ? [r.uri] : []))];
  const unique = [...new Set(uris)];
  if (unique.length === 0) throw new TestkitError('LADDER_INVALID', `${masterFile} lists no media playlists`);
  const sources = unique.map((uri) => loadRendition(root, masterDir, uri));
  const reference = sources[0]!;
  // Audio and video packaged separately may differ by one short trailing segment: loop the common part.
  const n = Math.min(...sources.map((s) => s.segments.length));
  for (const s of sources) {
    if (s.segments.length > n + 1) {
      throw new TestkitError(
        'LADDER_INVALID',
        `renditions are not aligned: ${s.path} has ${s.segments.length} segments, another has ${n}`,
      );
    }
    s.segments = s.segments.slice(0, n);
  }

  const windowSegments = options.windowSegments ?? 6;
  const speed = options.speed ?? 1;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(windowSegments) || windowSegments < 1) {
    throw new TestkitError('BAD_OPTIONS', `windowSegments must be a positive integer, got ${windowSegments}`);
  }
  if (!(speed > 0)) throw new TestkitError('BAD_OPTIONS', `speed must be > 0, got ${speed}`);

  // The reference rendition's timeline decides segment times, PDT and cue placement for all renditions.
  const durations = reference.segments.map((s) => s.duration);
  const starts: number[] = [];
  let acc = 0;
  for (const d of durations) {
    starts.push(acc);
    acc += d;
  }
  const loopSeconds = acc;
  const segStart = (k: number): number => Math.floor(k / n) * loopSeconds + starts[k % n]!;
  const segEnd = (k: number): number => segStart(k) + durations[k % n]!;

  const cueStyle = options.cueStyle ?? 'cue-out';
  const breaks: LiveBreak[] = (options.breaks ?? []).map((b, index) => {
    let startSegment = 0;
    for (let i = 0; i < n; i++) {
      if (Math.abs(starts[i]! - b.offsetSeconds) < Math.abs(starts[startSegment]! - b.offsetSeconds)) startSegment = i;
    }
    let segmentCount = 0;
    let coveredSeconds = 0;
    const startSeconds = starts[startSegment]!;
    while (
      startSegment + segmentCount < n &&
      starts[startSegment + segmentCount]! < startSeconds + b.durationSeconds - EPSILON_SECONDS
    ) {
      coveredSeconds += durations[startSegment + segmentCount]!;
      segmentCount++;
    }
    if (!(b.durationSeconds > 0) || segmentCount === 0 || startSeconds + b.durationSeconds > loopSeconds + 0.5) {
      throw new TestkitError(
        'BAD_OPTIONS',
        `break ${index} (${b.offsetSeconds}s + ${b.durationSeconds}s) does not fit in the ${loopSeconds}s loop`,
      );
    }
    const kind = b.kind ?? 'ad';
    return {
      index,
      kind,
      style: kind === 'program' ? 'daterange-time-signal' : (b.style ?? cueStyle),
      startSegment,
      segmentCount,
      startSeconds,
      durationSeconds: b.durationSeconds,
      coveredSeconds,
      upid: b.upid ?? `meridian-${kind}-${index}`,
    };
  });
  for (let i = 1; i < breaks.length; i++) {
    const a = [...breaks].sort((x, y) => x.startSegment - y.startSegment);
    if (a[i]!.startSegment <= a[i - 1]!.startSegment + a[i - 1]!.segmentCount - 1) {
      throw new TestkitError('BAD_OPTIONS', 'breaks overlap');
    }
  }

  // The first window is full at once: the channel "began" one window before it was started.
  const headSeconds = segEnd(windowSegments - 1);
  const startedAtMs = now();
  const pdtEpochMs = options.programDateTimeStartMs ?? startedAtMs - headSeconds * 1000;
  const pdt = (k: number): string => new Date(pdtEpochMs + Math.round(segStart(k) * 1000)).toISOString();

  const windowAt = (atMs: number): LiveWindow => {
    const target = Math.max(0, ((atMs - startedAtMs) * speed) / 1000) + headSeconds + EPSILON_SECONDS;
    const loop = Math.floor(target / loopSeconds);
    let last = loop * n - 1;
    for (let i = 0; i < n; i++) if (loop * loopSeconds + starts[i]! + durations[i]! <= target) last = loop * n + i;
    last = Math.max(last, windowSegments - 1);
    const first = Math.max(0, last - windowSegments + 1);
    const firstLoop = Math.floor(first / n);
    // RFC 8216 §6.2.2: the sequence counts the DISCONTINUITY tags that have left the window.
    const hasTag = first % n === 0 && firstLoop > 0;
    return {
      mediaSequence: first,
      discontinuitySequence: hasTag ? firstLoop - 1 : firstLoop,
      lastSequence: last,
      loop: Math.floor(last / n),
    };
  };

  let listenerUrl = '';
  const toUrl = (ref: string): string => (ABSOLUTE_URL.test(ref) ? ref : `${listenerUrl}/vod/${ref}`);
  const cueTags = (k: number, seg: MediaSegment): void => {
    const loop = Math.floor(k / n);
    for (const b of breaks) {
      for (const l of [loop, loop - 1]) {
        if (l < 0) continue;
        const bs = l * n + b.startSegment;
        const be = bs + b.segmentCount;
        if (k < bs || k > be) continue;
        const eventId = (l * 100 + b.index + 1) >>> 0;
        const id = `${b.kind === 'program' ? 'program' : 'break'}-${b.index}-${l}`;
        if (b.style === 'cue-out') {
          if (k === bs) seg.cueOut = { duration: b.durationSeconds };
          else if (k < be) {
            const out = encodeScte35(spliceInsert(eventId, true, segStart(bs), b.durationSeconds));
            seg.cueOutCont = {
              elapsedTime: Math.round((segStart(k) - segStart(bs)) * 1000) / 1000,
              duration: b.durationSeconds,
              scte35: formatScte35Base64(out),
            };
          } else seg.cueIn = true;
          continue;
        }
        // DATERANGE styles: the OUT on the first segment, the IN (same ID, with DURATION) after the last.
        // The OUT is not repeated when it slides out of the window: SSAI break detection would read a
        // repeat as a new break starting at the window's first segment.
        if (k !== bs && k !== be) continue;
        if (b.kind === 'program') {
          // A program boundary is no splice out/in: RFC 8216 §4.3.2.7.1 carries it in SCTE35-CMD, one
          // DATERANGE per signal, so SSAI break detection does not take a blackout for an ad avail.
          const start = k === bs;
          const range: DateRange = {
            id: start ? id : `${id}-end`,
            class: 'urn:meridian:program',
            startDate: pdt(k),
            scte35Cmd: formatScte35Hex(
              encodeScte35(
                start
                  ? timeSignal(eventId, 0x10, segStart(bs), b.upid, b.durationSeconds, true)
                  : timeSignal(eventId, 0x11, segStart(be), b.upid, undefined, true),
              ),
            ),
          };
          if (start) range.plannedDuration = b.durationSeconds;
          (seg.dateRanges ??= []).push(range);
          continue;
        }
        const range: DateRange = { id, startDate: pdt(bs) };
        if (k < be) {
          range.plannedDuration = b.durationSeconds;
          range.scte35Out = formatScte35Hex(
            encodeScte35(
              b.style === 'daterange-splice-insert'
                ? spliceInsert(eventId, true, segStart(bs), b.durationSeconds)
                : timeSignal(eventId, 0x34, segStart(bs), b.upid, b.durationSeconds, false),
            ),
          );
        } else {
          range.duration = b.durationSeconds;
          range.scte35In = formatScte35Hex(
            encodeScte35(
              b.style === 'daterange-splice-insert'
                ? spliceInsert(eventId, false, segStart(be), b.durationSeconds)
                : timeSignal(eventId, 0x35, segStart(be), b.upid, undefined, false),
            ),
          );
        }
        (seg.dateRanges ??= []).push(range);
      }
    }
  };

  const renderMedia = (source: RenditionSource, atMs: number): string => {
    const w = windowAt(atMs);
    const segments: MediaSegment[] = [];
    let lastMap: string | undefined;
    let lastKeys: string | undefined;
    for (let k = w.mediaSequence; k <= w.lastSequence; k++) {
      const i = k % n;
      const from = source.segments[i]!;
      const seg: MediaSegment = { uri: toUrl(from.uri), duration: from.duration };
      if (i === 0 && k > 0) seg.discontinuity = true;
      // EXT-X-MAP and EXT-X-KEY are sparse: repeat them where the window starts, after each loop, and on change.
      if (from.mapUri && (from.mapUri !== lastMap || seg.discontinuity)) seg.map = { uri: toUrl(from.mapUri) };
      lastMap = from.mapUri;
      const keys = from.keys ? JSON.stringify(from.keys) : undefined;
      if (from.keys && (keys !== lastKeys || seg.discontinuity)) {
        seg.keys = from.keys.map((key) => (key.uri ? { ...key, uri: toUrl(key.uri) } : { ...key }));
      }
      lastKeys = keys;
      seg.programDateTime = pdt(k);
      cueTags(k, seg);
      segments.push(seg);
    }
    const live: MediaPlaylist = {
      kind: 'media',
      version: Math.max(source.playlist.version ?? 3, 6),
      targetDuration: source.playlist.targetDuration,
      mediaSequence: w.mediaSequence,
      discontinuitySequence: w.discontinuitySequence,
      segments,
    };
    if (source.playlist.independentSegments) live.independentSegments = true;
    return serializePlaylist(live);
  };

  const byPath = new Map(sources.map((s) => [s.path, s]));
  const masterPath = toPosix(relative(root, masterFile));
  const requests: { path: string; at: number }[] = [];

  const listener = await listenLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: url.pathname, at: Date.now() });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    if (url.pathname.startsWith('/vod/')) {
      await serveFile(req, res, resolveUnder(root, url.pathname.slice('/vod'.length)));
      return;
    }
    const livePath = url.pathname.startsWith('/live/') ? decodeURIComponent(url.pathname.slice('/live/'.length)) : '';
    const source = byPath.get(livePath);
    const body = livePath === masterPath ? masterText : source ? renderMedia(source, now()) : undefined;
    if (body === undefined) {
      res.writeHead(404, { ...CORS_HEADERS, 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'application/vnd.apple.mpegurl',
      'cache-control': 'no-cache',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }, options.port);
  listenerUrl = listener.url;

  return {
    url: `${listener.url}/live/${masterPath}`,
    baseUrl: listener.url,
    port: listener.port,
    mediaUrls: sources.map((s) => `${listener.url}/live/${s.path}`),
    breaks,
    segmentsPerLoop: n,
    loopSeconds,
    requests,
    window: (atMs = now()) => windowAt(atMs),
    mediaPlaylist: (rendition = 0, atMs = now()) => {
      const source = sources[rendition];
      if (!source) throw new TestkitError('BAD_OPTIONS', `no rendition ${rendition} (have ${sources.length})`);
      return renderMedia(source, atMs);
    },
    kill: listener.kill,
    restart: listener.restart,
    stop: listener.kill,
  };
}
