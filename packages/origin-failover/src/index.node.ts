/** @module @meridian/origin-failover — origin groups with CloudFront-strict or resilient failover, and Route 53-style zone steering (undici transport for Node). */
import type { OriginGroup } from './group.ts';
import { createOriginGroupWithTransport } from './group.ts';
import type { OriginGroupOptions } from './options.ts';
import { createUndiciTransport } from './undici-transport.node.ts';

/**
 * Creates an origin group over undici (Node build): one keep-alive Pool per origin
 * with a real connect timeout; `fetch(path)` returns a standard Response.
 * @example
 * const group = createOriginGroup({ origins: [{ id: 'a', url: 'http://10.0.0.1/' }, { id: 'b', url: 'http://10.0.0.2/' }] });
 * const res = await group.fetch('/vod/1/seg-0.ts');
 */
export function createOriginGroup(options: OriginGroupOptions): OriginGroup {
  return createOriginGroupWithTransport(options, options.transport ?? createUndiciTransport());
}

export * from './exports.ts';
/** The undici transport, for custom composition. */
export { createUndiciTransport, type UndiciTransportOptions } from './undici-transport.node.ts';
/** S3 buckets as origins (GetObject/HeadObject under the same policy). */
export {
  createS3OriginGroup,
  createS3Transport,
  type S3OriginConfig,
  type S3OriginGroupOptions,
} from './s3-origin.node.ts';
