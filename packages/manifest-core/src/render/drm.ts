/**
 * @module DRM key signalling for media and master playlists: AES-128 key URIs carrying the
 * session token, SAMPLE-AES with FairPlay, Widevine and PlayReady KEYFORMATs side by side, key
 * rotation, the keys in force re-emitted at the top of every window and after every
 * discontinuity, and EXT-X-SESSION-KEY lines.
 */
import { ManifestError } from '../errors.ts';
import type { Key, MediaPlaylist, MediaSegment, SessionKey } from '../playlist/index.ts';
import { bytesToBase64, bytesToHex, concatBytes, keyIdToBytes, uint32be, utf16leBytes, utf8Bytes } from './bytes.ts';
import { resolveSegmentStates } from '../playlist/index.ts';
import { keyFormatOf } from './state.ts';
import { appendQuery } from './url.ts';

/** KEYFORMAT values of the key systems (RFC 8216 §4.3.2.4 and each vendor's HLS documentation). */
export const KEYFORMAT = {
  /** Plain AES-128 or SAMPLE-AES with the key at URI (the default when KEYFORMAT is absent). */
  identity: 'identity',
  /** Apple FairPlay Streaming; URI is `skd://…`. */
  fairPlay: 'com.apple.streamingkeydelivery',
  /** Google Widevine; URI is a `data:text/plain;base64,` PSSH box. */
  widevine: 'urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
  /** Microsoft PlayReady; URI is a `data:text/plain;charset=UTF-16;base64,` PlayReady Object. */
  playReady: 'com.microsoft.playready',
} as const;

/** DRM system ids (the 16-byte SystemID of a PSSH box, as hex) registered at dashif.org. */
export const DRM_SYSTEM_ID = {
  widevine: 'edef8ba979d64acea3c827dcd51d21ed',
  playReady: '9a04f07998404286ab92e65be0885f95',
  fairPlay: '94ce86fb07ff4f43adb893d2fa968ca2',
} as const;

// ————————————————————————————————————————————————————————————————— PSSH

/**
 * Builds a version-0 `pssh` box (ISO/IEC 23001-7 §8.1): size, `pssh`, version 0 and flags 0,
 * the 16-byte system id, the data size and the system-specific data.
 */
export function buildPsshBox(systemId: string, data: Uint8Array): Uint8Array {
  const system = keyIdToBytes(systemId);
  const size = 8 + 4 + 16 + 4 + data.length;
  return concatBytes([uint32be(size), utf8Bytes('pssh'), uint32be(0), system, uint32be(data.length), data]);
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return new Uint8Array(out);
}

function protobufBytes(field: number, bytes: Uint8Array): Uint8Array {
  return concatBytes([varint((field << 3) | 2), varint(bytes.length), bytes]);
}

/** Fields of Widevine's WidevinePsshData protobuf that {@link widevinePsshData} writes. */
export interface WidevinePsshDataOptions {
  /** Key ids (16 bytes each, hex or UUID form). */
  keyIds: readonly string[];
  /** Content id (arbitrary bytes, given as UTF-8 text), used by license servers that key on content. Default none. */
  contentId?: string;
  /** Provider name (a Widevine-assigned string). Default none. */
  provider?: string;
  /** Protection scheme four-character code: `cbcs` for SAMPLE-AES, `cenc` for SAMPLE-AES-CTR. Default none. */
  protectionScheme?: 'cbcs' | 'cenc' | 'cens' | 'cbc1';
}

/**
 * Encodes WidevinePsshData (protobuf): key_id = 2 (repeated bytes), provider = 3 (string),
 * content_id = 4 (bytes), protection_scheme = 9 (uint32 four-character code).
 */
