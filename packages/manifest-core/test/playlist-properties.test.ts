/**
 * @module Property tests of the playlist parser and serializer (fast-check): no input makes the
 * parser throw anything but a ManifestError, whatever parses round-trips, and generated models
 * (master and media, with keys, maps, byte ranges, date ranges, parts) survive
 * serialize → parse unchanged.
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isManifestError, parsePlaylist, serializePlaylist } from '../src/index.ts';
import type {
  ByteRange,
  DateRange,
  Key,
  MasterPlaylist,
  MediaPlaylist,
  MediaSegment,
  PartialSegment,
  Playlist,
  Rendition,
  Variant,
} from '../src/index.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'playlists');

/** Parses, or returns the typed error; fails the property on any other exception. */
function tryParse(text: string): Playlist | undefined {
  try {
    return parsePlaylist(text).playlist;
  } catch (error) {
    if (!isManifestError(error)) throw error;
    return undefined;
  }
}

/** Whatever parses must serialize and re-parse to an equal model. */
function expectRoundTrip(playlist: Playlist): void {
  const text = serializePlaylist(playlist);
  expect(parsePlaylist(text).playlist).toEqual(playlist);
}

// ————————————————————————————————————————————————————————————————— hostile inputs

/** Fragments that reach deep into the parser: tags, attribute syntax, quotes, numbers, junk. */
const FRAGMENTS = [
  '#EXTM3U',
  '#EXTINF:',
  '#EXTINF:6,',
  '#EXTINF:-1,',
  '#EXT-X-TARGETDURATION:',
  '#EXT-X-TARGETDURATION:6',
  '#EXT-X-MEDIA-SEQUENCE:',
  '#EXT-X-KEY:',
  '#EXT-X-MAP:',
  '#EXT-X-DATERANGE:',
  '#EXT-X-PART:',
  '#EXT-X-STREAM-INF:',
  '#EXT-X-MEDIA:',
  '#EXT-X-I-FRAME-STREAM-INF:',
  '#EXT-X-DEFINE:',
  '#EXT-X-CUE-OUT:',
  '#EXT-X-CUE-OUT-CONT:',
  '#EXT-X-CUE-IN',
  '#EXT-X-BYTERANGE:',
  '#EXT-X-SKIP:',
  '#EXT-X-ENDLIST',
  '#EXT-X-DISCONTINUITY',
  '#EXT-X-PROGRAM-DATE-TIME:',
  '#EXT-X-SESSION-DATA:',
  '#EXT-X-START:',
  'METHOD=AES-128',
  'URI="',
  'URI="a,b"',
  'BANDWIDTH=',
  'BANDWIDTH=1000',
  'RESOLUTION=1x',
  'ID="x"',
  'X-A=0x1F',
  'DURATION=-3.5',
  'NAME="v"',
  'VALUE="{$v}"',
  '{$v}',
  ',',
  '=',
  '"',
  '@',
  '\n',
  '\r\n',
  ' ',
  '\u0000',
  '\uFEFF',
  '#',
  'seg.ts',
  '1e309',
  '99999999999999999999999',
  '0x',
];
const fragmentText = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })), { maxLength: 60 })
  .map((parts) => parts.join(''));

function fixtureTexts(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.m3u8'))
    .sort()
    .map((f) => readFileSync(join(FIXTURES, f), 'utf8'));
}

