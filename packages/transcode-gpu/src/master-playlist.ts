/**
 * @module writeMasterPlaylist: master.m3u8 text from measured renditions. Kept in this one
 * file so it can later switch to manifest-core's renderMasterPlaylist.
 */

/** One video variant of the master playlist. */
export interface MasterVariant {
  /** URI relative to the master, e.g. `720p/index.m3u8`. */
  uri: string;
  /** Peak bitrate, video plus audio, bits per second (EXT-X-STREAM-INF BANDWIDTH). */
  bandwidthBps: number;
  /** Average bitrate, video plus audio, bits per second (AVERAGE-BANDWIDTH). */
  averageBandwidthBps: number;
  /** RFC 6381 codec strings, video first (e.g. `avc1.64001f,mp4a.40.2`). */
  codecs: string[];
  width: number;
  height: number;
  /** Frames per second (FRAME-RATE, three decimals). */
  frameRate: number;
}

/** The one audio rendition group (EXT-X-MEDIA TYPE=AUDIO). */
export interface MasterAudio {
  groupId: string;
  name: string;
  /** BCP 47 language tag. */
  language: string;
  uri: string;
}

/** Input of {@link writeMasterPlaylist}. */
export interface MasterPlaylistInput {
  variants: MasterVariant[];
  /** The audio group the variants reference, or null when there is no separate audio. */
  audio: MasterAudio | null;
}

const quote = (s: string): string => `"${s.replace(/"/g, "'")}"`;

/**
 * Renders master.m3u8: INDEPENDENT-SEGMENTS, the audio EXT-X-MEDIA with LANGUAGE, and one
 * STREAM-INF per variant with BANDWIDTH, AVERAGE-BANDWIDTH, CODECS, RESOLUTION, FRAME-RATE
 * and AUDIO (Apple HLS Authoring Spec 9.1, 9.2, 9.11, 9.14, 9.15), highest bandwidth last.
 * @example
 * writeMasterPlaylist({ variants: [{ uri: '240p/index.m3u8', bandwidthBps: 640_000, averageBandwidthBps: 610_000,
 *   codecs: ['avc1.64001e', 'mp4a.40.2'], width: 426, height: 240, frameRate: 30 }], audio: null });
 */
export function writeMasterPlaylist(input: MasterPlaylistInput): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (input.audio) {
    const a = input.audio;
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=${quote(a.groupId)},NAME=${quote(a.name)},LANGUAGE=${quote(a.language)},DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI=${quote(a.uri)}`,
    );
  }
  const variants = [...input.variants].sort((x, y) => x.bandwidthBps - y.bandwidthBps);
  for (const v of variants) {
    const attrs = [
      `BANDWIDTH=${Math.ceil(v.bandwidthBps)}`,
      `AVERAGE-BANDWIDTH=${Math.ceil(v.averageBandwidthBps)}`,
      `CODECS=${quote(v.codecs.join(','))}`,
    ];
    if (v.width > 0 && v.height > 0) attrs.push(`RESOLUTION=${v.width}x${v.height}`);
    if (v.frameRate > 0) attrs.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    if (input.audio) attrs.push(`AUDIO=${quote(input.audio.groupId)}`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}
