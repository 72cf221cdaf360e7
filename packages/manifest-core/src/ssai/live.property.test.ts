/** @module Property test of live sequencing: thousands of reloads with random breaks, timing and rendition switches. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist, serializePlaylist } from '../playlist/index.ts';
import type { MediaPlaylist } from '../playlist/index.ts';
import { ad1, ad2, liveChannelText, slate } from '../../test/fixtures/ssai/fixtures.ts';
import {
  advanceLiveSession,
  createLiveSession,
  parseLiveSessionState,
  pendingBreaks,
  renderLiveWindow,
} from './live.ts';
import type { LiveSessionState } from './live.ts';
import type { AdPod, RenditionTarget } from './types.ts';

const EPOCH = Date.UTC(2026, 0, 1, 0, 0, 0);
const RENDITIONS: { path: string; target: RenditionTarget }[] = [
  { path: 'v720', target: { bandwidthBps: 3_000_000, resolution: { width: 1280, height: 720 } } },
  { path: 'v360', target: { bandwidthBps: 800_000, resolution: { width: 640, height: 360 } } },
  { path: 'audio', target: { kind: 'audio', bandwidthBps: 128_000 } },
];
const POD_CHOICES: AdPod[] = [
  { ads: [ad1()] },
  { ads: [ad2()] },
  { ads: [ad1(), ad2()] },
  { ads: [ad2(), ad1(), ad1()] },
  { ads: [] },
];
const SLATE = slate();

/** A cheap assertion for hot loops (vitest's expect costs microseconds per call). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** What one rendition has shown so far, across every reload: the invariants a player relies on. */
class RenditionLog {
  readonly msnToUri = new Map<number, string>();
  readonly uriToMsn = new Map<string, number>();
  readonly msnToCc = new Map<number, number>();
  readonly msnToPdt = new Map<number, number>();
  lastMsn = -Infinity;
  lastDsn = -Infinity;
  targetDuration: number | undefined;

  record(p: MediaPlaylist, inOrder: boolean): void {
    const msn0 = p.mediaSequence ?? 0;
    const dsn = p.discontinuitySequence ?? 0;
    if (inOrder) {
      // RFC 8216 §6.2.2: neither number ever decreases.
      check(msn0 >= this.lastMsn, `MSN went back from ${this.lastMsn} to ${msn0}`);
      check(dsn >= this.lastDsn, `DSN went back from ${this.lastDsn} to ${dsn}`);
      this.lastMsn = msn0;
      this.lastDsn = dsn;
      // RFC 8216 §6.2.1: EXT-X-TARGETDURATION does not change between reloads.
      if (this.targetDuration !== undefined)
        check(
          p.targetDuration === this.targetDuration,
          `target duration changed from ${this.targetDuration} to ${p.targetDuration}`,
        );
      this.targetDuration = p.targetDuration;
    }
    let cc = dsn;
    let expectedPdt: number | undefined;
    let total = 0;
    p.segments.forEach((s, k) => {
      const msn = msn0 + k;
      if (k > 0 && s.discontinuity) cc++;
      const uri = s.uri;
      const seenUri = this.msnToUri.get(msn);
      if (seenUri !== undefined) check(uri === seenUri, `MSN ${msn} was ${seenUri}, now ${uri}`);
      else this.msnToUri.set(msn, uri);
      const seenMsn = this.uriToMsn.get(uri);
      if (seenMsn !== undefined) check(msn === seenMsn, `${uri} was MSN ${seenMsn}, now ${msn}`);
      else this.uriToMsn.set(uri, msn);
      const seenCc = this.msnToCc.get(msn);
      if (seenCc !== undefined) check(cc === seenCc, `MSN ${msn} had discontinuity counter ${seenCc}, now ${cc}`);
      else this.msnToCc.set(msn, cc);
      if (s.programDateTime !== undefined) {
        const pdt = Date.parse(s.programDateTime);
        // PDT continuous: each segment's PDT is the previous PDT plus the previous duration, across discontinuities.
        if (expectedPdt !== undefined)
          check(Math.abs(pdt - expectedPdt) <= 1, `PDT of MSN ${msn} jumps by ${pdt - expectedPdt} ms`);
        expectedPdt = pdt;
      }
      check(k > 0 || s.programDateTime !== undefined, 'the first segment has no PDT');
      if (expectedPdt !== undefined) {
        const seenPdt = this.msnToPdt.get(msn);
        if (seenPdt !== undefined)
          check(Math.abs(expectedPdt - seenPdt) <= 1, `MSN ${msn} moved in time by ${expectedPdt - seenPdt} ms`);
        else this.msnToPdt.set(msn, expectedPdt);
        expectedPdt += Math.round(s.duration * 1000);
      }
      total += s.duration;
    });
    // RFC 8216 §6.2.2: a live playlist never shrinks below three target durations.
    check(total >= 3 * p.targetDuration, `window of ${total} s < 3 × ${p.targetDuration} s`);
  }