/** A random edit of a valid playlist: delete, insert, duplicate, swap or truncate. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string()),
  }),
  fc.record({ op: fc.constant('dupLine' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swapLines' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.op) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
    case 'dupLine':
    case 'swapLines': {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      if (m.op === 'dupLine') lines.splice(i, 0, lines[i]!);
      else {
        const j = m.with % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      return lines.join('\n');
    }
  }
}

describe('hostile input', () => {
  it('arbitrary strings never produce an untyped throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        tryParse(s);
        tryParse(`#EXTM3U\n${s}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('strings built from playlist fragments never produce an untyped throw, and round-trip when they parse', () => {
    fc.assert(
      fc.property(fragmentText, (s) => {
        const playlist = tryParse(`#EXTM3U\n${s}`);
        if (playlist !== undefined) expectRoundTrip(playlist);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated fixtures never produce an untyped throw, and round-trip when they parse', () => {
    const texts = fixtureTexts();
    expect(texts.length).toBeGreaterThanOrEqual(40);
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, ms) => {
        const text = ms.reduce(mutate, texts[index]!);
        const playlist = tryParse(text);
        if (playlist !== undefined) expectRoundTrip(playlist);
      }),
      { numRuns: 1500 },
    );
  });
});

// ————————————————————————————————————————————————————————————————— generated models

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const uri = fc
  .tuple(
    fc.constantFrom('', 'https://cdn.example.com/', '../', 'skd://', 'data:text/plain;base64,'),
    word,
    fc.constantFrom('.ts', '.m4s', '.m3u8', '?a=1&b=%2F', ''),
  )
  .map(([a, b, c]) => `${a}${b}${c}`);
/** Quoted-string content: anything but quotes and line breaks, commas and spaces included. */
const quoted = fc.stringMatching(/^[A-Za-z0-9 ,.:/_=&?-]{0,20}$/);
const seconds = fc.integer({ min: 0, max: 120_000 }).map((ms) => ms / 1000);
const count = fc.integer({ min: 0, max: 2 ** 40 });
const hex = fc.stringMatching(/^[0-9A-F]{2,32}$/).map((h) => `0x${h}`);
const isoDate = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms).toISOString());
const byteRange: fc.Arbitrary<ByteRange> = fc.record(
  { length: fc.integer({ min: 1, max: 10_000_000 }), offset: fc.nat(10_000_000) },
  { requiredKeys: ['length'] },
);
const clientValue = fc.oneof(
  quoted,
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100),
  hex.map((raw) => ({ raw })),
);
const clientAttributes = fc.dictionary(
  fc.stringMatching(/^[A-Z][A-Z0-9-]{0,10}$/).map((n) => `X-${n}`),
  clientValue,
  { minKeys: 1, maxKeys: 3 },
);

const key: fc.Arbitrary<Key> = fc.oneof(
  fc.constant<Key>({ method: 'NONE' }),
  fc.record(
    {
      method: fc.constantFrom('AES-128', 'SAMPLE-AES', 'SAMPLE-AES-CTR'),
      uri,
      iv: hex,
      keyFormat: fc.constantFrom(
        'identity',
        'com.apple.streamingkeydelivery',
        'urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
        'com.microsoft.playready',
      ),
      keyFormatVersions: fc.constantFrom('1', '1/2'),
    },
    { requiredKeys: ['method', 'uri'] },
  ),
);

const dateRange: fc.Arbitrary<DateRange> = fc.record(
  {
    id: word,
    class: fc.constantFrom('com.apple.hls.interstitial', 'com.example.ad'),
    startDate: isoDate,
    cue: fc.subarray(['PRE', 'POST', 'ONCE'], { minLength: 1 }),
    endDate: isoDate,
    duration: seconds,
    plannedDuration: seconds,
    clientAttributes,
    scte35Cmd: hex,
    scte35Out: hex,
    scte35In: hex,
    endOnNext: fc.constant(true),
  },
  { requiredKeys: ['id', 'startDate'] },
);

const part: fc.Arbitrary<PartialSegment> = fc.record(
  { uri, duration: seconds, independent: fc.boolean(), byteRange, gap: fc.constant(true) },
  { requiredKeys: ['uri', 'duration'] },
);

const segment: fc.Arbitrary<MediaSegment> = fc.record(
  {
    uri,
    duration: seconds,
    title: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ,]{0,10}[A-Za-z0-9]$/),
    byteRange,
    discontinuity: fc.constant(true),
    keys: fc.array(key, { minLength: 1, maxLength: 3 }),
    map: fc.record({ uri, byteRange }, { requiredKeys: ['uri'] }),
    programDateTime: isoDate,
    dateRanges: fc.array(dateRange, { minLength: 1, maxLength: 2 }),
    oatclsScte35: fc.stringMatching(/^[A-Za-z0-9+/]{4,40}={0,2}$/),
    cueIn: fc.constant(true),
    cueOut: fc.oneof(
      fc.constant({}),
      fc.record({ duration: seconds }),
      fc.record({ duration: seconds, style: fc.constant('value' as const) }),
    ),
    cueOutCont: fc.record({ elapsedTime: seconds, duration: seconds }),
    gap: fc.constant(true),
    bitrate: fc.integer({ min: 1, max: 100_000 }),
    parts: fc.array(part, { minLength: 1, maxLength: 3 }),
    extra: fc.array(fc.constantFrom('#EXT-X-VENDOR-TAG:1', '# a comment', '#EXT-X-SCTE35:CUE="abc"'), {
      minLength: 1,
      maxLength: 2,
    }),
  },
  { requiredKeys: ['uri', 'duration'] },
);

