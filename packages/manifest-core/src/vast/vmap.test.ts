/** @module Tests for parseVmap: pre/mid/post breaks, inline VAST and ad tag URIs, offsets and errors. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { parseVmap, parseVmapTimeOffset, resolveVmapTimeOffsetSeconds } from './index.ts';

function fixture(name: string): string {
  return readFileSync(new URL(`../../test/fixtures/vast/${name}`, import.meta.url), 'utf8');
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isManifestError(error)) return error.code;
    return `untyped: ${String(error)}`;
  }
  return 'no error';
}

describe('parseVmap', () => {
  const doc = parseVmap(fixture('vmap-pre-mid-post.xml'));

  it('keeps linear breaks in document order with their offsets', () => {
    expect(doc.version).toBe('1.0');
    expect(doc.adBreaks.map((b) => [b.breakId, b.timeOffset])).toEqual([
      ['preroll', { kind: 'start' }],
      ['midroll-1', { kind: 'time', seconds: 600 }],
      ['midroll-2', { kind: 'percent', percent: 50 }],
      ['cue-1', { kind: 'position', position: 1 }],
      ['postroll', { kind: 'end' }],
    ]);
  });

  it('parses the inline VAST of the pre-roll and its break tracking', () => {
    const pre = doc.adBreaks[0]!;
    expect(pre.adSource).toMatchObject({ id: 'preroll-ad-1', allowMultipleAds: false, followRedirects: true });
    expect(pre.adSource?.vast?.version).toBe('3.0');
    expect(pre.adSource?.vast?.ads[0]?.creatives[0]).toMatchObject({
      durationSeconds: 15,
      mediaFiles: [{ url: 'https://cdn.example.com/pre.mp4', type: 'video/mp4' }],
    });
    expect(pre.trackingEvents).toEqual([
      { event: 'breakStart', url: 'https://ads.example.com/break/start?id=preroll' },
      { event: 'breakEnd', url: 'https://ads.example.com/break/end?id=preroll' },
    ]);
  });

  it('reads AdTagURI trimmed from CDATA with its template type, and repeatAfter', () => {
    const mid = doc.adBreaks[1]!;
    expect(mid.adSource?.adTagUri).toMatch(/^https:\/\/pubads\.example\.com\/gampad\/ads\?sz=640x480&.*&pod=2$/);
    expect(mid.adSource?.templateType).toBe('vast3');
    expect(mid.repeatAfterSeconds).toBe(600);
    expect(doc.adBreaks[2]?.breakTypes).toEqual(['linear', 'nonlinear']);
    expect(doc.adBreaks[4]?.trackingEvents).toEqual([
      { event: 'error', url: 'https://ads.example.com/break/error?id=postroll&code=[ERRORCODE]' },
    ]);
  });

  it('skips the non-linear break and the one with a bad offset, with warnings', () => {
    expect(doc.warnings.map((w) => w.code)).toEqual(['VMAP_NONLINEAR_SKIPPED', 'VMAP_BAD_TIME_OFFSET']);
  });

  it('reports bad inline VAST as a warning on its break, not a failure of the whole VMAP', () => {
    const vmap = parseVmap(
      '<vmap:VMAP xmlns:vmap="http://www.iab.net/videosuite/vmap" version="1.0"><vmap:AdBreak timeOffset="start" breakType="linear"><vmap:AdSource><vmap:VASTAdData><VAST version="9"/></vmap:VASTAdData></vmap:AdSource></vmap:AdBreak></vmap:VMAP>',
    );
    expect(vmap.adBreaks).toHaveLength(1);
    expect(vmap.adBreaks[0]?.adSource?.vast).toBeUndefined();
    expect(vmap.warnings.map((w) => w.code)).toEqual(['VMAP_BAD_AD_SOURCE']);
  });

  it('rejects non-VMAP roots, wrong versions and hostile XML with typed codes', () => {
    expect(codeOf(() => parseVmap('<VAST version="4.0"/>'))).toBe('VMAP_INVALID');
    expect(codeOf(() => parseVmap('<vmap:VMAP xmlns:vmap="x" version="2.0"/>'))).toBe('VMAP_INVALID');
    expect(codeOf(() => parseVmap(fixture('billion-laughs.xml')))).toBe('XML_FORBIDDEN');
    expect(codeOf(() => parseVmap('<vmap:VMAP version="1.0">'))).toBe('XML_MALFORMED');
  });
});

describe('VMAP time offsets', () => {
  it('parses every form and rejects others', () => {
    expect(parseVmapTimeOffset('00:00:15.500')).toEqual({ kind: 'time', seconds: 15.5 });
    expect(parseVmapTimeOffset('#3')).toEqual({ kind: 'position', position: 3 });
    expect(parseVmapTimeOffset('#0')).toBeUndefined();
    expect(parseVmapTimeOffset('101%')).toBeUndefined();
    expect(parseVmapTimeOffset('middle')).toBeUndefined();
  });

  it('places offsets on a content timeline', () => {
    expect(resolveVmapTimeOffsetSeconds({ kind: 'start' }, 100)).toBe(0);
    expect(resolveVmapTimeOffsetSeconds({ kind: 'end' }, 100)).toBe(100);
    expect(resolveVmapTimeOffsetSeconds({ kind: 'percent', percent: 25 }, 100)).toBe(25);
    expect(resolveVmapTimeOffsetSeconds({ kind: 'percent', percent: 25 })).toBeUndefined();
    expect(resolveVmapTimeOffsetSeconds({ kind: 'time', seconds: 7 })).toBe(7);
    expect(resolveVmapTimeOffsetSeconds({ kind: 'position', position: 1 }, 100)).toBeUndefined();
  });
});
