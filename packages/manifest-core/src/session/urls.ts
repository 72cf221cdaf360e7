/**
 * @module The session URL layout of SPEC §5, written once: every server that serves a session
 * (the edge, each zone, each steering pathway) builds the same URLs from its base URL and the
 * session id, so a player can move between them mid-session.
 */
import type { SessionPathway, SessionUrls } from './playlist.ts';

/** Inputs of {@link sessionUrlsFor}. */
export interface SessionUrlsOptions {
  /** Public base URL of the server writing the playlist (no trailing `/`), e.g. `https://edge.example`. */
  baseUrl: string;
  /** The signed session id. */
  sessionToken: string;
  /** Whether the master names a steering server (`/v1/steering/{sid}.json` on `baseUrl`). */
  steering: boolean;
  /** Where origin paths are served from (see SessionUrls.segmentBaseUrl). */
  segmentBaseUrl: string;
}

/** The session's media playlist URL on a server: `{base}/v1/sessions/{sid}/{renditionId}.m3u8`. */
export function sessionPlaylistUrl(baseUrl: string, sessionToken: string, renditionId: string): string {
  return `${baseUrl}/v1/sessions/${sessionToken}/${renditionId}.m3u8`;
}

/**
 * A session's URLs on one server: media playlists, the key endpoint
 * (`/v1/keys/{keyId}?session={sid}`, the key id percent-encoded) and, with steering, the
 * steering manifest.
 * @example
 * renderSessionMaster(master, sessionUrlsFor({ baseUrl, sessionToken: sid, steering: true, segmentBaseUrl: cdn }), pathways);
 */
export function sessionUrlsFor(options: SessionUrlsOptions): SessionUrls {
  const { baseUrl, sessionToken } = options;
  return {
    sessionToken,
    mediaPlaylistUrl: (renditionId) => sessionPlaylistUrl(baseUrl, sessionToken, renditionId),
    keyUrl: (keyId) => `${baseUrl}/v1/keys/${encodeURIComponent(keyId)}?session=${sessionToken}`,
    steeringUrl: options.steering ? `${baseUrl}/v1/steering/${sessionToken}.json` : undefined,
    segmentBaseUrl: options.segmentBaseUrl,
  };
}

/** What POST /v1/sessions answers (201). */
export interface SessionStartResponse {
  sessionId: string;
  masterUrl: string;
  trackingUrl: string;
}

/** The POST /v1/sessions answer for a new session on a server. */
export function sessionStartResponse(baseUrl: string, sessionToken: string): SessionStartResponse {
  return {
    sessionId: sessionToken,
    masterUrl: sessionPlaylistUrl(baseUrl, sessionToken, 'master'),
    trackingUrl: `${baseUrl}/v1/sessions/${sessionToken}/tracking`,
  };
}

/**
 * A session master's steering pathways in PATHWAY-PRIORITY order; pathways the viewer should not
 * start on (unhealthy now) still follow, last, so that steering can move players back to them.
 */
export function sessionPathways(
  pathways: readonly { id: string; baseUrl: string }[],
  priority: readonly string[],
  sessionToken: string,
): SessionPathway[] {
  const ordered = [
    ...priority.flatMap((id) => pathways.filter((p) => p.id === id).slice(0, 1)),
    ...pathways.filter((p) => !priority.includes(p.id)),
  ];
  return ordered.map((p) => ({
    id: p.id,
    mediaPlaylistUrl: (renditionId: string) => sessionPlaylistUrl(p.baseUrl, sessionToken, renditionId),
  }));
}
