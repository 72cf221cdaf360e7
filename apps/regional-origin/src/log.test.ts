/** @module Tests of the throttled warning: one line per message per interval, with the suppressed count. */
import { describe, expect, it } from 'vitest';
import { createMemoryLogger, createThrottledWarn } from './log.ts';

describe('createThrottledWarn', () => {
  it('writes a message once per interval and reports how many were suppressed', () => {
    const log = createMemoryLogger();
    let now = 0;
    const warn = createThrottledWarn(log, 1_000, () => now);
    for (let i = 0; i < 50; i++) warn('valkey down', { op: 'load' });
    warn('other problem');
    now = 1_500;
    warn('valkey down', { op: 'load' });
    expect(log.lines.map((l) => [l.msg, l.suppressed])).toEqual([
      ['valkey down', undefined],
      ['other problem', undefined],
      ['valkey down', 49],
    ]);
  });
});
