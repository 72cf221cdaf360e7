/** @module The Meridian edge Worker entry point. */
export default {
  fetch(): Response {
    return new Response('meridian edge', { status: 200 });
  },
};