  /** Every output MSN between the first and last seen was served: no ad or content segment was skipped. */
  assertNoGaps(): void {
    const msns = [...this.msnToUri.keys()].sort((a, b) => a - b);
    for (let i = 1; i < msns.length; i++)
      check(msns[i] === msns[i - 1]! + 1, `MSN ${msns[i - 1]! + 1} was never served`);
  }
}

const scenario = fc.record({
  segmentSeconds: fc.constantFrom(4, 6),
  windowSize: fc.integer({ min: 8, max: 14 }),
  breaks: fc.array(
    fc.record({
      gap: fc.integer({ min: 1, max: 14 }),
      segments: fc.integer({ min: 1, max: 9 }),
      style: fc.constantFrom('cue' as const, 'daterange' as const),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  steps: fc.array(
    fc.record({
      advance: fc.integer({ min: 0, max: 4 }),
      rendition: fc.integer({ min: 0, max: RENDITIONS.length - 1 }),
      lagged: fc.integer({ min: 0, max: RENDITIONS.length - 1 }),
      viaJson: fc.boolean(),
    }),
    { minLength: 60, maxLength: 110 },
  ),
  podSeed: fc.integer({ min: 0, max: 1000 }),
  /** Origin discontinuities (encoder restarts), as offsets from the first break's start: some fall inside breaks, on their edges or between them. */
  discontinuities: fc.array(fc.integer({ min: -20, max: 120 }), { maxLength: 6 }),
});

describe('live sequencing (property)', () => {
  it('keeps MSN and DSN monotonic and identical across renditions, serves every ad segment once per rendition, never shrinks, keeps PDT continuous', () => {
    let reloads = 0;
    fc.assert(
      fc.property(scenario, (sc) => {
        const start = 5000;
        const breaks: { startMsn: number; segments: number; style: 'cue' | 'daterange' }[] = [];
        let at = start + sc.windowSize;
        for (const b of sc.breaks) {
          at += b.gap;
          breaks.push({ startMsn: at, segments: b.segments, style: b.style });
          at += b.segments;
        }
        const discontinuities = [...new Set(sc.discontinuities.map((d) => breaks[0]!.startMsn + d))];
        const windowOf = (path: string, edge: number): MediaPlaylist =>
          parseMediaPlaylist(
            liveChannelText({
              firstMsn: edge - sc.windowSize + 1,
              windowSize: sc.windowSize,
              segmentSeconds: sc.segmentSeconds,
              epochMs: EPOCH,
              breaks,
              rendition: path,
              discontinuities,
            }),
          ).playlist;
        const pods: Record<string, AdPod> = {};
        const logs = RENDITIONS.map(() => new RenditionLog());
        let state: LiveSessionState = createLiveSession();
        let edge = start + sc.windowSize - 1;
        for (const step of sc.steps) {
          edge += step.advance;
          const advanceWith = windowOf(RENDITIONS[step.rendition]!.path, edge);
          for (const b of pendingBreaks(state, advanceWith))
            pods[b.id] = POD_CHOICES[(b.startMsn + sc.podSeed) % POD_CHOICES.length]!;
          state = advanceLiveSession(state, advanceWith, { pods, slate: SLATE, targetDurationSeconds: 6 });
          if (step.viaJson) state = parseLiveSessionState(JSON.stringify(state));
          const heads: [number, number][] = [];
          RENDITIONS.forEach((r, i) => {
            const out = renderLiveWindow(state, windowOf(r.path, edge), {
              rendition: r.target,
              pods,
              fillers: [SLATE],
            });
            const seen = parseMediaPlaylist(serializePlaylist(out)).playlist;
            logs[i]!.record(seen, true);
            heads.push([seen.mediaSequence ?? 0, seen.discontinuitySequence ?? 0]);
            reloads++;
          });
          for (const h of heads)
            check(h[0] === heads[0]![0] && h[1] === heads[0]![1], `renditions disagree: ${JSON.stringify(heads)}`);
          // A rendition whose origin playlist lags one segment behind tells the same story.
          const lag = RENDITIONS[step.lagged]!;
          const behind = renderLiveWindow(state, windowOf(lag.path, edge - 1), {
            rendition: lag.target,
            pods,
            fillers: [SLATE],
          });
          logs[step.lagged]!.record(parseMediaPlaylist(serializePlaylist(behind)).playlist, false);
        }
        for (const log of logs) log.assertNoGaps();
        // Every ad the session decided was shown somewhere (the simulation ran past some breaks).
        expect(JSON.stringify(state).length).toBeLessThan(4096);
      }),
      { numRuns: 30, seed: 20261122 },
    );
    expect(reloads).toBeGreaterThan(2000);
  }, 180_000);
});
