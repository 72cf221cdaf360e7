/**
 * @module The serializer's segment fast path (fastSegment) against its general path
 * (canonicalSegment + uriLine): for random segments, valid or not, both write the same bytes or
 * throw the same error. Values include line breaks, quotes, `#` URIs, -0, non-finite numbers
 * and fields of the wrong type, so that the fast path's hand-offs to the general path are
 * exercised too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import type { LineKind, MediaPlaylist, MediaSegment } from './model.ts';
import { parseMediaPlaylist } from './parse.ts';
import { canonicalSegment, fastSegment, serializeMediaGeneral, serializePlaylist, uriLine } from './serialize.ts';

/** What a call did: its text, its ManifestError (code and message), or the class of another error. */
function outcome(write: () => string): string {
  try {
    return `ok:${write()}`;
  } catch (error) {
    if (error instanceof ManifestError) return `error:${error.code}:${error.message}`;
    return `throw:${error instanceof Error ? error.constructor.name : typeof error}`;
  }
}

function general(seg: MediaSegment): string {
  return canonicalSegment(seg) + uriLine(seg.uri);
}

function viaFastPath(seg: MediaSegment): string {
  return fastSegment(seg) ?? general(seg);
}

/** Short text that may hold what a line cannot: CR, LF, a quote, a leading `#`. */
const dirtyText = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '/', ',', ' ', '#', '"', '\n', '\r'),
  maxLength: 6,
});
const cleanText = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '/', '.', '-'), minLength: 1, maxLength: 8 });
/** Mostly writable, so that most segments get past the checks and their line order is compared. */
const text = fc.oneof({ weight: 12, arbitrary: cleanText }, { weight: 1, arbitrary: dirtyText });
const number = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.oneof(
      fc.constantFrom(0, -0, 6, 6.006, 3, 1e21, 1e-7),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY) },
);
/** A wrong-shape value, as a model edited in JavaScript could hold (rare). */
const junk = fc.constantFrom<unknown>(null, 5, 'x', true, [], {});
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> =>
  fc.oneof({ weight: 15, arbitrary: arb }, { weight: 1, arbitrary: junk });

const byteRange = fc.record({ length: number, offset: number }, { requiredKeys: ['length'] });
const segmentArb = fc.record(
  {
    discontinuity: fc.boolean(),
    keys: maybe(
      fc.array(
        fc.record(
          { method: fc.constantFrom('AES-128', 'NONE', 'SAMPLE-AES'), uri: text, iv: text },
          { requiredKeys: ['method'] },
        ),
        {
          maxLength: 2,
        },
      ),
    ),
    map: maybe(fc.record({ uri: text, byteRange }, { requiredKeys: ['uri'] })),
    programDateTime: maybe(text),
    dateRanges: maybe(
      fc.array(
        fc.record(
          {
            id: text,
            class: text,
            duration: number,
            clientAttributes: fc.dictionary(fc.constantFrom('X-A', 'X-B'), fc.oneof(text, number)),
          },
          { requiredKeys: ['id'] },
        ),
        { maxLength: 2 },
      ),
    ),
    oatclsScte35: maybe(text),
    asset: maybe(fc.record({ caid: text })),
    cueIn: fc.boolean(),
    cueOut: maybe(fc.record({ duration: number, style: fc.constant('value' as const) }, { requiredKeys: [] })),
    cueOutCont: maybe(
      fc.record(
        { elapsedTime: number, duration: number, scte35: text, style: fc.constant('slash' as const) },
        { requiredKeys: [] },
      ),
    ),
    splicePointScte35: maybe(text),
    gap: fc.boolean(),
    bitrate: maybe(number),
    byteRange: maybe(byteRange),
    parts: maybe(fc.array(fc.record({ uri: text, duration: number, independent: fc.boolean() }), { maxLength: 2 })),
    extra: maybe(fc.array(text, { maxLength: 2 })),
    uri: fc.oneof(
      { weight: 15, arbitrary: cleanText },
      { weight: 1, arbitrary: dirtyText },
      { weight: 1, arbitrary: junk },
    ),
    duration: maybe(number),
    title: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(undefined, '') },
      { weight: 5, arbitrary: text },
      { weight: 1, arbitrary: junk },
    ),
    order: fc.oneof(
      { weight: 15, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant(['extinf']) },
    ),
  },
  { requiredKeys: ['uri', 'duration', 'title', 'order'] },
) as fc.Arbitrary<MediaSegment>;

/** Mostly plain valid segments (the fast path's own work), some of them random. */
const segments = fc.array(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record(
        { uri: cleanText, duration: fc.constantFrom(6, 6, 3, 0, -0, 6.006), title: fc.constantFrom('', 'ad') },
        { requiredKeys: ['uri', 'duration'] },
      ),
    },
    { weight: 2, arbitrary: segmentArb },
  ),
  { maxLength: 12 },
) as fc.Arbitrary<MediaSegment[]>;

