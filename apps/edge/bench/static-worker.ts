/** @module Bench baseline: a Worker that answers a fixed playlist string of the same size as the edge's rendered one. */
export default {
  /** Answers the BODY binding as a playlist. */
  fetch(_request: Request, env: { BODY: string }): Response {
    return new Response(env.BODY, {
      headers: { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'private, max-age=86400' },
    });
  },
};
