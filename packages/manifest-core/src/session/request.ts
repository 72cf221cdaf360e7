/**
 * @module Checks of what a player or API client sends to open or use a session: content ids
 * (no `../`, no percent-encoded traversal), `ads.*` parameters with limits, the ad mode, the
 * session id's shape and the POST /v1/sessions body. Each check returns a result naming the
 * problem with the error code both apps answer with, so the apps keep their one error type.
 */
import { isManifestError } from '../errors.ts';
import { parseAssetManifest, type AssetManifest } from '../asset/asset-manifest.ts';
import type { SessionClaims } from '../signing/session.ts';

/** VOD asset or live channel. */
export type SessionKind = SessionClaims['kind'];

/** How ads are delivered: stitched into the media playlists or as HLS Interstitials. */
export type SessionMode = SessionClaims['mode'];

/** The error code an app answers a failed check with (the same strings in edge and regional-origin). */
export type SessionRequestProblem =
  'INVALID_ID' | 'BAD_REQUEST' | 'INVALID_SIGNATURE' | 'NOT_FOUND' | 'BAD_ORIGIN_RESPONSE';

/** The outcome of a request check: the checked value, or the problem and a message safe to show the client. */
export type RequestCheck<T> = { ok: true; value: T } | { ok: false; problem: SessionRequestProblem; message: string };

/** Limits on `ads.*` parameters (they are signed into every session id, which travels in every URL). */
export const AD_PARAM_LIMITS = {
  /** Most parameters per session. */
  maxParams: 32,
  /** Longest parameter name after `ads.`, in characters. */
  maxNameLength: 64,
  /** Longest value, in characters. */
  maxValueLength: 512,
} as const;

/**
 * Ids of assets, channels, keys and videos: a letter or digit, then letters, digits, `-`, `_`
 * (at most 128). Neither `.` nor `/` nor `%` can occur, so `../`, `%2e%2e` and `..%2F` never pass —
 * whether the router decoded the path or not.
 */
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** A session id's shape: base64url body "." base64url MAC, bounded before any HMAC work. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{1,100}$/;
const AD_PARAM_NAME = new RegExp(`^[A-Za-z0-9_.-]{1,${AD_PARAM_LIMITS.maxNameLength}}$`);
/** ISO 3166-1 alpha-2 (or continent) code as CDNs send it. */
const COUNTRY = /^[A-Za-z]{2}$/;

const ok = <T>(value: T): RequestCheck<T> => ({ ok: true, value });
const fail = <T>(problem: SessionRequestProblem, message: string): RequestCheck<T> => ({ ok: false, problem, message });

/** True when `value` is a safe id (see the ID rule above: traversal in any encoding is refused). */
export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** Checks an asset, channel, key or video id; `what` names it in the message (`asset id`). */
export function checkId(value: unknown, what: string): RequestCheck<string> {
  return isSafeId(value) ? ok(value) : fail('INVALID_ID', `invalid ${what}`);
}

/** Checks a session id's shape before it is verified (a malformed id is answered like a forged one). */
export function checkSessionTokenShape(value: unknown): RequestCheck<string> {
  return typeof value === 'string' && SESSION_TOKEN.test(value)
    ? ok(value)
    : fail('INVALID_SIGNATURE', 'malformed session id');
}

/**
 * The `ads.<name>=<value>` parameters of a query (other parameters are ignored), without the
 * prefix; BAD_REQUEST when a name or value breaks {@link AD_PARAM_LIMITS}.
 * @example
 * checkAdParamsQuery({ 'ads.gdpr': '1', mode: 'stitched' }) // → { ok: true, value: { gdpr: '1' } }
 */
export function checkAdParamsQuery(query: Readonly<Record<string, string>>): RequestCheck<Record<string, string>> {
  const params: Record<string, string> = {};
  let count = 0;
  for (const [k, v] of Object.entries(query)) {
    if (!k.startsWith('ads.')) continue;
    const name = k.slice(4);
    if (!AD_PARAM_NAME.test(name) || v.length > AD_PARAM_LIMITS.maxValueLength)
      return fail('BAD_REQUEST', `bad ad parameter ${k}`);
    // A prototype name would not be an own property; refuse it rather than drop it silently.
    if (name === '__proto__') return fail('BAD_REQUEST', `bad ad parameter ${k}`);
    params[name] = v;
    if (++count > AD_PARAM_LIMITS.maxParams)
      return fail('BAD_REQUEST', `more than ${AD_PARAM_LIMITS.maxParams} ad parameters`);
  }
  return ok(params);
}

