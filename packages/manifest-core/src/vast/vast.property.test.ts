/** @module Property tests: parseVast/parseVmap never throw untyped, whatever the ad server sends. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { parseVast, parseVmap } from './index.ts';

const FIXTURES = [
  'ima-vast42-inline.xml',
  'pod-3-ads.xml',
  'wrapper-1.xml',
  'vast3-skippable.xml',
  'vmap-pre-mid-post.xml',
].map((name) => readFileSync(new URL(`../../test/fixtures/vast/${name}`, import.meta.url), 'utf8'));

const TYPED = /^(XML_|VAST_|VMAP_)/;

function parsesOrThrowsTyped(xml: string): void {
  for (const parse of [parseVast, parseVmap]) {
    try {
      const doc = parse(xml, { maxBytes: 64 * 1024 });
      expect(Array.isArray(doc.warnings)).toBe(true);
    } catch (error) {
      if (!isManifestError(error)) throw error;
      expect(error.code).toMatch(TYPED);
    }
  }
}

/** XML-ish soup built from VAST/VMAP vocabulary, so the parser gets past the first character more often. */
const xmlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<VAST version="4.0">',
        '</VAST>',
        '<Ad id="1" sequence="2">',
        '</Ad>',
        '<InLine>',
        '</InLine>',
        '<Wrapper>',
        '</Wrapper>',
        '<VASTAdTagURI>',
        '</VASTAdTagURI>',
        '<Creatives><Creative><Linear skipoffset="10%">',
        '</Linear></Creative></Creatives>',
        '<Duration>00:00:1',
        '</Duration>',
        '<MediaFile type="video/mp4" bitrate="x">',
        '</MediaFile>',
        '<![CDATA[ https://a.example/?x=1&y ]]>',
        '<vmap:VMAP xmlns:vmap="v" version="1.0">',
        '</vmap:VMAP>',
        '<vmap:AdBreak timeOffset="#2" breakType="linear">',
        '</vmap:AdBreak>',
        '&amp;',
        '&#x1F600;',
        '&#0;',
        '<!-- c -->',
        '<?pi x?>',
        '<a constructor="1" __proto__="2">',
        '<toString/>',
        '"',
        '<',
        '>',
        '/>',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('VAST/VMAP parsing properties', () => {
  it('arbitrary strings parse or throw a typed ManifestError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), parsesOrThrowsTyped), { numRuns: 1000 });
  });

  it('XML-like soup parses or throws a typed ManifestError', () => {
    fc.assert(fc.property(xmlish, parsesOrThrowsTyped), { numRuns: 1500 });
  });

  it('fixtures cut or corrupted anywhere parse or throw a typed ManifestError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 4 }),
        (xml, a, b, insert) => {
          const i = a % xml.length;
          const j = Math.min(xml.length, i + (b % 20));
          parsesOrThrowsTyped(xml.slice(0, i));
          parsesOrThrowsTyped(xml.slice(0, i) + insert + xml.slice(j));
        },
      ),
      { numRuns: 500 },
    );
  });
});
