/**
 * @module ffmpeg as a second client of stitched playlists. ffmpeg 5.1 keeps a playlist's first fMP4
 * init section and each clip's timestamps restart at a discontinuity, so its decoded timeline is no
 * duration measure there: what it read is (the playlist duration, and which segments it fetched).
 */
import type { FfmpegProbeReport } from '@meridian/testkit';
import { isAdSegment } from './hls.ts';

/** What ffmpeg read of a stitched VOD. */
export interface StitchedRead {
  /** The playlist duration ffmpeg's demuxer reported, seconds (0 when none). */
  durationSeconds: number;
  /** Break ids whose ad segments it fetched (stitched ad URIs carry `mbk=<breakId>.<n>`). */
  breaks: string[];
  /** Content media segments it fetched. */
  contentSegments: number;
}

/** Sums up what ffmpeg fetched while decoding a stitched VOD. */
export function stitchedRead(probe: FfmpegProbeReport): StitchedRead {
  // AES-128 segments are opened through ffmpeg's crypto protocol: `crypto+http://…`.
  const segments = probe.openedUrls
    .map((u) => u.replace(/^crypto\+/, ''))
    .filter((u) => /^https?:/.test(u) && /\.(m4s|ts)(\?|$)/.test(u));
  const breaks = new Set<string>();
  for (const u of segments.filter(isAdSegment)) {
    const id = new URL(u).searchParams.get('mbk')?.split('.')[0];
    if (id) breaks.add(id);
  }
  return {
    durationSeconds: probe.durationSeconds ?? 0,
    breaks: [...breaks].sort(),
    contentSegments: segments.filter((u) => !isAdSegment(u)).length,
  };
}

/** One line for the test output. */
export function describeProbe(name: string, probe: FfmpegProbeReport): string {
  const read = stitchedRead(probe);
  return `${name}: exit=${probe.exitCode} duration=${read.durationSeconds.toFixed(2)}s breaks=${read.breaks.join(',')} contentSegments=${read.contentSegments} errors=${JSON.stringify(probe.stderr.split('\n').filter((l) => l !== '').length)}`;
}
