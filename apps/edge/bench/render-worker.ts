/**
 * @module Bench Worker: renders session media playlists N times inside one request, so that the
 * caller can divide the request's time by N (time in workerd stands still while JavaScript runs,
 * so it cannot be measured from inside). Modes:
 * - `template`: the edge's renderer on a source it has rendered before (a join per session);
 * - `first-edge`: the edge's renderer on a source object it has never seen (a source's first
 *   render in an isolate: run-compressed template build, then the join);
 * - `first-core`: the same with manifest-core's `createSessionMediaRenderer` (parse, personalise
 *   and serialise every segment), what the edge did before;
 * - `first-shared`: the edge's renderer with templates shared through `caches.default` (a fresh
 *   isolate's first render reads the template another isolate stored: SHA-256, cache read, split, join);
 * - `parse`: manifest-core's parse of the source alone;
 * - `verify`: WebCrypto verification of the session id every media request starts with.
 * With `prelude=1`, every request (empty ones too) first does what the edge's media route does
 * before it renders: verify the session id (WebCrypto) and parse the session's master.
 */
import {
  createSessionMediaRenderer,
  describeSourcePlaylist,
  parseMasterPlaylist,
  parseMediaPlaylist,
  verifySessionToken,
  type SessionUrls,
  type SourcePlaylistText,
} from '@meridian/manifest-core';
import { createEdgeMediaRenderer } from '../src/media-render.ts';

const edge = createEdgeMediaRenderer();
// workerd's CacheStorage has `default`; the bench is type-checked against Node's, which does not.
const sharing = createEdgeMediaRenderer({
  shared: { cache: (caches as unknown as { default: Cache }).default, ttlSeconds: 3_600 },
});
const core = createSessionMediaRenderer();
const texts = new Map<number, string>();
const kept = new Map<number, SourcePlaylistText>();

/** A VOD source playlist of `segments` 6-second segments (the last one shorter), as the transcoder writes it. */
function textOf(segments: number): string {
  let text = texts.get(segments);
  if (text === undefined) {
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-INDEPENDENT-SEGMENTS',
    ];
    for (let i = 0; i < segments; i++)
      lines.push(i === segments - 1 ? '#EXTINF:3.200,' : '#EXTINF:6.000,', `seg${String(i).padStart(5, '0')}.ts`);
    lines.push('#EXT-X-ENDLIST', '');
    text = lines.join('\n');
    texts.set(segments, text);
  }
  return text;
}

const urlsFor = (token: string): SessionUrls => ({
  sessionToken: token,
  mediaPlaylistUrl: (r) => `https://edge.example/v1/sessions/${token}/${r}.m3u8`,
  keyUrl: (k) => `https://edge.example/v1/keys/${k}?session=${token}`,
  steeringUrl: undefined,
  segmentBaseUrl: 'https://cdn.example',
});

const KEYRING = { activeKid: 'k1', keys: { k1: 'bench-secret-0123456789abcdef' } };

export default {
  /** `/?n=<renders>&segments=<count>&mode=<mode>&token=<session id for verify>`: answers the last output's length. */
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? '1');
    const segments = Number(url.searchParams.get('segments') ?? '300');
    const mode = url.searchParams.get('mode') ?? 'template';
    const text = textOf(segments);
    if (url.searchParams.get('prelude') === '1') {
      await verifySessionToken(url.searchParams.get('token') ?? '', KEYRING, Date.now());
      parseMasterPlaylist(
        '#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720,CODECS="avc1.64001f"\n720p/index.m3u8\n',
      );
    }
    const path = '/vod/bench/720p/index.m3u8';
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const token = `eyJrIjoiazEiLCJlIjoxNzk1MzI5NTUxLCJkIjp7ImkiOiJiZW5jaCIsImsiOiJ2In19.session${i}`;
      switch (mode) {
        case 'template': {
          let source = kept.get(segments);
          if (!source) kept.set(segments, (source = { path, text }));
          bytes = edge.text(source, token, urlsFor, 'bench').length;
          break;
        }
        case 'first-edge':
          bytes = edge.text({ path, text }, token, urlsFor, 'bench').length;
          break;
        case 'first-shared': {
          const source = { path, text };
          await sharing.prepare(source, urlsFor, 'bench');
          bytes = sharing.text(source, token, urlsFor, 'bench').length;
          break;
        }
        case 'first-core':
          bytes = core.text({ path, text }, token, urlsFor, 'bench').length;
          break;
        case 'parse': {
          const source = describeSourcePlaylist(path, text, 'primary', false);
          bytes = source ? parseMediaPlaylist(source.text).playlist.segments.length : 0;
          break;
        }
        case 'verify':
          bytes = (await verifySessionToken(url.searchParams.get('token') ?? '', KEYRING, Date.now())).contentId.length;
          break;
        default:
          return new Response('unknown mode', { status: 400 });
      }
    }
    return new Response(String(bytes));
  },
};
