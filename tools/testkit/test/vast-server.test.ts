import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVast, parseVmap } from '@meridian/manifest-core';
import { startVastServer, type VastServer } from '../src/index.ts';

describe('startVastServer', () => {
  let srv: VastServer;
  beforeAll(async () => {
    srv = await startVastServer({
      ads: [
        { id: 'bars', mediaUrl: 'http://127.0.0.1:1/ads/bars/master.m3u8', durationSeconds: 10 },
        { id: 'tone', mediaUrl: 'http://127.0.0.1:1/ads/tone.mp4', durationSeconds: 5.5, width: 1280, height: 720 },
      ],
      vmapBreaks: ['start', 30, 'end'],
    });
  });
  afterAll(async () => {
    await srv.close();
  });

  it('answers a VAST 4.2 pod that a real parser reads, and records the templated query', async () => {
    const res = await fetch(`${srv.vastUrl}?dur=30&sid=abc&country=DE`);
    expect(res.headers.get('content-type')).toContain('xml');
    const doc = parseVast(await res.text());
    expect(doc.version).toBe('4.2');
    expect(doc.ads.map((a) => a.id)).toEqual(['bars', 'tone']);
    const [first, second] = doc.ads;
    expect(first!.creatives[0]!.durationSeconds).toBe(10);
    expect(first!.creatives[0]!.mediaFiles[0]).toMatchObject({
      url: 'http://127.0.0.1:1/ads/bars/master.m3u8',
      type: 'application/x-mpegURL',
      delivery: 'streaming',
    });
    expect(second!.creatives[0]!.durationSeconds).toBe(5.5);
    expect(second!.creatives[0]!.mediaFiles[0]).toMatchObject({
      type: 'video/mp4',
      delivery: 'progressive',
      width: 1280,
    });
    expect(first!.creatives[0]!.trackingEvents.map((t) => t.event)).toEqual([
      'start',
      'firstQuartile',
      'midpoint',
      'thirdQuartile',
      'complete',
    ]);
    expect(srv.requests.at(-1)).toMatchObject({
      path: '/vast',
      query: { dur: '30', sid: 'abc', country: 'DE' },
      behaviour: 'ok',
    });

    // Beacons point back at the server and are recorded.
    await fetch(first!.impressions[0]!);
    await fetch(first!.creatives[0]!.trackingEvents.find((t) => t.event === 'midpoint')!.url);
    expect(srv.beaconsFor('impression', 'bars')).toHaveLength(1);
    expect(srv.beaconsFor('midpoint')).toHaveLength(1);
    expect(srv.beaconsFor('complete')).toHaveLength(0);

    const one = parseVast(await (await fetch(`${srv.vastUrl}?count=1`)).text());
    expect(one.ads).toHaveLength(1);
  });

  it('answers VMAP whose breaks point at its VAST endpoint', async () => {
    const vmap = parseVmap(await (await fetch(srv.vmapUrl)).text());
    expect(vmap.adBreaks.map((b) => b.timeOffset)).toEqual([
      { kind: 'start' },
      { kind: 'time', seconds: 30 },
      { kind: 'end' },
    ]);
    const tag = vmap.adBreaks[1]!.adSource!.adTagUri!;
    expect(tag).toBe(`${srv.vastUrl}?break=midroll-1`);
    expect(parseVast(await (await fetch(tag)).text()).ads).toHaveLength(2);
  });

  it('misbehaves on demand: no fill, 500, malformed, slow, hang', async () => {
    srv.once({ kind: 'empty' });
    srv.once({ kind: 'status', status: 500 });
    srv.once({ kind: 'malformed' });
    expect(parseVast(await (await fetch(srv.vastUrl)).text()).ads).toEqual([]);
    expect((await fetch(srv.vastUrl)).status).toBe(500);
    const bad = await (await fetch(srv.vastUrl)).text();
    expect(() => parseVast(bad)).toThrow();
    expect((await fetch(srv.vastUrl)).status).toBe(200);

    srv.set({ kind: 'slow', delayMs: 300 });
    const started = Date.now();
    await (await fetch(srv.vastUrl)).text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    srv.set({ kind: 'hang' });
    await expect(fetch(srv.vastUrl, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    srv.set({ kind: 'ok' });
    expect(srv.requests.map((r) => r.behaviour).slice(-6)).toEqual([
      'empty',
      'status',
      'malformed',
      'ok',
      'slow',
      'hang',
    ]);
  });
});
