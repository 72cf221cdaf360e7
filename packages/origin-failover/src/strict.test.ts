/** @module Strict (CloudFront) mode on a manual clock: configuration limits, attempts × timeouts, methods, statuses. */
import { describe, expect, it } from 'vitest';
import { createManualClock } from './clock.ts';
import { isOriginError } from './errors.ts';
import { createOriginGroupWithTransport, getAttempts } from './group.ts';
import type { OriginGroupOptions } from './options.ts';
import { createScriptedTransport, type Script } from '../test/support/scripted-transport.ts';

const origins = [
  { id: 'primary', url: 'http://primary.test/' },
  { id: 'secondary', url: 'http://secondary.test/' },
];

function setup(scripts: Record<string, Script | ((n: number) => Script)>, extra: Partial<OriginGroupOptions> = {}) {
  const clock = createManualClock(1_000_000);
  const transport = createScriptedTransport(clock, scripts);
  const group = createOriginGroupWithTransport(
    { origins, mode: 'strict', failoverStatusCodes: [500, 502, 503, 504], clock, ...extra },
    transport,
  );
  return { clock, transport, group };
}

/** Runs a fetch to completion on the manual clock, returning the response and the clock time it took. */
async function run(
  clock: ReturnType<typeof createManualClock>,
  p: Promise<Response>,
): Promise<{ res: Response; tookMs: number }> {
  const start = clock.now();
  let done: Response | undefined;
  let failed: unknown;
  p.then(
    (r) => (done = r),
    (e: unknown) => (failed = e),
  );
  while (done === undefined && failed === undefined) {
    if (!(await clock.next())) break;
  }
  if (failed !== undefined) throw failed;
  if (!done) throw new Error('fetch never settled');
  return { res: done, tookMs: clock.now() - start };
}

describe('strict mode configuration (CF1, CF2, CF9)', () => {
  const base = { origins, mode: 'strict' as const };
  const transport = createScriptedTransport(createManualClock(), {});
  const bad: Array<[string, Partial<OriginGroupOptions>]> = [
    ['429 is not a CloudFront failover code', { failoverStatusCodes: [429] }],
    ['401 is not a CloudFront failover code', { failoverStatusCodes: [503, 401] }],
    ['attempts above 3', { connectionAttempts: 4 }],
    ['attempts below 1', { connectionAttempts: 0 }],
    ['connect timeout under 1 s', { connectionTimeoutMs: 500 }],
    ['connect timeout over 10 s', { connectionTimeoutMs: 11_000 }],
    ['response timeout over 120 s', { responseTimeoutMs: 121_000 }],
    ['response timeout under 1 s', { responseTimeoutMs: 999 }],
    ['completion under the response timeout', { responseTimeoutMs: 30_000, completionTimeoutMs: 20_000 }],
    ['three origins', { origins: [...origins, { id: 'third', url: 'http://third.test/' }] }],
    ['duplicate ids', { origins: [origins[0]!, { id: 'primary', url: 'http://x.test/' }] }],
  ];
  for (const [name, extra] of bad) {
    it(`rejects ${name} with INVALID_CONFIG`, () => {
      let caught: unknown;
      try {
        createOriginGroupWithTransport({ ...base, ...extra }, transport);
      } catch (err) {
        caught = err;
      }
      expect(isOriginError(caught, 'INVALID_CONFIG')).toBe(true);
    });
  }

  it('accepts every CloudFront code and the range edges', () => {
    const group = createOriginGroupWithTransport(
      {
        ...base,
        failoverStatusCodes: [400, 403, 404, 416, 500, 502, 503, 504],
        connectionAttempts: 1,
        connectionTimeoutMs: 1_000,
        responseTimeoutMs: 120_000,
        completionTimeoutMs: 120_000,
      },
      transport,
    );
    expect(group.mode).toBe('strict');
  });

  it('lifts the 1 s minimum only with the test-only flag', () => {
    expect(() =>
      createOriginGroupWithTransport({ ...base, connectionTimeoutMs: 100, unsafeAllowShortTimeouts: true }, transport),
    ).not.toThrow();
  });
});

