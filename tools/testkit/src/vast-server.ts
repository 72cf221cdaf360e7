/**
 * @module startVastServer: a local ad decision server on 127.0.0.1 that answers VAST 4.2 (inline
 * linear pods), VMAP 1.0 and no-fill, misbehaves on demand, and records every ad request and
 * tracking beacon so tests can assert templating and beacons.
 */
import type { IncomingMessage } from 'node:http';
import { listenLoopback } from './http.ts';
import { sleep } from './ports.ts';
import { CORS_HEADERS } from './static-server.ts';

/** One linear ad the server can return. */
export interface VastAdSpec {
  /** Ad@id and Creative@id; default `ad-<n>` (1-based position). */
  id?: string;
  /** MediaFile URL: an HLS playlist (streaming) or an mp4 (progressive). */
  mediaUrl: string;
  /** Linear `<Duration>` in seconds. */
  durationSeconds: number;
  /** MediaFile@type; default `application/x-mpegURL` for `.m3u8` URLs, else `video/mp4`. */
  mimeType?: string;
  /** MediaFile@width in pixels; default 640. */
  width?: number;
  /** MediaFile@height in pixels; default 360. */
  height?: number;
  /** MediaFile@bitrate in kbit/s; default 800. */
  bitrateKbps?: number;
  /** `<AdTitle>`; default the id. */
  title?: string;
}

/** How the server answers ad requests (`/vast`, `/vmap`); beacons always succeed. */
export type VastBehaviour =
  /** A normal answer (the default). */
  | { kind: 'ok' }
  /** `<VAST version="4.2"/>`: no fill. */
  | { kind: 'empty' }
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** A normal answer after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** This HTTP status with an empty body, e.g. 500. */
  | { kind: 'status'; status: number }
  /** Truncated XML that no parser accepts. */
  | { kind: 'malformed' };

/** One ad request the server saw. */
export interface VastRequest {
  /** `/vast` or `/vmap`. */
  path: string;
  /** Query parameters (the last value of repeated names). */
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** What the server did with it. */
  behaviour: VastBehaviour['kind'];
  /** Epoch ms. */
  at: number;
}

/** One tracking beacon received. */
export interface VastBeacon {
  /** `impression`, `start`, `firstQuartile`, `midpoint`, `thirdQuartile`, `complete` or `error`. */
  event: string;
  /** The ad it was for. */
  adId: string;
  /** All query parameters of the beacon (e.g. `code` for errors). */
  query: Record<string, string>;
  /** Epoch ms. */
  at: number;
}

/** Options for {@link startVastServer}. */
export interface VastServerOptions {
  /** The ads of a pod, in play order; default none (every answer is no-fill). */
  ads?: VastAdSpec[];
  /** Ads per VAST answer; default all of `ads`. A `count` query parameter overrides it per request. */
  podSize?: number;
  /** VMAP break positions: `'start'`, `'end'` or seconds into the content; default `['start']`. */
  vmapBreaks?: (number | 'start' | 'end')[];
  /** Initial behaviour; default `{ kind: 'ok' }`. */
  behaviour?: VastBehaviour;
  /** Fixed port; default a free one. */
  port?: number;
}

/** A running VAST server. */
export interface VastServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The VAST endpoint, `<url>/vast`; add any query (e.g. `?dur=30&sid=abc`). */
  vastUrl: string;
  /** The VMAP endpoint, `<url>/vmap`; its breaks point at `vastUrl?break=<id>`. */
  vmapUrl: string;
  /** Every ad request, oldest first. */
  requests: VastRequest[];
  /** Every tracking beacon, oldest first. */
  beacons: VastBeacon[];
  /** Sets the behaviour for all following ad requests. */
  set(behaviour: VastBehaviour): void;
  /** Queues a behaviour for the next ad request only (queued ones run first, in order). */
  once(behaviour: VastBehaviour): void;
  /** Replaces the ads. */
  setAds(ads: VastAdSpec[]): void;
  /** Beacons of one event (and ad, when given). */
  beaconsFor(event: string, adId?: string): VastBeacon[];
  /** Stops the server and drops open connections (hanging requests included). */
  close(): Promise<void>;
}

