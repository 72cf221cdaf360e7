/** @module Shared e2e settings: the short media every stack uses, and a log that keeps stack lines for failure messages. */
import type { PlayReport } from '@meridian/testkit';
import type { MediaParams } from '../../scripts/demo/media.ts';

/** Short media so one file's stack starts (and a cold cache transcodes) quickly on 2 cores. */
export const E2E_MEDIA: Partial<MediaParams> = {
  contentSeconds: 24,
  adSeconds: 6,
  width: 640,
  height: 360,
  ladder: '240:400k,360:900k',
  segmentSeconds: 4,
};

/** A stack log that stays quiet unless `E2E_VERBOSE` is set, keeping every line for later. */
export function stackLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return {
    lines,
    log: (line) => {
      lines.push(line);
      if (process.env.E2E_VERBOSE) process.stderr.write(`[stack] ${line}\n`);
    },
  };
}

/** One line a human reads in the test output: what the viewer got. */
export function summarise(name: string, report: PlayReport): string {
  const fatal = report.fatalErrors.map((e) => e.details).join(',') || 'none';
  return `${name}: outcome=${report.outcome} played=${report.playedSeconds.toFixed(2)}s stalls=${report.stalls.length}${stallDetail(report)} fatal=${fatal} nonFatal=${JSON.stringify(report.nonFatalErrors)} fragments=${report.fragments.length} startup=${report.startupMs ?? '?'}ms hls.js=${report.hlsVersion}`;
}

/** Where and how long each rebuffer was, e.g. ` [8.02s ad#2 140ms, 14.00s 95ms]`; empty without stalls. */
function stallDetail(report: PlayReport): string {
  if (report.stalls.length === 0) return '';
  const one = (s: PlayReport['stalls'][number]): string =>
    `${s.atSeconds.toFixed(2)}s${s.inInterstitial ? ` ad#${s.interstitialsStarted}` : ''} ${s.ms ?? '…'}ms`;
  return ` [${report.stalls.map(one).join(', ')}]`;
}

/**
 * ffmpeg's stderr without its HLS demuxer's connection-reuse notices (logged at error level when
 * a playlist and its segments live on different hosts; nothing fails to decode).
 */
export function decodeErrors(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/Cannot reuse HTTP connection for different host/.test(l));
}

/** Seconds of ads stitched into every VOD session of a stack: one ad per break. */
export function stitchedAdSeconds(stack: { adSeconds: number; breakOffsetsSeconds: number[] }): number {
  return stack.adSeconds * stack.breakOffsetsSeconds.length;
}
