/** @module @meridian/origin-failover — origin groups with CloudFront-strict or resilient failover, and Route 53-style zone steering (fetch transport). */
import { createFetchTransport } from './fetch-transport.ts';
import type { OriginGroup } from './group.ts';
import { createOriginGroupWithTransport } from './group.ts';
import type { OriginGroupOptions } from './options.ts';

/**
 * Creates an origin group over Web fetch (Workers build): `fetch(path)` returns a
 * standard Response from the best configured origin.
 * @example
 * const group = createOriginGroup({
 *   origins: [{ id: 'primary', url: 'https://a.example/hls/' }, { id: 'secondary', url: 'https://b.example/hls/' }],
 *   mode: 'strict',
 *   failoverStatusCodes: [500, 502, 503, 504],
 * });
 * const res = await group.fetch('/live/720p.m3u8');
 */
export function createOriginGroup(options: OriginGroupOptions): OriginGroup {
  return createOriginGroupWithTransport(options, options.transport ?? createFetchTransport());
}

export * from './exports.ts';