describe('strict mode timing on a fake clock (CF9, CF10, CF11)', () => {
  it('fails over from a black-holed primary after exactly attempts × connect timeout (3 × 10 s)', async () => {
    const { clock, group } = setup({ primary: { kind: 'black-hole' }, secondary: { kind: 'respond', body: 'from b' } });
    const { res, tookMs } = await run(clock, group.fetch('/seg.ts'));
    expect(tookMs).toBe(30_000);
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    expect(res.headers.get('x-meridian-attempts')).toBe('4');
    expect(res.headers.get('x-meridian-elapsed-ms')).toBe('30000');
    expect(await res.text()).toBe('from b');
    expect(getAttempts(res).map((a) => `${a.originId}:${a.attempt}:${a.outcome}:${a.ms}`)).toEqual([
      'primary:1:connect-timeout:10000',
      'primary:2:connect-timeout:10000',
      'primary:3:connect-timeout:10000',
      'secondary:1:ok:0',
    ]);
  });

  it('honours configured attempts and connect timeout (2 × 1 s = 2 s)', async () => {
    const { clock, group } = setup(
      { primary: { kind: 'black-hole' }, secondary: { kind: 'respond' } },
      { connectionAttempts: 2, connectionTimeoutMs: 1_000 },
    );
    const { res, tookMs } = await run(clock, group.fetch('/seg.ts'));
    expect(tookMs).toBe(2_000);
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
  });

  it('sub-second timeouts work behind the test-only flag (3 × 250 ms)', async () => {
    const { clock, group } = setup(
      { primary: { kind: 'black-hole' }, secondary: { kind: 'respond' } },
      { connectionTimeoutMs: 250, unsafeAllowShortTimeouts: true },
    );
    const { tookMs } = await run(clock, group.fetch('/seg.ts'));
    expect(tookMs).toBe(750);
  });

  it('retries GET on a silent primary per attempt, then fails over: 3 × 30 s response timeout', async () => {
    const { clock, group } = setup({ primary: { kind: 'silent' }, secondary: { kind: 'respond' } });
    const { res, tookMs } = await run(clock, group.fetch('/seg.ts'));
    expect(tookMs).toBe(90_000);
    expect(getAttempts(res).filter((a) => a.outcome === 'response-timeout')).toHaveLength(3);
  });

  it('HEAD is retried like GET after a response timeout', async () => {
    const { clock, group } = setup(
      { primary: { kind: 'silent' }, secondary: { kind: 'respond' } },
      { responseTimeoutMs: 5_000 },
    );
    const { tookMs } = await run(clock, group.fetch('/seg.ts', { method: 'HEAD' }));
    expect(tookMs).toBe(15_000);
  });

  it('CF10: OPTIONS fails over but is not retried after a response timeout', async () => {
    const { clock, group, transport } = setup({
      primary: { kind: 'silent' },
      secondary: { kind: 'respond', status: 204 },
    });
    const { res, tookMs } = await run(clock, group.fetch('/seg.ts', { method: 'OPTIONS' }));
    expect(tookMs).toBe(30_000);
    expect(res.status).toBe(204);
    expect(transport.seen.map((s) => s.originId)).toEqual(['primary', 'secondary']);
  });

  it('CF8: a timed-out secondary gives 504 after both origins used their attempts', async () => {
    const { clock, group } = setup({ primary: { kind: 'black-hole' }, secondary: { kind: 'black-hole' } });
    const { res, tookMs } = await run(clock, group.fetch('/seg.ts'));
    expect(tookMs).toBe(60_000);
    expect(res.status).toBe(504);
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    expect(getAttempts(res)).toHaveLength(6);
  });

  it('completion timeout caps the whole request across attempts with a 504', async () => {
    const { clock, group } = setup(
      { primary: { kind: 'silent' }, secondary: { kind: 'respond' } },
      { completionTimeoutMs: 45_000 },
    );
    const { res, tookMs } = await run(clock, group.fetch('/seg.ts'));
    expect(tookMs).toBe(45_000);
    expect(res.status).toBe(504);
    expect(res.headers.get('x-meridian-error')).toBe('COMPLETION_TIMEOUT');
  });

  it('a gap in the body longer than the response timeout fails the body with ORIGIN_TIMEOUT', async () => {
    const { clock, group } = setup(
      { primary: { kind: 'respond', body: 'part', stallAfterBody: true }, secondary: { kind: 'respond' } },
      { responseTimeoutMs: 5_000 },
    );
    const { res } = await run(clock, group.fetch('/seg.ts'));
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('part');
    const pending = reader.read();
    let err: unknown;
    pending.catch((e: unknown) => (err = e));
    await clock.advance(4_999);
    expect(err).toBeUndefined();
    await clock.advance(1);
    expect(isOriginError(err, 'ORIGIN_TIMEOUT')).toBe(true);
  });
});

