/**
 * @module Test Worker: renders source playlists both ways inside workerd — the edge's
 * run-compressed path and manifest-core's `renderSessionMedia` over the whole source — so that
 * a property test can compare them byte for byte in the runtime the edge runs in.
 */
import { renderSessionMedia, type SessionUrls } from '@meridian/manifest-core';
import { createEdgeMediaRenderer, renderRunCompressed } from '../../src/media-render.ts';

/** One case: a source, the URL settings of the session, and its token. */
interface Case {
  path: string;
  text: string;
  token: string;
  segmentBaseUrl: string;
}

const templated = createEdgeMediaRenderer();

function urlsFor(c: Case, token: string): SessionUrls {
  return {
    sessionToken: token,
    mediaPlaylistUrl: (r) => `https://edge.example/v1/sessions/${token}/${r}.m3u8`,
    keyUrl: (k) => `https://edge.example/v1/keys/${k}?session=${token}`,
    steeringUrl: undefined,
    segmentBaseUrl: c.segmentBaseUrl,
  };
}

export default {
  /** POST a JSON array of cases; answers, per case, `fast` (null when the fast path declined), `templated` and `full` (null when rendering threw). */
  async fetch(request: Request): Promise<Response> {
    const cases = (await request.json()) as Case[];
    const out = cases.map((c) => {
      const source = { path: c.path, text: c.text };
      let full: string | null;
      try {
        full = renderSessionMedia(source, urlsFor(c, c.token));
      } catch {
        full = null;
      }
      let fast: string | null;
      let viaTemplate: string | null;
      try {
        fast = renderRunCompressed(source, urlsFor(c, c.token)) ?? null;
      } catch (error) {
        fast = `threw ${String(error)}`;
      }
      try {
        viaTemplate = templated.text(source, c.token, (t) => urlsFor(c, t), c.segmentBaseUrl);
      } catch {
        viaTemplate = null;
      }
      return { fast, templated: viaTemplate, full };
    });
    return Response.json(out);
  },
};