const mediaPlaylist: fc.Arbitrary<MediaPlaylist> = fc
  .record(
    {
      version: fc.integer({ min: 1, max: 12 }),
      targetDuration: fc.integer({ min: 1, max: 30 }),
      mediaSequence: count,
      discontinuitySequence: count,
      playlistType: fc.constantFrom('VOD', 'EVENT'),
      iFramesOnly: fc.constant(true),
      independentSegments: fc.constant(true),
      start: fc.record(
        { timeOffset: fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100), precise: fc.boolean() },
        { requiredKeys: ['timeOffset'] },
      ),
      defines: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('value' as const), name: word, value: quoted }),
          fc.record({ kind: fc.constant('import' as const), name: word }),
        ),
        { minLength: 1, maxLength: 2 },
      ),
      serverControl: fc.record(
        {
          canSkipUntil: seconds,
          canSkipDateRanges: fc.boolean(),
          holdBack: seconds,
          partHoldBack: seconds,
          canBlockReload: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      partInf: fc.record({ partTarget: seconds }),
      skip: fc.record(
        { skippedSegments: count, recentlyRemovedDateRanges: fc.array(word, { minLength: 1, maxLength: 3 }) },
        { requiredKeys: ['skippedSegments'] },
      ),
      segments: fc.array(segment, { maxLength: 12 }),
      preloadHints: fc.array(
        fc.record(
          { type: fc.constantFrom('PART', 'MAP'), uri, byteRangeStart: count, byteRangeLength: count },
          { requiredKeys: ['type', 'uri'] },
        ),
        { minLength: 1, maxLength: 2 },
      ),
      renditionReports: fc.array(fc.record({ uri, lastMsn: count, lastPart: fc.nat(20) }, { requiredKeys: ['uri'] }), {
        minLength: 1,
        maxLength: 3,
      }),
      endList: fc.constant(true),
    },
    { requiredKeys: ['targetDuration', 'segments'] },
  )
  .map((p) => ({ kind: 'media' as const, ...p }));

const rendition: fc.Arbitrary<Rendition> = fc.record(
  {
    type: fc.constantFrom('AUDIO', 'VIDEO', 'SUBTITLES', 'CLOSED-CAPTIONS'),
    uri,
    groupId: word,
    language: fc.constantFrom('en', 'fr', 'es-419'),
    assocLanguage: fc.constantFrom('en', 'de'),
    name: quoted,
    stableRenditionId: word,
    default: fc.boolean(),
    autoselect: fc.boolean(),
    forced: fc.boolean(),
    instreamId: fc.constantFrom('CC1', 'SERVICE2'),
    bitDepth: fc.integer({ min: 8, max: 24 }),
    sampleRate: fc.constantFrom(44100, 48000),
    characteristics: fc.constantFrom('public.accessibility.describes-video', 'public.easy-to-read'),
    channels: fc.constantFrom('2', '6', '16/JOC'),
  },
  { requiredKeys: ['type', 'groupId', 'name'] },
);