function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function attr(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

/** VAST `HH:MM:SS.mmm`. */
function clock(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (v: number, w = 2): string => String(v).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

const QUARTILES = ['start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete'] as const;

function adXml(ad: VastAdSpec, index: number, sequence: number | undefined, base: string): string {
  const id = ad.id ?? `ad-${index + 1}`;
  const track = (event: string): string => `${base}/track/${event}?ad=${encodeURIComponent(id)}`;
  const type = ad.mimeType ?? (/\.m3u8(\?|$)/i.test(ad.mediaUrl) ? 'application/x-mpegURL' : 'video/mp4');
  const delivery = type.toLowerCase().includes('mpegurl') ? 'streaming' : 'progressive';
  return [
    `<Ad id="${attr(id)}"${sequence !== undefined ? ` sequence="${sequence}"` : ''}>`,
    '<InLine>',
    '<AdSystem version="1.0">meridian-testkit</AdSystem>',
    `<AdServingId>${attr(id)}-serving</AdServingId>`,
    `<AdTitle>${cdata(ad.title ?? id)}</AdTitle>`,
    `<Impression id="imp-${attr(id)}">${cdata(track('impression'))}</Impression>`,
    `<Error>${cdata(`${base}/track/error?ad=${encodeURIComponent(id)}&code=[ERRORCODE]`)}</Error>`,
    '<Creatives>',
    `<Creative id="${attr(id)}" adId="${attr(id)}" sequence="1">`,
    `<UniversalAdId idRegistry="meridian-testkit">${attr(id)}</UniversalAdId>`,
    '<Linear>',
    `<Duration>${clock(ad.durationSeconds)}</Duration>`,
    '<TrackingEvents>',
    ...QUARTILES.map((e) => `<Tracking event="${e}">${cdata(track(e))}</Tracking>`),
    '</TrackingEvents>',
    '<MediaFiles>',
    `<MediaFile id="${attr(id)}-mf" delivery="${delivery}" type="${attr(type)}" width="${ad.width ?? 640}" height="${ad.height ?? 360}" bitrate="${ad.bitrateKbps ?? 800}" scalable="true" maintainAspectRatio="true">${cdata(ad.mediaUrl)}</MediaFile>`,
    '</MediaFiles>',
    '</Linear>',
    '</Creative>',
    '</Creatives>',
    '</InLine>',
    '</Ad>',
  ].join('\n');
}

/** Builds a VAST 4.2 document with `ads` as a pod (sequence 1…n when more than one), or no fill when empty. */
export function buildVast(ads: VastAdSpec[], trackingBaseUrl: string): string {
  if (ads.length === 0)
    return '<?xml version="1.0" encoding="UTF-8"?>\n<VAST version="4.2" xmlns="http://www.iab.com/VAST"/>\n';
  const body = ads.map((ad, i) => adXml(ad, i, ads.length > 1 ? i + 1 : undefined, trackingBaseUrl)).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<VAST version="4.2" xmlns="http://www.iab.com/VAST">\n${body}\n</VAST>\n`;
}

/** Builds a VMAP 1.0 document whose linear breaks reference `vastUrl?break=<id>`. */
export function buildVmap(breaks: (number | 'start' | 'end')[], vastUrl: string): string {
  const items = breaks.map((b, i) => {
    const id = b === 'start' ? 'preroll' : b === 'end' ? 'postroll' : `midroll-${i}`;
    const offset = typeof b === 'number' ? clock(b) : b;
    const tag = `${vastUrl}${vastUrl.includes('?') ? '&' : '?'}break=${id}`;
    return [
      `<vmap:AdBreak timeOffset="${offset}" breakType="linear" breakId="${id}">`,
      `<vmap:AdSource id="${id}-source" allowMultipleAds="true" followRedirects="true">`,
      `<vmap:AdTagURI templateType="vast4">${cdata(tag)}</vmap:AdTagURI>`,
      '</vmap:AdSource>',
      '</vmap:AdBreak>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<vmap:VMAP xmlns:vmap="http://www.iab.net/videosuite/vmap" version="1.0">\n${items.join('\n')}\n</vmap:VMAP>\n`;
}

/**
 * Starts a VAST/VMAP ad server on a free loopback port.
 * @example
 * const ads = await startVastServer({ ads: [{ mediaUrl: `${cdn.url}/ad/master.m3u8`, durationSeconds: 10 }] });
 * // point the SSAI config's adDecisionServer at `${ads.vastUrl}?dur=[ads.duration]` …
 * expect(ads.requests[0]?.query.dur).toBe('30');
 * expect(ads.beaconsFor('complete')).toHaveLength(1);
 * ads.set({ kind: 'hang' }); // now every ad request hangs
 */
export async function startVastServer(options: VastServerOptions = {}): Promise<VastServer> {
  let ads = options.ads ?? [];
  let behaviour: VastBehaviour = options.behaviour ?? { kind: 'ok' };
  const queue: VastBehaviour[] = [];
  const requests: VastRequest[] = [];
  const beacons: VastBeacon[] = [];
  let base = '';

  const listener = await listenLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    const beacon = /^\/track\/([A-Za-z]+)$/.exec(url.pathname);
    if (beacon) {
      beacons.push({ event: beacon[1]!, adId: query.ad ?? '', query, at: Date.now() });
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    if (url.pathname !== '/vast' && url.pathname !== '/vmap') {
      res.writeHead(404, { ...CORS_HEADERS, 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const b = queue.shift() ?? behaviour;
    requests.push({ path: url.pathname, query, headers: req.headers, behaviour: b.kind, at: Date.now() });
    const xmlHeaders = {
      ...CORS_HEADERS,
      'content-type': 'application/xml; charset=utf-8',
      'cache-control': 'no-store',
    };
    switch (b.kind) {
      case 'hang':
        return;
      case 'status':
        res.writeHead(b.status, { ...CORS_HEADERS, 'content-length': '0' });
        res.end();
        return;
      case 'malformed':
        res.writeHead(200, xmlHeaders);
        res.end('<?xml version="1.0"?>\n<VAST version="4.2"><Ad id="broken"><InLine><AdTitle>cut off');
        return;
      case 'empty':
        res.writeHead(200, xmlHeaders);
        res.end(buildVast([], base));
        return;
      case 'slow':
        await sleep(b.delayMs);
        break;
      case 'ok':
        break;
    }
    if (res.destroyed) return;
    let body: string;
    if (url.pathname === '/vmap') body = buildVmap(options.vmapBreaks ?? ['start'], `${base}/vast`);
    else {
      const count = query.count !== undefined ? Number(query.count) : (options.podSize ?? ads.length);
      body = buildVast(ads.slice(0, Number.isFinite(count) ? Math.max(0, count) : ads.length), base);
    }
    res.writeHead(200, xmlHeaders);
    res.end(body);
  }, options.port);
  base = listener.url;

  return {
    url: base,
    port: listener.port,
    vastUrl: `${base}/vast`,
    vmapUrl: `${base}/vmap`,
    requests,
    beacons,
    set: (b) => void (behaviour = b),
    once: (b) => void queue.push(b),
    setAds: (next) => void (ads = next),
    beaconsFor: (event, adId) => beacons.filter((x) => x.event === event && (adId === undefined || x.adId === adId)),
    close: listener.kill,
  };
}
