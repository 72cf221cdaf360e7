/** @module Tests of the session URL layout: the same URLs on every server, pathways in priority order with the rest last. */
import { describe, expect, it } from 'vitest';
import { sessionPathways, sessionStartResponse, sessionUrlsFor } from './urls.ts';

describe('session URLs', () => {
  it("lays out media playlist, key and steering URLs under the server's base", () => {
    const urls = sessionUrlsFor({
      baseUrl: 'https://edge.example',
      sessionToken: 'A.B',
      steering: true,
      segmentBaseUrl: 'https://cdn.example',
    });
    expect(urls.mediaPlaylistUrl('v0')).toBe('https://edge.example/v1/sessions/A.B/v0.m3u8');
    expect(urls.keyUrl('k 1/x')).toBe('https://edge.example/v1/keys/k%201%2Fx?session=A.B');
    expect(urls.steeringUrl).toBe('https://edge.example/v1/steering/A.B.json');
    expect(
      sessionUrlsFor({ baseUrl: 'https://z', sessionToken: 'A.B', steering: false, segmentBaseUrl: '' }).steeringUrl,
    ).toBeUndefined();
    expect(sessionStartResponse('https://z', 'A.B')).toEqual({
      sessionId: 'A.B',
      masterUrl: 'https://z/v1/sessions/A.B/master.m3u8',
      trackingUrl: 'https://z/v1/sessions/A.B/tracking',
    });
  });

  it('orders pathways by priority and keeps the unhealthy ones, last', () => {
    const pathways = [
      { id: 'edge', baseUrl: 'https://e' },
      { id: 'eu', baseUrl: 'https://eu' },
      { id: 'us', baseUrl: 'https://us' },
    ];
    const out = sessionPathways(pathways, ['us', 'edge'], 'A.B');
    expect(out.map((p) => p.id)).toEqual(['us', 'edge', 'eu']);
    expect(out[0]!.mediaPlaylistUrl('r0')).toBe('https://us/v1/sessions/A.B/r0.m3u8');
  });
});