export function widevinePsshData(options: WidevinePsshDataOptions): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const keyId of options.keyIds) parts.push(protobufBytes(2, keyIdToBytes(keyId)));
  if (options.provider !== undefined) parts.push(protobufBytes(3, utf8Bytes(options.provider)));
  if (options.contentId !== undefined) parts.push(protobufBytes(4, utf8Bytes(options.contentId)));
  if (options.protectionScheme !== undefined) {
    const s = options.protectionScheme;
    const fourcc = ((s.charCodeAt(0) << 24) >>> 0) + (s.charCodeAt(1) << 16) + (s.charCodeAt(2) << 8) + s.charCodeAt(3);
    parts.push(concatBytes([varint((9 << 3) | 0), varint(fourcc)]));
  }
  return concatBytes(parts);
}

/** Fields of the PlayReady header that {@link playReadyObject} writes. */
export interface PlayReadyObjectOptions {
  /** The key id (16 bytes, hex or UUID form, big-endian as in CENC). */
  keyId: string;
  /** `AESCBC` (cbcs, SAMPLE-AES; header v4.3) or `AESCTR` (cenc, SAMPLE-AES-CTR; header v4.0). Default `AESCBC`. */
  algorithm?: 'AESCBC' | 'AESCTR';
  /** License acquisition URL written as LA_URL. Default none (the player's configured server). */
  licenseUrl?: string;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** PlayReady KIDs are GUIDs in little-endian field order, base64 (PlayReady Header Specification §3.3). */
function playReadyKid(keyId: string): string {
  const b = keyIdToBytes(keyId);
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return bytesToBase64(new Uint8Array(order.map((i) => b[i]!)));
}

/**
 * Builds a PlayReady Object (one Rights Management Header record holding a UTF-16LE WRMHEADER),
 * the data of a PlayReady PSSH box and the content of PlayReady's HLS key URI.
 */
export function playReadyObject(options: PlayReadyObjectOptions): Uint8Array {
  const algorithm = options.algorithm ?? 'AESCBC';
  const kid = playReadyKid(options.keyId);
  const la = options.licenseUrl === undefined ? '' : `<LA_URL>${xmlEscape(options.licenseUrl)}</LA_URL>`;
  const xmlns = 'http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader';
  // Header v4.3 is the first that can say AESCBC (cbcs); v4.0 is the most widely supported for AESCTR.
  const xml =
    algorithm === 'AESCBC'
      ? `<WRMHEADER xmlns="${xmlns}" version="4.3.0.0"><DATA><PROTECTINFO><KIDS><KID ALGID="AESCBC" VALUE="${kid}"></KID></KIDS></PROTECTINFO>${la}</DATA></WRMHEADER>`
      : `<WRMHEADER xmlns="${xmlns}" version="4.0.0.0"><DATA><PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO><KID>${kid}</KID>${la}</DATA></WRMHEADER>`;
  const record = utf16leBytes(xml);
  const total = 4 + 2 + 2 + 2 + record.length;
  const header = new Uint8Array(10);
  const view = new DataView(header.buffer);
  view.setUint32(0, total, true);
  view.setUint16(4, 1, true); // one record
  view.setUint16(6, 1, true); // type 1: Rights Management Header
  view.setUint16(8, record.length, true);
  return concatBytes([header, record]);
}

// ————————————————————————————————————————————————————————————————— options

/** FairPlay options. */
export interface FairPlayOptions {
  /** `skd://` URI template; `{keyId}` and `{session}` are replaced (percent-encoded). Default `skd://{keyId}`. */
  uriTemplate?: string;
}

/** Widevine options. */
export interface WidevineOptions {
  /** Content id written in the PSSH data. Default none. */
  contentId?: string;
  /** Provider written in the PSSH data. Default none. */
  provider?: string;
}

/** PlayReady options. */
export interface PlayReadyOptions {
  /** LA_URL written in the PlayReady header. Default none. */
  licenseUrl?: string;
}

/**
 * How the IV attribute is written:
 * - `'implicit'` (default): no IV attribute; RFC 8216 §5.2: the player then uses each segment's
 *   media sequence number as a 128-bit big-endian IV, which is what ffmpeg's HLS encryption does;
 * - `'media-sequence'`: the same IV written explicitly (`0x` + 32 hex digits); since an IV
 *   applies to every segment until the next EXT-X-KEY, the key lines are repeated on every segment;
 * - a `0x…` string: one constant IV (cbcs packagers);
 * - a function of the key id and rotation period returning a `0x…` IV.
 */
export type IvMode = 'implicit' | 'media-sequence' | string | ((keyId: string, period: number) => string);

/** The encryption of a media playlist and how to signal it. */
export interface DrmOptions {
  /** AES-128 (whole segments) or SAMPLE-AES / SAMPLE-AES-CTR (samples; needed by the DRM systems). */
  method: 'AES-128' | 'SAMPLE-AES' | 'SAMPLE-AES-CTR';
  /** The key id (16 bytes as hex or UUID), or a function of the rotation period (`floor(MSN / rotateEverySegments)`). */
  keyId: string | ((period: number) => string);
  /** Rotate keys every N media sequence numbers (periods are aligned on absolute MSNs, so live reloads agree). Default: never. */
  rotateEverySegments?: number;
  /**
   * Key URI template of the `identity` KEYFORMAT, written for AES-128 and for SAMPLE-AES when no DRM
   * system is enabled; `{keyId}` is replaced (percent-encoded). Default `/v1/keys/{keyId}`.
   */
  keyUriTemplate?: string;
  /** Session token appended as `session=<token>` to identity key URIs (never to data: URIs). Default none. */
  sessionToken?: string;
  /** Signal FairPlay (SAMPLE-AES only). Default off. */
  fairPlay?: FairPlayOptions | boolean;
  /** Signal Widevine with a PSSH data URI. Default off. */
  widevine?: WidevineOptions | boolean;
  /** Signal PlayReady with a PlayReady Object data URI. Default off. */
  playReady?: PlayReadyOptions | boolean;
  /** IV attribute; see {@link IvMode}. Default `'implicit'`. */
  iv?: IvMode;
}

function enabled<T extends object>(v: T | boolean | undefined): T | undefined {
  if (v === undefined || v === false) return undefined;
  return v === true ? ({} as T) : v;
}

/** Checks a DrmOptions bag; throws ManifestError INVALID_OPTIONS naming the problem. */
export function assertDrmOptions(drm: DrmOptions): void {
  const bad = (msg: string): never => {
    throw new ManifestError('INVALID_OPTIONS', `drm: ${msg}`);
  };
  if (drm.method !== 'AES-128' && drm.method !== 'SAMPLE-AES' && drm.method !== 'SAMPLE-AES-CTR')
    bad(`unknown method ${String(drm.method)}`);
  const systems = enabled(drm.fairPlay) ?? enabled(drm.widevine) ?? enabled(drm.playReady);
  if (drm.method === 'AES-128' && systems !== undefined)
    bad('FairPlay, Widevine and PlayReady need SAMPLE-AES or SAMPLE-AES-CTR');
  // FairPlay Streaming only decrypts cbcs (SAMPLE-AES).
  if (drm.method === 'SAMPLE-AES-CTR' && enabled(drm.fairPlay) !== undefined) bad('FairPlay needs SAMPLE-AES');
  const n = drm.rotateEverySegments;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) bad('rotateEverySegments must be a positive integer');
  if (typeof drm.keyId === 'string') keyIdToBytes(drm.keyId);
  if (
    typeof drm.iv === 'string' &&
    drm.iv !== 'implicit' &&
    drm.iv !== 'media-sequence' &&
    !/^0x[0-9a-fA-F]{32}$/.test(drm.iv)
  ) {
    bad('iv must be implicit, media-sequence or 0x followed by 32 hex digits');
  }
}

