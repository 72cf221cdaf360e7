/**
 * @module Cross-check against an independent parser: for every golden fixture, m3u8-parser
 * (videojs) must see the same segments, durations, byte ranges, discontinuities, AES keys,
 * substituted variables and variants as our model does.
 */
import { Parser } from 'm3u8-parser';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlaylist } from '../src/index.ts';

const DIR = join(import.meta.dirname, 'fixtures', 'playlists');
/** Fixtures m3u8-parser reads differently on purpose: it substitutes or ignores things we keep. */
const SKIP = new Set([
  'warnings-recovered', // m3u8-parser keeps the URI-less EXTINF's duration for the orphan URI
]);

interface VhsSegment {
  uri: string;
  duration: number;
  byterange?: { length: number; offset: number };
  discontinuity?: boolean;
  key?: { method: string; uri: string };
}
interface VhsManifest {
  targetDuration?: number;
  mediaSequence?: number;
  endList?: boolean;
  segments: VhsSegment[];
  playlists?: Array<{ uri: string; attributes: { BANDWIDTH?: number } }>;
}

function vhs(text: string): VhsManifest {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest as VhsManifest;
}

const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.m3u8'))
  .map((f) => f.slice(0, -'.m3u8'.length))
  .filter((n) => !SKIP.has(n))
  .sort();

describe('agreement with m3u8-parser', () => {
  it.each(names)('%s', (name) => {
    const text = readFileSync(join(DIR, `${name}.m3u8`), 'utf8');
    // m3u8-parser substitutes NAME/VALUE variables and leaves IMPORT/QUERYPARAM references as
    // written; so do we when every such variable's value is its own reference.
    const unresolved: Record<string, string> = {};
    for (const d of parsePlaylist(text).playlist.defines ?? [])
      if (d.kind !== 'value') unresolved[d.name] = `{$${d.name}}`;
    const ours = parsePlaylist(text, {
      substituteVariables: true,
      importVariables: unresolved,
      queryParams: unresolved,
    }).playlist;
    const theirs = vhs(text);
    if (ours.kind === 'master') {
      expect(ours.variants.map((v) => [v.uri, v.bandwidth])).toEqual(
        (theirs.playlists ?? []).map((p) => [p.uri, p.attributes.BANDWIDTH]),
      );
      return;
    }
    expect(ours.targetDuration).toBe(theirs.targetDuration);
    expect(ours.mediaSequence ?? 0).toBe(theirs.mediaSequence ?? 0);
    expect(ours.endList === true).toBe(theirs.endList === true);
    expect(ours.segments.map((s) => s.uri)).toEqual(theirs.segments.map((s) => s.uri));
    expect(ours.segments.map((s) => s.duration)).toEqual(theirs.segments.map((s) => s.duration));
    expect(ours.segments.map((s) => s.byteRange?.length)).toEqual(theirs.segments.map((s) => s.byterange?.length));
    expect(ours.segments.map((s) => s.discontinuity === true)).toEqual(
      theirs.segments.map((s) => s.discontinuity === true),
    );
    // m3u8-parser keeps one key (the last identity/AES one) per segment; ours keeps every KEYFORMAT.
    const aesKeyUris = ours.segments.map((s) => s.keys?.find((k) => k.method === 'AES-128')?.uri);
    const theirAes = theirs.segments.map((s) => (s.key?.method === 'AES-128' ? s.key.uri : undefined));
    // ours is sparse (where a key line appears), theirs is dense (the key in force): compare the changes
    expect(aesKeyUris.filter((u) => u !== undefined)).toEqual(
      theirAes.filter((u, i) => u !== undefined && (i === 0 || theirAes[i - 1] !== u)),
    );
  });
});
