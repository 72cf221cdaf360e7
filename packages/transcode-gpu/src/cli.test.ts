/** @module Unit tests of the terminal progress line (bar, percent, ETA). */
import { describe, expect, it } from 'vitest';
import { formatProgressLine } from './cli.ts';

describe('formatProgressLine', () => {
  it('draws the bar and derives the ETA from elapsed time and fraction done', () => {
    // A quarter done after 30 s: 90 s to go.
    expect(formatProgressLine({ fraction: 0.25, outTimeSeconds: 15, durationSeconds: 60, speed: 0.5 }, 30, 20)).toBe(
      '[#####...............]  25%  15.0/60.0 s  0.50x  ETA 1:30',
    );
    expect(formatProgressLine({ fraction: 1, outTimeSeconds: 60, durationSeconds: 60 }, 120, 10)).toBe(
      '[##########] 100%  60.0/60.0 s  ETA 0:00',
    );
    expect(formatProgressLine({ fraction: 0, outTimeSeconds: 0, durationSeconds: 60 }, 1, 4)).toBe(
      '[....]   0%  0.0/60.0 s  ETA --:--',
    );
  });
});