/** The 128-bit IV RFC 8216 §5.2 derives from a media sequence number, as a `0x` hexadecimal-sequence. */
export function ivForMediaSequence(mediaSequence: number): string {
  if (!Number.isSafeInteger(mediaSequence) || mediaSequence < 0) {
    throw new ManifestError('INVALID_OPTIONS', `media sequence number ${mediaSequence} is not a non-negative integer`);
  }
  return `0x${mediaSequence.toString(16).padStart(32, '0')}`;
}

/** The rotation period of a media sequence number under `drm` (0 when keys do not rotate). */
export function keyPeriodOf(drm: DrmOptions, mediaSequence: number): number {
  return drm.rotateEverySegments === undefined ? 0 : Math.floor(mediaSequence / drm.rotateEverySegments);
}

/** The key id of a rotation period. */
export function keyIdForPeriod(drm: DrmOptions, period: number): string {
  return typeof drm.keyId === 'string' ? drm.keyId : drm.keyId(period);
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(keyId|session)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}

/** Copies a key line, including its otherAttributes record, so cached lines are never shared with callers. */
function cloneKey(key: Key, iv?: string): Key {
  const out: Key = { ...key };
  if (key.otherAttributes !== undefined) out.otherAttributes = { ...key.otherAttributes };
  if (iv !== undefined) out.iv = iv;
  return out;
}

