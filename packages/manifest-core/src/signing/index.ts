/** @module Public names of the signing module: HMAC-SHA256 playback URLs and opaque tokens over WebCrypto. */

/** Keyrings (key rotation by key id) and the primitives under them. */
export { assertKeyring, hmacSha256, timingSafeEqual } from './keyring.ts';
export type { Keyring } from './keyring.ts';

/** Signed playback URLs (`exp`, `kid`, `sig`). */
export { signPlaybackUrl, verifyPlaybackUrl, canonicalPlaybackString } from './url.ts';
export type { SignPlaybackUrlOptions, VerifyPlaybackUrlOptions, VerifiedPlaybackUrl } from './url.ts';

/** Signed opaque tokens (session ids) with expiry. */
export { signToken, verifyToken } from './token.ts';
export type { SignTokenOptions, VerifyTokenOptions, VerifiedToken } from './token.ts';

/** base64url helpers used by the tokens, exported for callers that build their own. */
export { bytesToBase64Url, base64UrlToBytes } from './base64url.ts';

/** Session ids shared by the edge and the zones (claims in a signed token). */
export { signSessionToken, verifySessionToken, newSessionClaims, MAX_SESSION_TOKEN_LENGTH } from './session.ts';
export type { SessionClaims } from './session.ts';