describe('strict mode routing (CF4, CF6, CF7, CF8)', () => {
  it('fails over on a listed status and returns the secondary response', async () => {
    const { clock, group } = setup({
      primary: { kind: 'respond', status: 503 },
      secondary: { kind: 'respond', body: 'ok' },
    });
    const { res, tookMs } = await run(clock, group.fetch('/a.ts'));
    expect(tookMs).toBe(0);
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    expect(getAttempts(res).map((a) => [a.originId, a.outcome, a.status])).toEqual([
      ['primary', 'failover-status', 503],
      ['secondary', 'ok', 200],
    ]);
  });

  it('returns an unlisted 4xx from the primary without failover', async () => {
    const { clock, group, transport } = setup({
      primary: { kind: 'respond', status: 404 },
      secondary: { kind: 'respond' },
    });
    const { res } = await run(clock, group.fetch('/a.ts'));
    expect(res.status).toBe(404);
    expect(transport.seen.map((s) => s.originId)).toEqual(['primary']);
  });

  it("returns the secondary's response whatever it is", async () => {
    const { clock, group } = setup({
      primary: { kind: 'respond', status: 502 },
      secondary: { kind: 'respond', status: 503, body: 'down too' },
    });
    const { res } = await run(clock, group.fetch('/a.ts'));
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('down too');
  });

  it('returns a 3xx from the primary as is', async () => {
    const { clock, group } = setup({
      primary: { kind: 'respond', status: 302, headers: { location: 'http://elsewhere.test/x' } },
      secondary: { kind: 'respond' },
    });
    const { res } = await run(clock, group.fetch('/a.ts'));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://elsewhere.test/x');
  });

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    it(`CF6: ${method} gets the primary's result, never the secondary`, async () => {
      const { clock, group, transport } = setup({
        primary: { kind: 'respond', status: 503 },
        secondary: { kind: 'respond' },
      });
      const { res } = await run(clock, group.fetch('/api', { method, body: 'x' }));
      expect(res.status).toBe(503);
      expect(transport.seen.map((s) => s.originId)).toEqual(['primary']);
    });
  }

  it('CF6: POST to a black-holed primary ends in 504 without touching the secondary', async () => {
    const { clock, group, transport } = setup({ primary: { kind: 'black-hole' }, secondary: { kind: 'respond' } });
    const { res, tookMs } = await run(clock, group.fetch('/api', { method: 'POST', body: 'x' }));
    expect(res.status).toBe(504);
    expect(tookMs).toBe(30_000);
    expect(transport.seen.every((s) => s.originId === 'primary')).toBe(true);
  });

  it('CF7: no memory — the next request tries the primary first again', async () => {
    const { clock, group, transport } = setup({
      primary: { kind: 'respond', status: 503 },
      secondary: { kind: 'respond' },
    });
    await run(clock, group.fetch('/a.ts'));
    await run(clock, group.fetch('/b.ts'));
    expect(transport.seen.map((s) => s.originId)).toEqual(['primary', 'secondary', 'primary', 'secondary']);
  });

  it('refused connections use up the connection attempts, then fail over at once', async () => {
    const { clock, group, transport } = setup({ primary: { kind: 'refused' }, secondary: { kind: 'respond' } });
    const { res, tookMs } = await run(clock, group.fetch('/a.ts'));
    expect(tookMs).toBe(0);
    expect(res.headers.get('x-meridian-origin')).toBe('secondary');
    expect(transport.seen.map((s) => s.originId)).toEqual(['primary', 'primary', 'primary', 'secondary']);
  });

  it('calls onAttempt and onFailover hooks', async () => {
    const seen: string[] = [];
    const { clock, group } = setup(
      { primary: { kind: 'respond', status: 500 }, secondary: { kind: 'respond' } },
      {
        onAttempt: (a) => seen.push(`attempt ${a.originId} ${a.outcome}`),
        onFailover: (e) => seen.push(`failover ${e.fromOriginId}->${e.toOriginId} ${e.reason}`),
      },
    );
    await run(clock, group.fetch('/a.ts'));
    expect(seen).toEqual([
      'attempt primary failover-status',
      'failover primary->secondary failover-status',
      'attempt secondary ok',
    ]);
  });
});