/**
 * Key lines by key id and signalling options: building PSSH boxes and PlayReady headers dominates
 * a live reload otherwise, and the same few key ids recur on every reload of every viewer.
 */
const keyLineCache = new Map<string, readonly Key[]>();
const KEY_LINE_CACHE_ENTRIES = 512;

/** Builds the key lines of one key id (no IV); one per KEYFORMAT. Returned objects are shared: clone before editing. */
function keysForKeyId(drm: DrmOptions, keyId: string): readonly Key[] {
  const cacheKey = JSON.stringify([
    drm.method,
    keyId,
    drm.keyUriTemplate,
    drm.sessionToken,
    drm.fairPlay ?? false,
    drm.widevine ?? false,
    drm.playReady ?? false,
  ]);
  const cached = keyLineCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const built = buildKeysForKeyId(drm, keyId);
  // Bounded: drop everything when full (simple, and key ids change slowly).
  if (keyLineCache.size >= KEY_LINE_CACHE_ENTRIES) keyLineCache.clear();
  keyLineCache.set(cacheKey, built);
  return built;
}

function buildKeysForKeyId(drm: DrmOptions, keyId: string): Key[] {
  const keys: Key[] = [];
  const fairPlay = enabled(drm.fairPlay);
  const widevine = enabled(drm.widevine);
  const playReady = enabled(drm.playReady);
  if (fairPlay === undefined && widevine === undefined && playReady === undefined) {
    let uri = fill(drm.keyUriTemplate ?? '/v1/keys/{keyId}', { keyId });
    if (drm.sessionToken !== undefined) uri = appendQuery(uri, { session: drm.sessionToken });
    keys.push({ method: drm.method, uri });
    return keys;
  }
  const scheme = drm.method === 'SAMPLE-AES' ? 'cbcs' : 'cenc';
  if (fairPlay !== undefined) {
    const uri = fill(fairPlay.uriTemplate ?? 'skd://{keyId}', { keyId, session: drm.sessionToken ?? '' });
    keys.push({ method: drm.method, uri, keyFormat: KEYFORMAT.fairPlay, keyFormatVersions: '1' });
  }
  if (widevine !== undefined) {
    const data = widevinePsshData({
      keyIds: [keyId],
      protectionScheme: scheme,
      ...(widevine.contentId === undefined ? {} : { contentId: widevine.contentId }),
      ...(widevine.provider === undefined ? {} : { provider: widevine.provider }),
    });
    const uri = `data:text/plain;base64,${bytesToBase64(buildPsshBox(DRM_SYSTEM_ID.widevine, data))}`;
    // Widevine's HLS spec (Widevine_DRM_HLS.pdf) also asks for KEYID; players such as videojs require it.
    keys.push({
      method: drm.method,
      uri,
      keyFormat: KEYFORMAT.widevine,
      keyFormatVersions: '1',
      otherAttributes: { KEYID: { raw: `0x${bytesToHex(keyIdToBytes(keyId))}` } },
    });
  }
  if (playReady !== undefined) {
    const pro = playReadyObject({
      keyId,
      algorithm: scheme === 'cbcs' ? 'AESCBC' : 'AESCTR',
      ...(playReady.licenseUrl === undefined ? {} : { licenseUrl: playReady.licenseUrl }),
    });
    const uri = `data:text/plain;charset=UTF-16;base64,${bytesToBase64(pro)}`;
    keys.push({ method: drm.method, uri, keyFormat: KEYFORMAT.playReady, keyFormatVersions: '1' });
  }
  return keys;
}