const variantCommon = {
  uri,
  bandwidth: fc.integer({ min: 1, max: 100_000_000 }),
  averageBandwidth: fc.integer({ min: 1, max: 100_000_000 }),
  score: fc.integer({ min: 0, max: 1000 }).map((n) => n / 10),
  codecs: fc.constantFrom('avc1.64001f,mp4a.40.2', 'hvc1.2.4.L123.B0', 'ec-3'),
  supplementalCodecs: fc.constantFrom('dvh1.08.07/db4h'),
  resolution: fc.record({ width: fc.integer({ min: 1, max: 7680 }), height: fc.integer({ min: 1, max: 4320 }) }),
  hdcpLevel: fc.constantFrom('TYPE-0', 'TYPE-1', 'NONE'),
  allowedCpc: fc.constantFrom('com.example.drm1:SMART-TV/PC'),
  videoRange: fc.constantFrom('SDR', 'HLG', 'PQ'),
  reqVideoLayout: fc.constantFrom('CH-STEREO,CH-MONO'),
  stableVariantId: word,
  video: word,
  pathwayId: fc.constantFrom('CDN-A', 'CDN-B'),
};
const variant: fc.Arbitrary<Variant> = fc.record(
  {
    ...variantCommon,
    frameRate: fc.integer({ min: 1, max: 120_000 }).map((n) => n / 1000),
    audio: word,
    subtitles: word,
    closedCaptions: fc.oneof(word, fc.constant('NONE')),
  },
  { requiredKeys: ['uri', 'bandwidth'] },
);

const masterPlaylist: fc.Arbitrary<MasterPlaylist> = fc
  .record(
    {
      version: fc.integer({ min: 1, max: 12 }),
      independentSegments: fc.constant(true),
      contentSteering: fc.record(
        { serverUri: uri, pathwayId: fc.constantFrom('CDN-A', 'CDN-B') },
        { requiredKeys: ['serverUri'] },
      ),
      sessionData: fc.array(
        fc.record({ dataId: word, value: quoted, language: fc.constantFrom('en', 'fr') }, { requiredKeys: ['dataId'] }),
        { minLength: 1, maxLength: 2 },
      ),
      sessionKeys: fc.array(
        key.filter((k) => k.method !== 'NONE'),
        { minLength: 1, maxLength: 3 },
      ),
      renditions: fc.array(rendition, { maxLength: 4 }),
      variants: fc.array(variant, { minLength: 1, maxLength: 5 }),
      iFrameVariants: fc.array(fc.record(variantCommon, { requiredKeys: ['uri', 'bandwidth'] }), { maxLength: 3 }),
      extra: fc.array(fc.constantFrom('# generated', '#EXT-X-VENDOR:1'), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['renditions', 'variants', 'iFrameVariants'] },
  )
  .map((p) => ({ kind: 'master' as const, ...p }));

describe('generated valid playlists round-trip', () => {
  it('media playlists (keys, maps, byte ranges, date ranges, parts, LL-HLS, cue tags)', () => {
    fc.assert(
      fc.property(mediaPlaylist, (pl) => {
        const { playlist } = parsePlaylist(serializePlaylist(pl));
        expect(playlist).toEqual(pl);
      }),
      { numRuns: 400 },
    );
  });

  it('multivariant playlists (renditions, variants, I-frame streams, session data and keys, steering)', () => {
    fc.assert(
      fc.property(masterPlaylist, (pl) => {
        const { playlist } = parsePlaylist(serializePlaylist(pl));
        expect(playlist).toEqual(pl);
      }),
      { numRuns: 400 },
    );
  });
});

// ————————————————————————————————————————————————————————————————— edits through typed fields

/**
 * What an editor sees: the typed fields, without order bookkeeping and verbatim lines. (Where a
 * verbatim line lives is ambiguous once every segment is removed: after the header or in the tail
 * is the same text. Verbatim lines are checked separately.)
 */
function typedContent(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(typedContent);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'order' || k === 'attributeOrder' || k === 'extra') continue;
    const typed = typedContent(v);
    // a tail left with nothing typed is the same as no tail
    if (k === 'tail' && typed !== null && typeof typed === 'object' && Object.keys(typed).length === 0) continue;
    out[k] = typed;
  }
  return out;
}

/** Every verbatim line of a model, in document-independent order. */
function verbatimLines(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) verbatimLines(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'extra' && Array.isArray(v)) into.push(...(v as string[]));
      else verbatimLines(v, into);
    }
  }
  return into;
}