/** The `adParams` object of a POST /v1/sessions body (strings, numbers or booleans, stringified), under the same limits. */
export function checkAdParamsBody(value: unknown): RequestCheck<Record<string, string>> {
  if (value === undefined) return ok({});
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('BAD_REQUEST', 'adParams must be an object of strings');
  const prefixed: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      return fail('BAD_REQUEST', `adParams.${k} must be a string`);
    prefixed[`ads.${k}`] = String(v);
  }
  return checkAdParamsQuery(prefixed);
}

/** The ad mode (`stitched` when absent). */
export function checkSessionMode(value: unknown): RequestCheck<SessionMode> {
  if (value === undefined || value === 'stitched') return ok('stitched');
  if (value === 'interstitials') return ok('interstitials');
  return fail('BAD_REQUEST', 'mode must be "stitched" or "interstitials"');
}

/** A checked POST /v1/sessions body. */
export interface SessionStartRequest {
  /** `vod` for `assetId`, `live` for `channelId`. */
  kind: SessionKind;
  /** The asset or channel id. */
  contentId: string;
  /** The ad mode. */
  mode: SessionMode;
  /** The ad parameters, without the `ads.` prefix. */
  adParams: Record<string, string>;
}

/** Checks a parsed POST /v1/sessions body: an object with exactly one of `assetId` / `channelId`, and optional `mode` and `adParams`. */
export function checkSessionStart(body: unknown): RequestCheck<SessionStartRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return fail('BAD_REQUEST', 'body must be a JSON object');
  const { assetId, channelId, mode, adParams } = body as Record<string, unknown>;
  if ((assetId === undefined) === (channelId === undefined))
    return fail('BAD_REQUEST', 'give exactly one of assetId or channelId');
  const kind: SessionKind = assetId !== undefined ? 'vod' : 'live';
  const id = checkId(kind === 'vod' ? assetId : channelId, kind === 'vod' ? 'assetId' : 'channelId');
  if (!id.ok) return id;
  const checkedMode = checkSessionMode(mode);
  if (!checkedMode.ok) return checkedMode;
  const params = checkAdParamsBody(adParams);
  if (!params.ok) return params;
  return ok({ kind, contentId: id.value, mode: checkedMode.value, adParams: params.value });
}

/** A two-letter country (or continent) code, upper-cased, or undefined for anything else. */
export function normalizeCountryCode(value: unknown): string | undefined {
  return typeof value === 'string' && COUNTRY.test(value) ? value.toUpperCase() : undefined;
}

/** Cache-Control for a personalised playlist (SPEC §5): private always; VOD a day, live about half a target duration. */
export function sessionPlaylistCacheControl(live: boolean, targetDurationSeconds: number | undefined): string {
  if (!live) return 'private, max-age=86400';
  return `private, max-age=${Math.max(1, Math.floor((targetDurationSeconds ?? 2) / 2))}`;
}

/** Reads an asset's asset.json text from the origin: BAD_ORIGIN_RESPONSE when it is not JSON, invalid, or names another asset. */
export function checkAssetJson(assetId: string, text: string): RequestCheck<AssetManifest> {
  let manifest: AssetManifest;
  try {
    manifest = parseAssetManifest(JSON.parse(text));
  } catch (error) {
    return fail(
      'BAD_ORIGIN_RESPONSE',
      `asset.json of ${assetId} is invalid: ${isManifestError(error) ? error.message : 'not JSON'}`,
    );
  }
  if (manifest.assetId !== assetId) return fail('BAD_ORIGIN_RESPONSE', `asset.json of ${assetId} names another asset`);
  return ok(manifest);
}

/** An asset sessions can play: NOT_FOUND while it is uploading, processing or failed. */
export function checkReadyAsset(asset: AssetManifest): RequestCheck<AssetManifest> {
  return asset.status === 'ready'
    ? ok(asset)
    : fail('NOT_FOUND', `asset ${asset.assetId} is ${asset.status}, not ready`);
}