function ivFor(drm: DrmOptions, keyId: string, period: number, mediaSequence: number): string | undefined {
  const iv = drm.iv ?? 'implicit';
  if (iv === 'implicit') return undefined;
  if (iv === 'media-sequence') return ivForMediaSequence(mediaSequence);
  return typeof iv === 'function' ? iv(keyId, period) : iv;
}

/**
 * The EXT-X-KEY lines that apply to the segment with media sequence number `mediaSequence`
 * under `drm`: one per KEYFORMAT, for the key id of its rotation period.
 * @example
 * drmKeysAt({ method: 'AES-128', keyId: kid, sessionToken: 's1' }, 40)
 * // → [{ method: 'AES-128', uri: '/v1/keys/<kid>?session=s1' }]
 */
export function drmKeysAt(drm: DrmOptions, mediaSequence: number): Key[] {
  assertDrmOptions(drm);
  const period = keyPeriodOf(drm, mediaSequence);
  const keyId = keyIdForPeriod(drm, period);
  const iv = ivFor(drm, keyId, period, mediaSequence);
  return keysForKeyId(drm, keyId).map((k) => cloneKey(k, iv));
}

/** Options of {@link sessionKeysFor}. */
export interface SessionKeysOptions {
  /** Media sequence number whose key period the session keys announce. Default 0. */
  mediaSequence?: number;
}

/**
 * EXT-X-SESSION-KEY lines for a master playlist (RFC 8216 §4.3.4.5: lets players preload keys;
 * same attributes as the media playlists' EXT-X-KEY lines, never METHOD=NONE, no IV).
 * @example
 * renderMasterPlaylist(ladder, viewer, { sessionKeys: sessionKeysFor(drm, { mediaSequence: liveEdgeMsn }) });
 */
export function sessionKeysFor(drm: DrmOptions, options: SessionKeysOptions = {}): SessionKey[] {
  assertDrmOptions(drm);
  const period = keyPeriodOf(drm, options.mediaSequence ?? 0);
  return keysForKeyId(drm, keyIdForPeriod(drm, period)).map((k) => cloneKey(k));
}

// ————————————————————————————————————————————————————————————————— media playlists

/** Options of {@link applyKeySignalling}. */
export interface ApplyKeySignallingOptions {
  /**
   * Segments that are not encrypted (e.g. stitched ads): they get METHOD=NONE, and the content
   * keys are re-emitted on the next encrypted segment. Default: none.
   */
  isClear?: (segment: MediaSegment, index: number) => boolean;
  /**
   * Whether the LL-HLS parts after the last segment (the playlist's tail) are clear. Default: the
   * same as the last segment (encrypted when there are no segments).
   */
  tailClear?: boolean;
}

/** Raises EXT-X-VERSION to what the key lines need (RFC 8216 §7: IV needs 2, KEYFORMAT/KEYFORMATVERSIONS need 5). */
export function raiseVersionForKeys(playlist: MediaPlaylist): void {
  let needed = 0;
  for (const seg of playlist.tail === undefined ? playlist.segments : [...playlist.segments, playlist.tail]) {
    for (const k of seg.keys ?? []) {
      if (k.keyFormat !== undefined || k.keyFormatVersions !== undefined) needed = 5;
      else if (k.iv !== undefined && needed < 2) needed = 2;
    }
    if (needed === 5) break;
  }
  if (needed > (playlist.version ?? 1)) playlist.version = needed;
}

/**
 * Returns a copy of `playlist` whose EXT-X-KEY lines are replaced by those of `drm`: key lines
 * on the first segment (the top of the window), at every rotation boundary, after every
 * discontinuity and after every clear run (all KEYFORMATs each time), METHOD=NONE at the start of
 * each clear run; EXT-X-VERSION raised as needed. The input is not modified (segments are
 * shallow-copied). Throws ManifestError INVALID_OPTIONS for bad options.
 * @example
 * const signalled = applyKeySignalling(playlist, {
 *   method: 'SAMPLE-AES', keyId: (p) => keyIds[p]!, rotateEverySegments: 10,
 *   fairPlay: true, widevine: { contentId: 'movie-1' }, playReady: true,
 * });
 */
