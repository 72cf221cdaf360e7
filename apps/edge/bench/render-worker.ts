/**
 * @module Bench Worker: renders a session's media playlist N times inside one request, with the
 * edge's own render function, so that the caller can divide the request's time by N. Time in
 * workerd is frozen while JavaScript runs, so it cannot be measured from inside.
 */
import { createSessionMediaRenderer, renderSessionMedia, type SessionUrls, type SourcePlaylistText } from '@meridian/manifest-core';

const templated = createSessionMediaRenderer();

const sources = new Map<number, SourcePlaylistText>();

/** A VOD source playlist of `segments` 6-second segments, like the transcoder writes. */
function sourceOf(segments: number): SourcePlaylistText {
  let source = sources.get(segments);
  if (!source) {
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:6', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-INDEPENDENT-SEGMENTS'];
    for (let i = 0; i < segments; i++) lines.push('#EXTINF:6.000,', `seg${String(i).padStart(5, '0')}.ts`);
    lines.push('#EXT-X-ENDLIST', '');
    source = { path: '/vod/bench/720p/index.m3u8', text: lines.join('\n') };
    sources.set(segments, source);
  }
  return source;
}

export default {
  /**
   * `/?n=<renders>&segments=<count>&mode=edge|direct`: renders n playlists for n different
   * sessions, through the edge's templates (`edge`, what every request after a source's first
   * does) or the shared renderer alone (`direct`, a source's first render); answers the last length.
   */
  fetch(request: Request): Response {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? '1');
    const direct = url.searchParams.get('mode') === 'direct';
    const source = sourceOf(Number(url.searchParams.get('segments') ?? '300'));
    const urlsFor = (token: string): SessionUrls => ({
      sessionToken: token,
      mediaPlaylistUrl: (r) => `https://edge.example/v1/sessions/${token}/${r}.m3u8`,
      keyUrl: (k) => `https://edge.example/v1/keys/${k}?session=${token}`,
      steeringUrl: undefined,
      segmentBaseUrl: 'https://cdn.example',
    });
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const token = `eyJrIjoiazEiLCJlIjoxNzk1MzI5NTUxLCJkIjp7ImkiOiJiZW5jaCIsImsiOiJ2In19.session${i}`;
      bytes = (direct ? renderSessionMedia(source, urlsFor(token)) : templated.text(source, token, urlsFor, 'bench')).length;
    }
    return new Response(String(bytes));
  },
};
