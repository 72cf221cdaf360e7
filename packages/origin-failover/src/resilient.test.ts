/** @module Resilient mode on a manual clock: priority, memory, Retry-After, hedging, deadlines and stale live playlists. */
import { describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from './clock.ts';
import { isOriginError } from './errors.ts';
import { createOriginGroupWithTransport, getAttempts } from './group.ts';
import type { OriginGroupOptions } from './options.ts';
import { createScriptedTransport, type Script } from '../test/support/scripted-transport.ts';

const three = [
  { id: 'a', url: 'http://a.test/' },
  { id: 'b', url: 'http://b.test/' },
  { id: 'c', url: 'http://c.test/' },
];

function setup(scripts: Record<string, Script | ((n: number) => Script)>, extra: Partial<OriginGroupOptions> = {}) {
  const clock = createManualClock(1_700_000_000_000);
  const transport = createScriptedTransport(clock, scripts);
  const group = createOriginGroupWithTransport({ origins: three, clock, ...extra }, transport);
  return { clock, transport, group };
}

async function run(clock: ManualClock, p: Promise<Response>): Promise<{ res: Response; tookMs: number }> {
  const start = clock.now();
  let done: Response | undefined;
  let failed: unknown;
  p.then(
    (r) => (done = r),
    (e: unknown) => (failed = e),
  );
  for (;;) {
    await clock.advance(0);
    if (done !== undefined || failed !== undefined) break;
    if (!(await clock.next())) break;
  }
  if (failed !== undefined) throw failed;
  if (!done) throw new Error('fetch never settled');
  return { res: done, tookMs: clock.now() - start };
}

async function runError(clock: ManualClock, p: Promise<Response>): Promise<{ err: unknown; tookMs: number }> {
  const start = clock.now();
  try {
    await run(clock, p);
  } catch (err) {
    return { err, tookMs: clock.now() - start };
  }
  throw new Error('expected the fetch to fail');
}

const playlist = (seq: number, ended = false) =>
  `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:${seq}\n#EXTINF:6,\nseg${seq}.ts\n${ended ? '#EXT-X-ENDLIST\n' : ''}`;

describe('resilient mode: priority order and failover', () => {
  it('uses origins in priority order and fails over past refusals and listed statuses', async () => {
    const { clock, group } = setup({
      a: { kind: 'refused' },
      b: { kind: 'respond', status: 503 },
      c: { kind: 'respond', body: 'from c' },
    });
    const { res } = await run(clock, group.fetch('/x.ts'));
    expect(res.headers.get('x-meridian-origin')).toBe('c');
    expect(await res.text()).toBe('from c');
    expect(getAttempts(res).map((a) => `${a.originId}:${a.outcome}`)).toEqual([
      'a:refused',
      'b:failover-status',
      'c:ok',
    ]);
  });

  it('throws ORIGIN_EXHAUSTED listing every attempt when no origin answers', async () => {
    const { clock, group } = setup({ a: { kind: 'refused' }, b: { kind: 'refused' }, c: { kind: 'refused' } });
    const { err } = await runError(clock, group.fetch('/x.ts'));
    expect(isOriginError(err, 'ORIGIN_EXHAUSTED')).toBe(true);
    expect(isOriginError(err) && err.attempts.map((a) => a.originId)).toEqual(['a', 'b', 'c']);
  });

  it('returns the last origin answer when every origin gives a listed status (a real 404 stays a 404)', async () => {
    const { clock, group } = setup({
      a: { kind: 'respond', status: 404 },
      b: { kind: 'respond', status: 404 },
      c: { kind: 'respond', status: 404, body: 'gone' },
    });
    const { res } = await run(clock, group.fetch('/x.ts'));
    expect(res.status).toBe(404);
    expect(res.headers.get('x-meridian-origin')).toBe('c');
    expect(await res.text()).toBe('gone');
  });

  it('sends a POST to one origin only', async () => {
    const { clock, group, transport } = setup({ a: { kind: 'respond', status: 503 }, b: { kind: 'respond' } });
    const { res } = await run(clock, group.fetch('/api', { method: 'POST', body: 'x' }));
    expect(res.status).toBe(503);
    expect(transport.seen.map((s) => s.originId)).toEqual(['a']);
  });

  it('stops at the total deadline with DEADLINE_EXCEEDED', async () => {
    const { clock, group } = setup(
      { a: { kind: 'black-hole' }, b: { kind: 'black-hole' }, c: { kind: 'black-hole' } },
      { deadlineMs: 2_500, hedging: false },
    );
    const { err, tookMs } = await runError(clock, group.fetch('/x.ts'));
    expect(isOriginError(err, 'DEADLINE_EXCEEDED')).toBe(true);
    expect(tookMs).toBe(2_500);
  });
});

describe('resilient mode: caller aborts, completion cap and hooks', () => {
  it('a caller abort stops every attempt and rejects with ABORTED', async () => {
    const { clock, group } = setup({ a: { kind: 'black-hole' }, b: { kind: 'black-hole' } });
    const controller = new AbortController();
    const pending = group.fetch('/x.ts', { signal: controller.signal });
    clock.setTimeout(() => controller.abort(), 500);
    const { err, tookMs } = await runError(clock, pending);
    expect(isOriginError(err, 'ABORTED')).toBe(true);
    expect(tookMs).toBe(500);
  });

  it('the completion timeout ends a body that keeps trickling within the read timeout', async () => {
    const { clock, group } = setup(
      { a: { kind: 'respond', body: 'first bytes', dripEveryMs: 1_000 } },
      { completionTimeoutMs: 20_000, responseTimeoutMs: 15_000, hedging: false },
    );
    const { res } = await run(clock, group.fetch('/x.ts'));
    const reader = res.body!.getReader();
    let err: unknown;
    let bytes = 0;
    const pump = (async () => {
      for (;;) {
        const r = await reader.read();
        if (r.done) return;
        bytes += r.value.byteLength;
      }
    })().catch((e: unknown) => (err = e));
    await clock.advance(19_999);
    expect(err).toBeUndefined();
    await clock.advance(1);
    await pump;
    expect(isOriginError(err, 'COMPLETION_TIMEOUT')).toBe(true);
    expect(bytes).toBeGreaterThan(20);
  });

  it('a completion timeout shorter than the deadline ends the wait for headers with COMPLETION_TIMEOUT', async () => {
    const { clock, group } = setup(
      { a: { kind: 'silent' }, b: { kind: 'silent' } },
      { completionTimeoutMs: 12_000, responseTimeoutMs: 10_000, deadlineMs: 60_000, hedging: false },
    );
    const { err, tookMs } = await runError(clock, group.fetch('/x.ts'));
    expect(isOriginError(err, 'COMPLETION_TIMEOUT')).toBe(true);
    expect(tookMs).toBe(12_000);
  });

  it('reports the chosen response through onResponse with its latency', async () => {
    const events: string[] = [];
    const { clock, group } = setup(
      { a: { kind: 'respond', delayMs: 40 } },
      { hedging: false, onResponse: (e) => events.push(`${e.originId} ${e.status} ${e.elapsedMs} ${e.requestClass}`) },
    );
    await run(clock, group.fetch('/x.m3u8'));
    expect(events).toEqual(['a 200 40 playlist']);
  });
});

describe('resilient mode: failure memory', () => {
  it('ejects an origin after consecutive failures and probes it half-open after the cooldown', async () => {
    let aHealthy = false;
    const { clock, group, transport } = setup(
      { a: () => (aHealthy ? { kind: 'respond', body: 'a' } : { kind: 'refused' }), b: { kind: 'respond', body: 'b' } },
      { ejection: { failureThreshold: 3, cooldownMs: 10_000, successThreshold: 2 }, hedging: false },
    );
    for (let i = 0; i < 3; i++) await run(clock, group.fetch('/x.ts'));
    expect(transport.seen.filter((s) => s.originId === 'a')).toHaveLength(3);
    transport.seen.length = 0;
    const { res } = await run(clock, group.fetch('/x.ts'));
    expect(getAttempts(res).map((a) => a.originId)).toEqual(['b']);
    expect(group.health().find((h) => h.originId === 'a')?.state).toBe('open');

    // Memory is per request class: playlists still try a first.
    const pl = await run(clock, group.fetch('/live.m3u8'));
    expect(getAttempts(pl.res)[0]?.originId).toBe('a');

    aHealthy = true;
    await clock.advance(10_000);
    const probe1 = await run(clock, group.fetch('/x.ts'));
    expect(probe1.res.headers.get('x-meridian-origin')).toBe('a');
    expect(group.health().find((h) => h.originId === 'a' && h.requestClass === 'segment')?.state).toBe('half-open');
    await run(clock, group.fetch('/x.ts'));
    expect(group.health().find((h) => h.originId === 'a' && h.requestClass === 'segment')?.state).toBe('closed');
  });

  it('a listed 404 fails over but does not eject the origin (it answered; the object is just missing)', async () => {
    const { clock, group, transport } = setup(
      { a: { kind: 'respond', status: 404 }, b: { kind: 'respond' } },
      { hedging: false },
    );
    for (let i = 0; i < 5; i++) await run(clock, group.fetch(`/new-${i}.ts`));
    expect(transport.seen.map((s) => s.originId)).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('a 503 does count towards ejection', async () => {
    const { clock, group, transport } = setup(
      { a: { kind: 'respond', status: 503 }, b: { kind: 'respond' } },
      { hedging: false },
    );
    for (let i = 0; i < 4; i++) await run(clock, group.fetch('/x.ts'));
    expect(transport.seen.map((s) => s.originId)).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'b']);
  });

  it('a failed half-open probe ejects the origin again at once', async () => {
    const { clock, group } = setup(
      { a: { kind: 'refused' }, b: { kind: 'respond' } },
      { ejection: { failureThreshold: 2, cooldownMs: 5_000 }, hedging: false },
    );
    await run(clock, group.fetch('/x.ts'));
    await run(clock, group.fetch('/x.ts'));
    await clock.advance(5_000);
    const { res } = await run(clock, group.fetch('/x.ts'));
    expect(getAttempts(res).map((a) => a.originId)).toEqual(['a', 'b']);
    const after = await run(clock, group.fetch('/x.ts'));
    expect(getAttempts(after.res).map((a) => a.originId)).toEqual(['b']);
  });

  it('fails open: when every origin is ejected they are still tried in priority order', async () => {
    const { clock, group } = setup(
      { a: { kind: 'refused' }, b: { kind: 'refused' }, c: { kind: 'refused' } },
      { ejection: { failureThreshold: 1 }, hedging: false },
    );
    await runError(clock, group.fetch('/x.ts'));
    const { err } = await runError(clock, group.fetch('/x.ts'));
    expect(isOriginError(err) && err.attempts.map((a) => a.originId)).toEqual(['a', 'b', 'c']);
  });

  it('honours Retry-After on 503: the origin receives nothing until then', async () => {
    const { clock, group, transport } = setup(
      { a: { kind: 'respond', status: 503, headers: { 'retry-after': '5' } }, b: { kind: 'respond' } },
      { hedging: false },
    );
    await run(clock, group.fetch('/x.ts'));
    transport.seen.length = 0;
    await clock.advance(4_999);
    await run(clock, group.fetch('/y.ts'));
    expect(transport.seen.map((s) => s.originId)).toEqual(['b']);
    await clock.advance(1);
    transport.seen.length = 0;
    await run(clock, group.fetch('/z.ts'));
    expect(transport.seen[0]?.originId).toBe('a');
  });

  it('honours Retry-After given as an HTTP date on 429', async () => {
    const clockStart = 1_700_000_000_000;
    const until = new Date(clockStart + 60_000).toUTCString();
    const { clock, group, transport } = setup(
      { a: { kind: 'respond', status: 429, headers: { 'retry-after': until } }, b: { kind: 'respond' } },
      { hedging: false },
    );
    await run(clock, group.fetch('/x.ts'));
    await clock.advance(30_000);
    transport.seen.length = 0;
    await run(clock, group.fetch('/x.ts'));
    expect(transport.seen.map((s) => s.originId)).toEqual(['b']);
  });
});

describe('resilient mode: hedged GETs', () => {
  it('hedges to the next origin after the default delay; the first good answer wins and the loser is aborted', async () => {
    const { clock, group } = setup({
      a: { kind: 'respond', body: 'slow a', delayMs: 5_000 },
      b: { kind: 'respond', body: 'fast b', delayMs: 10 },
    });
    const { res, tookMs } = await run(clock, group.fetch('/x.ts'));
    expect(tookMs).toBe(160);
    expect(await res.text()).toBe('fast b');
    await clock.advance(0);
    expect(getAttempts(res).map((a) => `${a.originId}:${a.outcome}${a.hedge ? ':hedge' : ''}`)).toEqual([
      'b:ok:hedge',
      'a:hedge-lost',
    ]);
  });

  it('learns the hedge delay from the p95 of recent latencies', async () => {
    const { clock, group, transport } = setup(
      { a: { kind: 'respond', delayMs: 40 }, b: { kind: 'respond' } },
      { hedging: { minSamples: 20, floorMs: 5 } },
    );
    for (let i = 0; i < 20; i++) await run(clock, group.fetch('/x.ts'));
    expect(transport.seen.every((s) => s.originId === 'a')).toBe(true);
    transport.set('a', { kind: 'respond', delayMs: 1_000 });
    transport.seen.length = 0;
    const { tookMs, res } = await run(clock, group.fetch('/x.ts'));
    expect(tookMs).toBe(40);
    expect(res.headers.get('x-meridian-origin')).toBe('b');
  });

  it('a hedge that loses to the earlier request is not held against its origin', async () => {
    const { clock, group } = setup(
      { a: { kind: 'respond', delayMs: 200 }, b: { kind: 'respond', delayMs: 100 } },
      { hedging: { defaultDelayMs: 150, minSamples: 1_000 } },
    );
    for (let i = 0; i < 5; i++) {
      const { res } = await run(clock, group.fetch('/x.ts'));
      expect(res.headers.get('x-meridian-origin')).toBe('a');
      await clock.advance(0);
      expect(getAttempts(res).map((x) => `${x.originId}:${x.outcome}`)).toEqual(['a:ok', 'b:hedge-lost']);
    }
    const b = group.health().find((h) => h.originId === 'b');
    expect(b?.state ?? 'closed').toBe('closed');
    expect(b?.consecutiveFailures ?? 0).toBe(0);
  });

  it('does not hedge beyond the budget', async () => {
    const { clock, group, transport } = setup(
      { a: { kind: 'respond', delayMs: 500 }, b: { kind: 'respond' } },
      { hedging: { budgetRatio: 0, minConcurrentHedges: 0 } },
    );
    const { tookMs, res } = await run(clock, group.fetch('/x.ts'));
    expect(tookMs).toBe(500);
    expect(res.headers.get('x-meridian-origin')).toBe('a');
    expect(transport.seen.map((s) => s.originId)).toEqual(['a']);
  });

  it('a black-holed primary is ejected through lost hedges, after which requests skip it', async () => {
    const { clock, group, transport } = setup(
      { a: { kind: 'black-hole' }, b: { kind: 'respond' } },
      { ejection: { failureThreshold: 3 } },
    );
    for (let i = 0; i < 3; i++) await run(clock, group.fetch('/x.ts'));
    transport.seen.length = 0;
    const { tookMs, res } = await run(clock, group.fetch('/x.ts'));
    expect(tookMs).toBe(0);
    expect(res.headers.get('x-meridian-origin')).toBe('b');
    expect(transport.seen.map((s) => s.originId)).toEqual(['b']);
  });
});

describe('resilient mode: HLS-aware playlists', () => {
  it('a live playlist whose media sequence stops advancing for more than 3 × target duration fails over', async () => {
    let seqA = 100;
    const { clock, group } = setup(
      { a: () => ({ kind: 'respond', body: playlist(seqA) }), b: { kind: 'respond', body: playlist(104) } },
      { hedging: false },
    );
    const first = await run(clock, group.fetch('/live/720p.m3u8'));
    expect(first.res.headers.get('x-meridian-origin')).toBe('a');
    await clock.advance(6_000);
    seqA = 101;
    expect((await run(clock, group.fetch('/live/720p.m3u8'))).res.headers.get('x-meridian-origin')).toBe('a');
    await clock.advance(18_000); // exactly 3 × 6 s: not yet stale
    expect((await run(clock, group.fetch('/live/720p.m3u8'))).res.headers.get('x-meridian-origin')).toBe('a');
    await clock.advance(1);
    const stale = await run(clock, group.fetch('/live/720p.m3u8'));
    expect(stale.res.headers.get('x-meridian-origin')).toBe('b');
    expect(await stale.res.text()).toContain('#EXT-X-MEDIA-SEQUENCE:104');
    expect(getAttempts(stale.res).map((a) => `${a.originId}:${a.outcome}`)).toEqual(['a:stale-playlist', 'b:ok']);
  });

  it('never calls an ended (VOD) playlist stale', async () => {
    const { clock, group } = setup(
      { a: { kind: 'respond', body: playlist(0, true) }, b: { kind: 'respond', body: 'b' } },
      { hedging: false },
    );
    await run(clock, group.fetch('/vod.m3u8'));
    await clock.advance(600_000);
    const { res } = await run(clock, group.fetch('/vod.m3u8'));
    expect(res.headers.get('x-meridian-origin')).toBe('a');
    expect(await res.text()).toContain('#EXT-X-ENDLIST');
  });

  it('honours a custom staleness multiple', async () => {
    const { clock, group } = setup(
      { a: { kind: 'respond', body: playlist(7) }, b: { kind: 'respond', body: playlist(9) } },
      { hedging: false, stalePlaylistTargetDurations: 1 },
    );
    await run(clock, group.fetch('/l.m3u8'));
    await clock.advance(6_001);
    const { res } = await run(clock, group.fetch('/l.m3u8'));
    expect(res.headers.get('x-meridian-origin')).toBe('b');
  });
});

describe('requests reach only configured origins', () => {
  it('rejects an absolute URL on another host with ORIGIN_NOT_CONFIGURED, before any attempt', async () => {
    const { group, transport } = setup({ a: { kind: 'respond' } });
    await expect(group.fetch('http://evil.test/x.ts')).rejects.toSatisfy((e: unknown) =>
      isOriginError(e, 'ORIGIN_NOT_CONFIGURED'),
    );
    await expect(group.fetch('//evil.test/x.ts')).rejects.toSatisfy((e: unknown) =>
      isOriginError(e, 'ORIGIN_NOT_CONFIGURED'),
    );
    expect(transport.seen).toHaveLength(0);
  });

  it('accepts an absolute URL on a configured origin and maps it to the same path everywhere', async () => {
    const { clock, group, transport } = setup({ a: { kind: 'refused' }, b: { kind: 'respond' } }, { hedging: false });
    await run(clock, group.fetch(new URL('http://a.test/live/x.ts?t=1')));
    expect(transport.seen.map((s) => `${s.originId}${s.path}`)).toEqual(['a/live/x.ts?t=1', 'b/live/x.ts?t=1']);
  });
});