export function applyKeySignalling(
  playlist: MediaPlaylist,
  drm: DrmOptions,
  options: ApplyKeySignallingOptions = {},
): MediaPlaylist {
  assertDrmOptions(drm);
  const msn0 = playlist.mediaSequence ?? 0;
  const explicitPerSegment = drm.iv === 'media-sequence';
  let previousPeriod = -1;
  let previousClear = true;
  const segments = playlist.segments.map((source, i): MediaSegment => {
    const seg: MediaSegment = { ...source };
    delete seg.keys;
    const clear = options.isClear?.(source, i) ?? false;
    const msn = msn0 + i;
    const period = keyPeriodOf(drm, msn);
    if (clear) {
      // A clear segment at the top of the window needs no NONE: nothing is in force yet.
      if (!previousClear) seg.keys = [{ method: 'NONE' }];
    } else if (
      i === 0 ||
      seg.discontinuity === true ||
      previousClear ||
      period !== previousPeriod ||
      explicitPerSegment
    ) {
      const keyId = keyIdForPeriod(drm, period);
      const iv = ivFor(drm, keyId, period, msn);
      seg.keys = keysForKeyId(drm, keyId).map((k) => cloneKey(k, iv));
    }
    previousClear = clear;
    previousPeriod = clear ? -1 : period;
    return seg;
  });
  const out: MediaPlaylist = { ...playlist, segments };
  if (playlist.tail !== undefined) {
    out.tail = { ...playlist.tail };
    delete out.tail.keys;
    // LL-HLS: the parts after the last segment belong to the next media sequence number; when that
    // starts a new key period (or follows a discontinuity or a clear run), its keys go before the parts.
    const msn = msn0 + segments.length;
    const period = keyPeriodOf(drm, msn);
    const hasMedia = (out.tail.parts?.length ?? 0) > 0;
    const tailClear = options.tailClear ?? (segments.length > 0 && previousClear);
    if (tailClear) {
      if (hasMedia && !previousClear) out.tail.keys = [{ method: 'NONE' }];
    } else if (
      hasMedia &&
      (out.tail.discontinuity === true || previousClear || period !== previousPeriod || explicitPerSegment)
    ) {
      const keyId = keyIdForPeriod(drm, period);
      const iv = ivFor(drm, keyId, period, msn);
      out.tail.keys = keysForKeyId(drm, keyId).map((k) => cloneKey(k, iv));
    }
  }
  raiseVersionForKeys(out);
  return out;
}

/**
 * Returns a copy of `playlist` in which the first segment and every segment after a
 * discontinuity carry the complete set of keys in force (one line per KEYFORMAT), so a player
 * joining the window or crossing a discontinuity never misses a KEYFORMAT's key. Segments whose
 * own key lines include METHOD=NONE are left as written.
 */
export function reemitKeysInForce(playlist: MediaPlaylist): MediaPlaylist {
  const states = resolveSegmentStates(playlist);
  let changed = false;
  const segments = playlist.segments.map((seg, i) => {
    if (i !== 0 && seg.discontinuity !== true) return seg;
    if (seg.keys?.some((k) => k.method === 'NONE')) return seg;
    const inForce = states[i]!.keys;
    const own = new Set((seg.keys ?? []).map(keyFormatOf));
    if (inForce.every((k) => own.has(keyFormatOf(k))) && own.size === (seg.keys?.length ?? 0)) return seg;
    changed = true;
    return { ...seg, keys: inForce.map((k) => ({ ...k })) };
  });
  return changed ? { ...playlist, segments } : playlist;
}

/** The key id bytes of a DRM key id as lower-case hex (for logs and key servers). */
export function normalizeKeyId(keyId: string): string {
  return bytesToHex(keyIdToBytes(keyId));
}
