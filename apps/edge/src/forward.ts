/**
 * @module Forwarding to regional zones: what needs shared state (live sessions, ADS calls,
 * keys, uploads) goes to the zone steering picks; a zone that refuses, times out or answers
 * 502/503/504 is marked down and the same request moves to the next zone (origin-group
 * semantics), so a dead zone costs the viewer one retry, once.
 */
import { EdgeError } from './errors.ts';
import type { Viewer, ZoneConfig, ZoneDirector } from './zones.ts';

/** Header naming the zone that served a response. */
export const ZONE_HEADER = 'x-meridian-zone';
/** Header listing each zone tried for a forwarded request and its outcome (`eu-west:refused,us-east:200`). */
export const ZONE_ATTEMPTS_HEADER = 'x-meridian-zone-attempts';

/** Options of {@link createForwarder}. */
export interface ForwarderOptions {
  director: ZoneDirector;
  /** Sends the requests (the Worker's fetch). */
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Time allowed per zone attempt to the response headers, in ms. */
  zoneTimeoutMs: number;
  /** Largest request body forwarded, in bytes (bodies are buffered so that they can be replayed on the next zone). */
  bodyLimitBytes: number;
  /** Trusted header regional-origin reads the viewer country from (its COUNTRY_HEADER). */
  countryHeader: string;
}

/**
 * Forwards a request to the best zone for the viewer; `affinityKey` (a session id) keeps every
 * request of one session on the same healthy zone (see ZoneDirector.order).
 */
export type Forwarder = (
  request: Request,
  viewer: Viewer,
  pathAndQuery: string,
  affinityKey?: string,
) => Promise<Response>;

// Statuses that mean "this zone cannot serve now", worth another zone.
const ZONE_DOWN_STATUSES = new Set([502, 503, 504]);
const DROPPED_REQUEST_HEADERS = [
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'cf-connecting-ip',
  'cf-ipcountry',
  'cf-ray',
  'cf-visitor',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-real-ip',
];

/** Reads a request body into memory, refusing (413) more than `limitBytes`; GET and HEAD have none. */
export async function readBodyBounded(request: Request, limitBytes: number): Promise<ArrayBuffer | undefined> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limitBytes) throw new EdgeError('PAYLOAD_TOO_LARGE');
  const reader = request.body?.getReader();
  if (!reader) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength;
    if (size > limitBytes) {
      await reader.cancel();
      throw new EdgeError('PAYLOAD_TOO_LARGE');
    }
    chunks.push(r.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return body.buffer;
}

/** Creates the forwarder. */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const { director } = options;
  return async (request, viewer, pathAndQuery, affinityKey) => {
    const body = await readBodyBounded(request, options.bodyLimitBytes);
    const headers = new Headers(request.headers);
    for (const h of DROPPED_REQUEST_HEADERS) headers.delete(h);
    // The viewer's country comes from request.cf only: a client-sent header is never trusted.
    headers.delete(options.countryHeader);
    if (viewer.country) headers.set(options.countryHeader, viewer.country);
    headers.set('x-forwarded-host', new URL(request.url).host);

    // Zones other isolates of the colo found down are skipped here too (a cache read at most every refresh interval).
    await director.syncShared();
    const order = director.order(viewer, affinityKey);
    if (order.length === 0) throw new EdgeError('ZONE_UNAVAILABLE', 'no regional zone is configured');
    const attempts: string[] = [];
    let last: { zone: ZoneConfig; response: Response } | undefined;
    for (const [i, zone] of order.entries()) {
      const isLast = i === order.length - 1;
      let response: Response;
      try {
        response = await options.fetch(`${zone.url}${pathAndQuery}`, {
          method: request.method,
          headers,
          body: body ?? null,
          redirect: 'manual',
          signal: AbortSignal.timeout(options.zoneTimeoutMs),
        });
      } catch (error) {
        await director.recordFailure(zone.id);
        attempts.push(
          `${zone.id}:${error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreachable'}`,
        );
        continue;
      }
      attempts.push(`${zone.id}:${response.status}`);
      if (ZONE_DOWN_STATUSES.has(response.status) && !isLast) {
        await director.recordFailure(zone.id);
        await response.body?.cancel();
        continue;
      }
      if (ZONE_DOWN_STATUSES.has(response.status)) await director.recordFailure(zone.id);
      else await director.recordSuccess(zone.id);
      last = { zone, response };
      break;
    }
    if (!last) throw new EdgeError('ZONE_UNAVAILABLE', `every zone failed (${attempts.join(', ')})`);
    const out = new Response(last.response.body, last.response);
    // The edge answers CORS itself; the zone's own headers would be duplicates.
    const zoneCors: string[] = [];
    out.headers.forEach((_value, name) => void (name.startsWith('access-control-') && zoneCors.push(name)));
    for (const name of zoneCors) out.headers.delete(name);
    out.headers.set(ZONE_HEADER, last.zone.id);
    out.headers.set(ZONE_ATTEMPTS_HEADER, attempts.join(','));
    return out;
  };
}
