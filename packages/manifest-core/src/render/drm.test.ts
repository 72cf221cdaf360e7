/** @module Tests of DRM key signalling: key lines per KEYFORMAT, PSSH boxes, rotation, re-emission, session keys. */
import { Parser } from 'm3u8-parser';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { parseMediaPlaylist, serializePlaylist } from '../playlist/index.ts';
import type { MediaPlaylist } from '../playlist/index.ts';
import {
  applyKeySignalling,
  buildPsshBox,
  DRM_SYSTEM_ID,
  drmKeysAt,
  ivForMediaSequence,
  KEYFORMAT,
  playReadyObject,
  reemitKeysInForce,
  sessionKeysFor,
  widevinePsshData,
} from './drm.ts';
import type { DrmOptions } from './drm.ts';
import { keysInForceAt } from './state.ts';

const KID = '0123456789abcdef0123456789abcdef';
const KID2 = 'fedcba9876543210fedcba9876543210';

function media(count: number, opts: { msn?: number; discontinuityAt?: number[] } = {}): MediaPlaylist {
  return {
    kind: 'media',
    targetDuration: 6,
    mediaSequence: opts.msn ?? 0,
    segments: Array.from({ length: count }, (_, i) => ({
      uri: `seg-${i}.m4s`,
      duration: 6,
      ...(opts.discontinuityAt?.includes(i) ? { discontinuity: true } : {}),
    })),
  };
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function readVarint(bytes: Uint8Array): number {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i--) value = value * 128 + (bytes[i]! & 0x7f);
  return value;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

interface OracleManifest {
  segments: Array<{
    uri: string;
    duration: number;
    key?: { method: string; uri: string; iv?: Uint32Array };
    discontinuity?: boolean;
  }>;
  contentProtection?: Record<string, { attributes: Record<string, unknown>; pssh?: Uint8Array; uri?: string }>;
  mediaSequence?: number;
  discontinuitySequence?: number;
}

function oracle(text: string): OracleManifest {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest as OracleManifest;
}

const MULTI_DRM: DrmOptions = {
  method: 'SAMPLE-AES',
  keyId: KID,
  fairPlay: true,
  widevine: { contentId: 'movie-1' },
  playReady: { licenseUrl: 'https://pr.example/rightsmanager.asmx?a=1&b=2' },
};

describe('AES-128 key signalling', () => {
  it('writes a key URI that carries the session token, on the first segment only', () => {
    const out = applyKeySignalling(media(4), { method: 'AES-128', keyId: KID, sessionToken: 'tok/en+1' });
    const text = serializePlaylist(out);
    expect(text).toContain(`#EXT-X-KEY:METHOD=AES-128,URI="/v1/keys/${KID}?session=tok%2Fen%2B1"`);
    expect(text.match(/#EXT-X-KEY/g)).toHaveLength(1);
    const m = oracle(text);
    expect(m.segments.map((s) => s.key?.uri)).toEqual(Array(4).fill(`/v1/keys/${KID}?session=tok%2Fen%2B1`));
  });

  it("explicit media-sequence IVs repeat the key on every segment with that segment's MSN", () => {
    const out = applyKeySignalling(media(3, { msn: 41 }), { method: 'AES-128', keyId: KID, iv: 'media-sequence' });
    expect(out.segments.map((s) => s.keys?.[0]?.iv)).toEqual([
      ivForMediaSequence(41),
      ivForMediaSequence(42),
      ivForMediaSequence(43),
    ]);
    expect(ivForMediaSequence(42)).toBe('0x0000000000000000000000000000002a');
    expect(out.version).toBe(2);
    const m = oracle(serializePlaylist(out));
    expect([...m.segments[1]!.key!.iv!]).toEqual([0, 0, 0, 42]);
  });

  it('does not modify its input', () => {
    const input = media(2);
    input.segments[0]!.keys = [{ method: 'AES-128', uri: 'old' }];
    const before = JSON.stringify(input);
    applyKeySignalling(input, { method: 'AES-128', keyId: KID });
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe('SAMPLE-AES with FairPlay, Widevine and PlayReady side by side', () => {
  const text = serializePlaylist(applyKeySignalling(media(3), MULTI_DRM));
  const reparsed = parseMediaPlaylist(text).playlist;
  const keys = reparsed.segments[0]!.keys!;

  it('emits one key line per KEYFORMAT on the same segment, version 5', () => {
    expect(keys.map((k) => k.keyFormat)).toEqual([KEYFORMAT.fairPlay, KEYFORMAT.widevine, KEYFORMAT.playReady]);
    expect(keys.every((k) => k.method === 'SAMPLE-AES' && k.keyFormatVersions === '1')).toBe(true);
    expect(keys[0]!.uri).toBe(`skd://${KID}`);
    expect(reparsed.version).toBe(5);
  });

  it('gives Widevine a real PSSH v0 box whose data lists the key id and content id', () => {
    const uri = keys[1]!.uri!;
    expect(uri.startsWith('data:text/plain;base64,')).toBe(true);
    const box = fromBase64(uri.slice('data:text/plain;base64,'.length));
    const view = new DataView(box.buffer);
    expect(view.getUint32(0)).toBe(box.length);
    expect(new TextDecoder().decode(box.subarray(4, 8))).toBe('pssh');
    expect(view.getUint32(8)).toBe(0); // version 0, flags 0
    expect(hex(box.subarray(12, 28))).toBe(DRM_SYSTEM_ID.widevine);
    const dataSize = view.getUint32(28);
    expect(32 + dataSize).toBe(box.length);
    const data = box.subarray(32);
    // protobuf: field 2 (key_id) length 16, then field 4 (content_id), then field 9 (protection_scheme 'cbcs')
    expect(data[0]).toBe(0x12);
    expect(data[1]).toBe(16);
    expect(hex(data.subarray(2, 18))).toBe(KID);
    expect(data[18]).toBe(0x22);
    expect(new TextDecoder().decode(data.subarray(20, 20 + data[19]!))).toBe('movie-1');
    expect(data[data.length - 6]).toBe(0x48);
    expect(readVarint(data.subarray(-5))).toBe(0x63626373); // 'cbcs'
    // m3u8-parser (videojs) decodes the same PSSH box from the URI.
    const m = oracle(text);
    expect(hex(m.contentProtection!['com.widevine.alpha']!.pssh!)).toBe(hex(box));
    expect(m.contentProtection!['com.widevine.alpha']!.attributes.keyId).toBe(KID);
  });

  it('gives PlayReady a UTF-16 PlayReady Object naming the key id in GUID byte order', () => {
    const uri = keys[2]!.uri!;
    const prefix = 'data:text/plain;charset=UTF-16;base64,';
    expect(uri.startsWith(prefix)).toBe(true);
    const pro = fromBase64(uri.slice(prefix.length));
    const view = new DataView(pro.buffer);
    expect(view.getUint32(0, true)).toBe(pro.length);
    expect(view.getUint16(4, true)).toBe(1);
    expect(view.getUint16(6, true)).toBe(1);
    const xml = new TextDecoder('utf-16le').decode(pro.subarray(10, 10 + view.getUint16(8, true)));
    const guid = fromBase64(/VALUE="([^"]+)"/.exec(xml)![1]!);
    expect(hex(guid)).toBe('67452301ab89efcd0123456789abcdef');
    expect(xml).toContain('ALGID="AESCBC"');
    expect(xml).toContain('<LA_URL>https://pr.example/rightsmanager.asmx?a=1&amp;b=2</LA_URL>');
    expect(oracle(text).contentProtection!['com.microsoft.playready']!.uri).toBe(uri);
  });

  it('refuses DRM systems with AES-128 and FairPlay with SAMPLE-AES-CTR', () => {
    const attempts: DrmOptions[] = [
      { method: 'AES-128', keyId: KID, widevine: true },
      { method: 'SAMPLE-AES-CTR', keyId: KID, fairPlay: true },
      { method: 'SAMPLE-AES', keyId: 'not-a-key', fairPlay: true },
      { method: 'SAMPLE-AES', keyId: KID, fairPlay: true, rotateEverySegments: 0 },
    ];
    for (const drm of attempts) {
      let error: unknown;
      try {
        applyKeySignalling(media(1), drm);
      } catch (e) {
        error = e;
      }
      expect(isManifestError(error) && error.code === 'INVALID_OPTIONS').toBe(true);
    }
  });
});

describe('key rotation and re-emission', () => {
  const keyIds = [KID, KID2, '11111111111111111111111111111111', '22222222222222222222222222222222'];
  const rotating: DrmOptions = { ...MULTI_DRM, keyId: (p) => keyIds[p % keyIds.length]!, rotateEverySegments: 4 };

  it('changes the key id every N media sequence numbers, aligned on absolute MSNs', () => {
    const out = applyKeySignalling(media(10, { msn: 6 }), rotating);
    // MSN 6,7 → period 1; 8..11 → period 2; 12..15 → period 3
    const withKeys = out.segments.flatMap((s, i) => (s.keys ? [i] : []));
    expect(withKeys).toEqual([0, 2, 6]);
    expect(out.segments[0]!.keys![0]!.uri).toBe(`skd://${KID2}`);
    expect(out.segments[2]!.keys![0]!.uri).toBe(`skd://${keyIds[2]}`);
    expect(keysInForceAt(out, 5).map((k) => k.uri?.slice(0, 6 + 32))).toEqual([
      `skd://${keyIds[2]}`,
      expect.any(String),
      expect.any(String),
    ]);
    // The same segment served in a later window of the live stream gets the same key.
    const later = applyKeySignalling(media(10, { msn: 9 }), rotating);
    expect(keysInForceAt(later, 0)).toEqual(keysInForceAt(out, 3));
  });

  it("signals the next period's keys before LL-HLS parts that start it", () => {
    const live = media(4, { msn: 4 });
    live.tail = { parts: [{ uri: 'p8.0.m4s', duration: 2, independent: true }] };
    const out = applyKeySignalling(live, rotating);
    expect(out.tail!.keys!.map((k) => k.uri)).toEqual([`skd://${keyIds[2]}`, expect.any(String), expect.any(String)]);
    const text = serializePlaylist(out);
    expect(text.indexOf(`skd://${keyIds[2]}`)).toBeLessThan(text.indexOf('p8.0.m4s'));
    // mid-period parts inherit the keys already in force
    const mid = media(3, { msn: 4 });
    mid.tail = { parts: [{ uri: 'p7.0.m4s', duration: 2 }] };
    expect(applyKeySignalling(mid, rotating).tail!.keys).toBeUndefined();
    // parts of a clear ad after encrypted content get METHOD=NONE; after a clear segment, nothing
    expect(applyKeySignalling(mid, rotating, { tailClear: true }).tail!.keys).toEqual([{ method: 'NONE' }]);
    expect(applyKeySignalling(mid, rotating, { isClear: (_, i) => i === 2 }).tail!.keys).toBeUndefined();
    // … and content parts after a clear segment get the keys back
    expect(applyKeySignalling(mid, rotating, { isClear: (_, i) => i === 2, tailClear: false }).tail!.keys).toHaveLength(
      3,
    );
  });

  it('re-emits every KEYFORMAT after each discontinuity', () => {
    const out = applyKeySignalling(media(6, { discontinuityAt: [3] }), MULTI_DRM);
    expect(out.segments[3]!.keys!.map((k) => k.keyFormat)).toEqual([
      KEYFORMAT.fairPlay,
      KEYFORMAT.widevine,
      KEYFORMAT.playReady,
    ]);
    const m = oracle(serializePlaylist(out));
    expect(m.segments[3]!.discontinuity).toBe(true);
  });

  it('clear segments get METHOD=NONE and the content keys come back after them', () => {
    const isClear = (_: unknown, i: number): boolean => i === 2 || i === 3;
    const out = applyKeySignalling(media(6, { discontinuityAt: [2, 4] }), MULTI_DRM, { isClear });
    expect(out.segments[2]!.keys).toEqual([{ method: 'NONE' }]);
    expect(out.segments[3]!.keys).toBeUndefined();
    expect(keysInForceAt(out, 3)).toEqual([]);
    expect(out.segments[4]!.keys).toHaveLength(3);
    // m3u8-parser only tracks identity keys per segment, so check the same shape with AES-128.
    const aes = applyKeySignalling(
      media(6, { discontinuityAt: [2, 4] }),
      { method: 'AES-128', keyId: KID },
      { isClear },
    );
    const m = oracle(serializePlaylist(aes));
    expect(m.segments.map((s) => s.key?.method)).toEqual([
      'AES-128',
      'AES-128',
      undefined,
      undefined,
      'AES-128',
      'AES-128',
    ]);
  });

  it('reemitKeysInForce completes origin key lines at the top and after discontinuities', () => {
    const origin = parseMediaPlaylist(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:5',
        '#EXT-X-TARGETDURATION:6',
        '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://a",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"',
        '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="data:text/plain;base64,AAAA",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"',
        '#EXTINF:6,',
        'a.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://b",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"',
        '#EXTINF:6,',
        'b.ts',
        '',
      ].join('\n'),
    ).playlist;
    const out = reemitKeysInForce(origin);
    expect(out.segments[1]!.keys!.map((k) => k.uri)).toEqual(['skd://b', 'data:text/plain;base64,AAAA']);
    expect(origin.segments[1]!.keys).toHaveLength(1);
  });
});

describe('IVs and keys in force', () => {
  it('writes a constant or per-period IV on each key line', () => {
    const constant = applyKeySignalling(media(2), { ...MULTI_DRM, iv: '0x000102030405060708090A0B0C0D0E0F' });
    expect(constant.segments[0]!.keys!.every((k) => k.iv === '0x000102030405060708090A0B0C0D0E0F')).toBe(true);
    const perPeriod = applyKeySignalling(media(4), {
      method: 'AES-128',
      keyId: (p) => `${p}`.padStart(32, '0'),
      rotateEverySegments: 2,
      iv: (_keyId, period) => ivForMediaSequence(1000 + period),
    });
    expect(perPeriod.segments.map((s) => s.keys?.[0]?.iv)).toEqual([
      ivForMediaSequence(1000),
      undefined,
      ivForMediaSequence(1001),
      undefined,
    ]);
    expect(ivForMediaSequence(2 ** 40)).toBe('0x00000000000000000000010000000000');
  });

  it('keysInForceAt covers the tail and refuses indexes outside the playlist', () => {
    const signalled = applyKeySignalling(media(2), { method: 'AES-128', keyId: KID });
    signalled.tail = { keys: [{ method: 'NONE' }] };
    expect(keysInForceAt(signalled, 1)).toHaveLength(1);
    expect(keysInForceAt(signalled, 2)).toEqual([]);
    for (const index of [-1, 3, 0.5]) {
      let error: unknown;
      try {
        keysInForceAt(signalled, index);
      } catch (e) {
        error = e;
      }
      expect(isManifestError(error) && error.code === 'INVALID_OPTIONS').toBe(true);
    }
  });
});

describe('session keys', () => {
  it('announces the same keys as the media playlists, without IV or NONE', () => {
    const session = sessionKeysFor({ ...MULTI_DRM, iv: '0x000102030405060708090a0b0c0d0e0f' });
    expect(session).toEqual(drmKeysAt(MULTI_DRM, 0));
    expect(session.every((k) => k.iv === undefined && k.method === 'SAMPLE-AES')).toBe(true);
  });

  it('builds PSSH boxes and PlayReady objects directly', () => {
    const box = buildPsshBox(DRM_SYSTEM_ID.playReady, playReadyObject({ keyId: KID, algorithm: 'AESCTR' }));
    expect(hex(box.subarray(12, 28))).toBe(DRM_SYSTEM_ID.playReady);
    expect(widevinePsshData({ keyIds: [KID, KID2] })).toHaveLength(36);
  });
});