/** Recorded orders, with playlist-level slots between segments (they consume header items). */
const order = fc.array(
  fc.constantFrom<LineKind>(
    'extinf',
    'discontinuity',
    'key',
    'programDateTime',
    'extra',
    'endList',
    'targetDuration',
    'version',
  ),
  { maxLength: 4 },
);
const playlistArb = fc
  .record(
    {
      version: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 12 })),
      targetDuration: fc.oneof({ weight: 10, arbitrary: fc.constant(6) }, { weight: 1, arbitrary: number }),
      playlistType: fc.oneof(
        { weight: 10, arbitrary: fc.constantFrom(undefined, 'VOD') },
        { weight: 1, arbitrary: dirtyText },
      ),
      endList: fc.boolean(),
      order: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: order }),
      segments: fc.array(
        fc.oneof(
          { weight: 6, arbitrary: segments.map((list) => list[0] ?? { uri: 'a.ts', duration: 6 }) },
          { weight: 1, arbitrary: fc.record({ uri: cleanText, duration: fc.constant(6), order }) },
        ),
        { maxLength: 10 },
      ),
      tail: fc.option(fc.record({ extra: fc.array(text, { maxLength: 2 }), order }, { requiredKeys: ['order'] }), {
        nil: undefined,
      }),
    },
    { requiredKeys: ['targetDuration', 'segments'] },
  )
  .map((p) => ({ kind: 'media' as const, ...p }) as unknown as MediaPlaylist);

describe('fastSegment', () => {
  it('writes what the general path writes, or throws what it throws, for random segments', () => {
    fc.assert(
      fc.property(segmentArb, (seg) => {
        expect(outcome(() => viaFastPath(seg))).toBe(outcome(() => general(seg)));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the general path over sequences (its EXTINF line cache carries across segments)', () => {
    fc.assert(
      fc.property(segments, (segs) => {
        expect(segs.map((s) => outcome(() => viaFastPath(s)))).toEqual(segs.map((s) => outcome(() => general(s))));
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the fast path for plain segments, and leaves ordered, non-plain or unwritable ones to the general path', () => {
    expect(fastSegment({ uri: 'a.ts', duration: 6 })).toBe('#EXTINF:6,\na.ts\n');
    expect(fastSegment({ uri: 'a.ts', duration: -0 })).toBe('#EXTINF:-0,\na.ts\n');
    expect(fastSegment({ uri: 'a.ts', duration: 0 })).toBe('#EXTINF:0,\na.ts\n');
    expect(
      fastSegment({ uri: 'a.ts', duration: 6, discontinuity: true, programDateTime: '2026-01-01T00:00:00Z' }),
    ).toBe('#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\n#EXTINF:6,\na.ts\n');
    expect(fastSegment({ uri: 'a.ts', duration: 6, order: ['extinf'] })).toBeUndefined();
    expect(fastSegment({ uri: 'a\nb', duration: 6 })).toBeUndefined();
    expect(fastSegment({ uri: '#a', duration: 6 })).toBeUndefined();
    expect(fastSegment({ uri: 'a.ts', duration: Number.NaN })).toBeUndefined();
    class Seg {
      uri = 'a.ts';
      duration = 6;
      get discontinuity(): boolean {
        return true;
      }
    }
    const instance = new Seg() as unknown as MediaSegment;
    expect(fastSegment(instance)).toBeUndefined();
    expect(viaFastPath(instance)).toBe('#EXT-X-DISCONTINUITY\n#EXTINF:6,\na.ts\n');
  });

  it('serializePlaylist writes or refuses random media playlists as its general path does', () => {
    fc.assert(
      fc.property(playlistArb, (pl) => {
        expect(outcome(() => serializePlaylist(pl))).toBe(outcome(() => serializeMediaGeneral(pl)));
      }),
      { numRuns: 1500 },
    );
  });

  it('reports an unwritable header value before an unwritable segment, as the general path does', () => {
    const { playlist } = parseMediaPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n');
    playlist.playlistType = 'VOD\n#X' as MediaPlaylist['playlistType'];
    playlist.segments[0]!.programDateTime = '2026\n#X';
    expect(() => serializePlaylist(playlist)).toThrow(/EXT-X-PLAYLIST-TYPE/);
  });

  it('keeps refusing a line break in a URI or title inside a whole playlist', () => {
    const { playlist } = parseMediaPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n');
    playlist.segments[1]!.uri = 'b.ts\n#EXT-X-ENDLIST';
    expect(() => serializePlaylist(playlist)).toThrow(/a URI contains a line break/);
    playlist.segments[1]!.uri = 'b.ts';
    playlist.segments[0]!.title = 'x\r#EXT-X-ENDLIST';
    expect(() => serializePlaylist(playlist)).toThrow(/an EXTINF title contains a line break/);
  });
});
