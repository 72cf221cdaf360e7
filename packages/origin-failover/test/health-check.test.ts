/** @module Active health checks against a real server, passive health from the group, and steering on top. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedUrl, startFaultyServer, type FaultyServer } from '@meridian/testkit';
import {
  createHealthChecker,
  createManualClock,
  createOriginGroup,
  passiveHealthHook,
  resolveSteering,
  type SteeringNode,
} from '../src/index.node.ts';

let srv: FaultyServer;
beforeAll(async () => {
  srv = await startFaultyServer({
    '/ok': { kind: 'ok', body: 'fine' },
    '/redirect': { kind: 'status', status: 302, headers: { location: '/ok' } },
  });
});
afterAll(async () => {
  await srv.close();
});

describe('active HTTP health checks (R7)', () => {
  it('2xx and 3xx are healthy; 5xx turns unhealthy only after the failure threshold, and recovers the same way', async () => {
    srv.set('/flappy', { kind: 'ok', body: 'up' });
    const changes: string[] = [];
    const checker = createHealthChecker({
      targets: [
        { id: 'ok', url: `${srv.url}/ok` },
        { id: 'redirect', url: `${srv.url}/redirect` },
        { id: 'flappy', url: `${srv.url}/flappy` },
      ],
      failureThreshold: 3,
      onChange: (id, healthy) => changes.push(`${id}:${healthy}`),
    });
    await checker.checkNow();
    expect(['ok', 'redirect', 'flappy'].map((id) => checker.isHealthy(id))).toEqual([true, true, true]);
    srv.set('/flappy', { kind: 'status', status: 503 });
    await checker.checkNow();
    await checker.checkNow();
    expect(checker.isHealthy('flappy')).toBe(true);
    await checker.checkNow();
    expect(checker.isHealthy('flappy')).toBe(false);
    srv.set('/flappy', { kind: 'ok', body: 'up' });
    await checker.checkNow();
    await checker.checkNow();
    expect(checker.isHealthy('flappy')).toBe(false);
    await checker.checkNow();
    expect(checker.isHealthy('flappy')).toBe(true);
    expect(changes).toEqual(['flappy:false', 'flappy:true']);
  });

  it('matches the search string only within the first 5,120 bytes', async () => {
    srv.set('/early', { kind: 'ok', body: `${'.'.repeat(100)}STATUS-GREEN${'.'.repeat(10_000)}` });
    srv.set('/late', { kind: 'ok', body: `${'.'.repeat(6_000)}STATUS-GREEN` });
    srv.set('/edge', {
      kind: 'ok',
      body: `${'.'.repeat(5_120 - 12)}STATUS-GREEN`,
      chunkBytes: 1_000,
      chunkIntervalMs: 1,
    });
    const checker = createHealthChecker({
      targets: ['early', 'late', 'edge'].map((id) => ({ id, url: `${srv.url}/${id}`, searchString: 'STATUS-GREEN' })),
      failureThreshold: 1,
    });
    await checker.checkNow();
    expect(['early', 'late', 'edge'].map((id) => checker.isHealthy(id))).toEqual([true, false, true]);
  });

  it('runs on its interval (manual clock) and a refused endpoint turns unhealthy after threshold × interval', async () => {
    const clock = createManualClock();
    const dead = await refusedUrl();
    const checker = createHealthChecker({
      targets: [{ id: 'dead', url: dead }],
      intervalMs: 10_000,
      failureThreshold: 2,
      clock,
    });
    checker.start();
    await checker.idle;
    expect(checker.isHealthy('dead')).toBe(true);
    await clock.advance(9_999);
    await checker.idle;
    expect(checker.snapshot()[0]?.consecutiveFailures).toBe(1);
    await clock.advance(1);
    await checker.idle;
    expect(checker.isHealthy('dead')).toBe(false);
    checker.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('passive health and steering', () => {
  it("feeds the origin group's own failures into the checker, and steering moves viewers away", async () => {
    const checker = createHealthChecker({ targets: [], failureThreshold: 3 });
    const group = createOriginGroup({
      origins: [
        { id: 'zone-a', url: await refusedUrl() },
        { id: 'zone-b', url: srv.url },
      ],
      hedging: false,
      onAttempt: passiveHealthHook(checker),
    });
    try {
      for (let i = 0; i < 3; i++) expect((await group.fetch('/ok')).headers.get('x-meridian-origin')).toBe('zone-b');
    } finally {
      await group.close();
    }
    expect(checker.isHealthy('zone-a')).toBe(false);
    expect(checker.isHealthy('zone-b')).toBe(true);
    const tree: SteeringNode = {
      type: 'failover',
      primary: { target: { type: 'endpoint', id: 'zone-a', healthCheckId: 'zone-a' } },
      secondary: { target: { type: 'endpoint', id: 'zone-b', healthCheckId: 'zone-b' } },
    };
    expect(resolveSteering(tree, {}, { isHealthy: (id) => checker.isHealthy(id) })).toBe('zone-b');
  });
});
