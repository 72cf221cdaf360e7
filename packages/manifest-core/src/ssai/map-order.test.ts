/** @module Tests that stitching keeps a clear EXT-X-MAP clear when the content's AES-128 key is re-emitted beside it. */
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist, serializePlaylist } from '../playlist/index.ts';
import { ad1 } from '../../test/fixtures/ssai/fixtures.ts';
import { breaksFromVodOffsets } from './breaks.ts';
import { clearMapUris } from './map-order.ts';
import { planVodSession, stitchVod } from './stitch.ts';

const encrypted = (mapFirst: boolean): string => {
  const map = '#EXT-X-MAP:URI="init.mp4"';
  const key = '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k1",IV=0x000102030405060708090a0b0c0d0e0f';
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    ...(mapFirst ? [map, key] : [key, map]),
    ...[0, 1, 2].flatMap((i) => ['#EXTINF:4,', `seg${i}.m4s`]),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
};

/** For each EXT-X-MAP line of a playlist text: was an AES-128 key in force when it was declared (RFC 8216 §4.3.2.4)? */
function mapsEncrypted(text: string): boolean[] {
  let aes = false;
  const out: boolean[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-KEY:')) aes = line.includes('METHOD=AES-128');
    if (line.startsWith('#EXT-X-MAP:')) out.push(aes);
  }
  return out;
}

function stitched(text: string): string {
  const content = parseMediaPlaylist(text).playlist;
  const breaks = breaksFromVodOffsets(content, { preRoll: true, midRollOffsetsSeconds: [4] });
  const pods = Object.fromEntries(breaks.map((b) => [b.id, { ads: [ad1()] }]));
  return serializePlaylist(
    stitchVod(content, { decisions: planVodSession(breaks, pods), pods, rendition: { bandwidthBps: 3_000_000 } }),
  );
}

describe('clear initialization sections through stitching', () => {
  it('finds which maps were declared clear', () => {
    expect([...clearMapUris(parseMediaPlaylist(encrypted(true)).playlist)]).toEqual(['init.mp4']);
    expect([...clearMapUris(parseMediaPlaylist(encrypted(false)).playlist)]).toEqual([]);
  });

  it('writes the content map before the re-emitted key after every ad when the source map was clear', () => {
    const text = stitched(encrypted(true));
    const flags = mapsEncrypted(text);
    // Pre-roll map, content map, mid-roll map, content map: none encrypted, and the content key still applies to content.
    expect(flags).toEqual([false, false, false, false]);
    expect(text).toMatch(/#EXT-X-MAP:URI="init\.mp4"\n#EXT-X-KEY:METHOD=AES-128/);
  });

  it('keeps an encrypted source map encrypted', () => {
    const flags = mapsEncrypted(stitched(encrypted(false)));
    expect(flags.filter((_, i) => i % 2 === 1)).toEqual([true, true]);
  });
});