const newKey = fc.constantFrom<Key>(
  { method: 'NONE' },
  { method: 'AES-128', uri: 'https://keys.example.com/new', iv: '0x0000000000000000000000000000ABCD' },
  { method: 'SAMPLE-AES', uri: 'skd://new', keyFormat: 'com.apple.streamingkeydelivery', keyFormatVersions: '1' },
);
const edit = fc.oneof(
  fc.record({ op: fc.constant('rewriteUris' as const) }),
  fc.record({ op: fc.constant('dropSegment' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insertAd' as const), at: fc.nat(), key: newKey }),
  fc.record({ op: fc.constant('addKey' as const), at: fc.nat(), key: newKey }),
  fc.record({ op: fc.constant('replaceKeys' as const), at: fc.nat(), key: newKey }),
  fc.record({
    op: fc.constant('deleteField' as const),
    at: fc.nat(),
    field: fc.constantFrom(
      'keys',
      'map',
      'programDateTime',
      'discontinuity',
      'dateRanges',
      'extra',
      'byteRange',
      'cueOut',
      'parts',
    ),
  }),
  fc.record({ op: fc.constant('setPdt' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('setDiscontinuity' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('editKeyAttributes' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('header' as const),
    mediaSequence: fc.option(fc.nat(100000), { nil: undefined }),
    endList: fc.boolean(),
  }),
  fc.record({ op: fc.constant('filterVariants' as const), keep: fc.nat() }),
  fc.record({ op: fc.constant('addDefine' as const) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function applyEdit(pl: Playlist, e: Edit): void {
  if (pl.kind === 'master') {
    if (e.op === 'filterVariants' && pl.variants.length > 1) pl.variants.splice(e.keep % pl.variants.length, 1);
    if (e.op === 'rewriteUris') for (const v of pl.variants) v.uri = `https://cdn.example.com/${v.uri}?t=a%2Fb`;
    if (e.op === 'addDefine') (pl.defines ??= []).push({ kind: 'value', name: 'added', value: 'x' });
    return;
  }
  const segs = pl.segments;
  const seg = segs.length === 0 ? undefined : segs['at' in e ? e.at % segs.length : 0];
  switch (e.op) {
    case 'rewriteUris':
      for (const s of segs) s.uri = `https://cdn.example.com/${s.uri}?t=a%2Fb`;
      return;
    case 'dropSegment':
      if (seg !== undefined) segs.splice(segs.indexOf(seg), 1);
      return;
    case 'insertAd': {
      const ad: MediaSegment = {
        uri: 'https://ads.example.com/ad.ts',
        duration: 5,
        discontinuity: true,
        keys: [e.key],
      };
      segs.splice(segs.length === 0 ? 0 : e.at % (segs.length + 1), 0, ad);
      return;
    }
    case 'addKey':
      if (seg !== undefined) (seg.keys ??= []).push(e.key);
      return;
    case 'replaceKeys':
      if (seg !== undefined) seg.keys = [e.key];
      return;
    case 'deleteField':
      if (seg !== undefined) delete seg[e.field];
      return;
    case 'setPdt':
      if (seg !== undefined) seg.programDateTime = '2026-05-01T00:00:00.000Z';
      return;
    case 'setDiscontinuity':
      if (seg !== undefined) seg.discontinuity = true;
      return;
    case 'editKeyAttributes': {
      const key = seg?.keys?.[0];
      if (key !== undefined && key.method !== 'NONE') {
        delete key.keyFormatVersions;
        key.iv = '0x000000000000000000000000000000FF';
      }
      return;
    }
    case 'header':
      if (e.mediaSequence === undefined) delete pl.mediaSequence;
      else pl.mediaSequence = e.mediaSequence;
      if (e.endList) pl.endList = true;
      else delete pl.endList;
      return;
    case 'addDefine':
      (pl.defines ??= []).push({ kind: 'value', name: 'added', value: 'x' });
      return;
    case 'filterVariants':
      return;
  }
}

describe('editing typed fields only', () => {
  it('whatever is edited through typed fields is exactly what the written playlist says', () => {
    const texts = fixtureTexts().filter((t) => tryParse(t) !== undefined);
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(edit, { minLength: 1, maxLength: 5 }), (index, edits) => {
        const { playlist } = parsePlaylist(texts[index]!);
        for (const e of edits) applyEdit(playlist, e);
        const written = serializePlaylist(playlist);
        const reparsed = parsePlaylist(written).playlist;
        expect(typedContent(reparsed)).toEqual(typedContent(playlist));
        expect(verbatimLines(reparsed).sort()).toEqual(verbatimLines(playlist).sort());
        expect(serializePlaylist(reparsed)).toBe(written);
      }),
      { numRuns: 1000 },
    );
  });
});
