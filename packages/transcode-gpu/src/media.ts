/**
 * @module Reading what ffmpeg wrote: the media playlist's segments, measured bandwidth from
 * segment sizes, and RFC 6381 CODECS strings read from the actual bitstream (avcC/hvcC/SPS).
 */
import { TranscodeError } from './errors.ts';

/** One segment line of a media playlist. */
export interface PlaylistSegment {
  uri: string;
  durationSeconds: number;
}

/** The parts of an ffmpeg VOD media playlist this package needs. */
export interface MediaPlaylistInfo {
  targetDurationSeconds: number;
  /** EXT-X-MAP URI (fMP4 init segment), when present. */
  mapUri: string | undefined;
  segments: PlaylistSegment[];
  /** True when the playlist ends with EXT-X-ENDLIST (ffmpeg wrote it to the end). */
  ended: boolean;
}

/** Reads the segment list of a media playlist ffmpeg wrote. Throws OUTPUT_INVALID when it is not one. */
export function readMediaPlaylist(text: string): MediaPlaylistInfo {
  if (!text.startsWith('#EXTM3U'))
    throw new TranscodeError('OUTPUT_INVALID', 'media playlist does not start with #EXTM3U');
  const segments: PlaylistSegment[] = [];
  let targetDurationSeconds = 0;
  let mapUri: string | undefined;
  let pending: number | undefined;
  let ended = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDurationSeconds = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MAP:')) mapUri = /URI="([^"]*)"/.exec(line)?.[1];
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (!line.startsWith('#')) {
      if (pending === undefined) throw new TranscodeError('OUTPUT_INVALID', `segment ${line} has no EXTINF`);
      segments.push({ uri: line, durationSeconds: pending });
      pending = undefined;
    }
  }
  return { targetDurationSeconds, mapUri, segments, ended };
}

/** Measured bitrates of a rendition. */
export interface MeasuredBandwidth {
  /** Highest single-segment bitrate, bits per second, rounded up. */
  peakBps: number;
  /** Total media bits over total duration, rounded up. */
  averageBps: number;
}

/**
 * Measures peak and average bitrate from segment sizes and EXTINF durations. The peak is
 * RFC 8216bis §4.4.6.2's: the largest bitrate of any contiguous run of segments whose total
 * duration is between 0.5 and 1.5 times the target duration — so a 20 ms tail segment cannot
 * pose as the peak. The init segment is not a media segment and is not counted.
 */
export function measureBandwidth(
  segments: ReadonlyArray<{ bytes: number; durationSeconds: number }>,
  targetDurationSeconds: number,
): MeasuredBandwidth {
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  for (const s of segments) {
    bits += s.bytes * 8;
    seconds += s.durationSeconds;
  }
  const lo = 0.5 * targetDurationSeconds;
  const hi = 1.5 * targetDurationSeconds;
  for (let i = 0; i < segments.length; i++) {
    let runBits = 0;
    let runSeconds = 0;
    for (let j = i; j < segments.length; j++) {
      const s = segments[j] as { bytes: number; durationSeconds: number };
      runBits += s.bytes * 8;
      runSeconds += s.durationSeconds;
      if (runSeconds > hi) break;
      if (runSeconds >= lo) peak = Math.max(peak, runBits / runSeconds);
    }
  }
  // A playlist shorter than half a target duration has no qualifying run: its average is its peak.
  if (peak === 0 && seconds > 0) peak = bits / seconds;
  return { peakBps: Math.ceil(peak), averageBps: seconds > 0 ? Math.ceil(bits / seconds) : 0 };
}

function findBox(bytes: Uint8Array, fourcc: string): number {
  const [a, b, c, d] = [...fourcc].map((ch) => ch.charCodeAt(0));
  for (let i = 4; i + 4 <= bytes.length; i++) {
    if (bytes[i] === a && bytes[i + 1] === b && bytes[i + 2] === c && bytes[i + 3] === d) return i + 4;
  }
  return -1;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** `avc1.PPCCLL` from profile_idc, constraint flags and level_idc (RFC 6381 §3.3). */
function avcCodec(profile: number, constraints: number, level: number): string {
  return `avc1.${hex2(profile)}${hex2(constraints)}${hex2(level)}`;
}

/** `hvc1.…` from an hvcC record body (ISO/IEC 14496-15 Annex E.3). */
function hevcCodec(rec: Uint8Array, at: number): string {
  const b1 = rec[at + 1] ?? 0;
  const space = ['', 'A', 'B', 'C'][b1 >> 6] ?? '';
  const tier = (b1 >> 5) & 1 ? 'H' : 'L';
  const profile = b1 & 0x1f;
  let compat = 0;
  for (let i = 0; i < 4; i++) compat = (compat << 8) | (rec[at + 2 + i] ?? 0);
  // The 32 compatibility flags are written in reverse bit order.
  let reversed = 0;
  for (let i = 0; i < 32; i++) if ((compat >>> i) & 1) reversed |= 1 << (31 - i);
  const constraints = Array.from(rec.subarray(at + 6, at + 12));
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const level = rec[at + 12] ?? 0;
  const parts = [`hvc1`, `${space}${profile}`, (reversed >>> 0).toString(16).toUpperCase(), `${tier}${level}`];
  for (const c of constraints) parts.push(c.toString(16).toUpperCase());
  return parts.join('.');
}

/**
 * The RFC 6381 video codec string of a rendition, read from the fMP4 init segment (avcC/hvcC)
 * or, for MPEG-TS, from the first H.264 SPS in the first segment. Throws OUTPUT_INVALID when
 * neither is found.
 */
export function videoCodecString(bytes: Uint8Array): string {
  const avcc = findBox(bytes, 'avcC');
  if (avcc >= 0) return avcCodec(bytes[avcc + 1] ?? 0, bytes[avcc + 2] ?? 0, bytes[avcc + 3] ?? 0);
  const hvcc = findBox(bytes, 'hvcC');
  if (hvcc >= 0) return hevcCodec(bytes, hvcc);
  for (let i = 0; i + 6 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1 && ((bytes[i + 3] ?? 0) & 0x1f) === 7) {
      return avcCodec(bytes[i + 4] ?? 0, bytes[i + 5] ?? 0, bytes[i + 6] ?? 0);
    }
  }
  throw new TranscodeError('OUTPUT_INVALID', 'no avcC, hvcC or H.264 SPS found in the rendition');
}

/** The codec string of the AAC-LC audio this package encodes (RFC 6381: mp4a.40.2). */
export const AAC_LC_CODEC = 'mp4a.40.2';
