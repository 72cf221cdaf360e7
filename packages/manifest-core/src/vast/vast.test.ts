/** @module Tests for parseVast and the wrapper-chain helpers against real-world-shaped fixtures. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import {
  mergeWrapperTracking,
  nextVastWrapperUri,
  parseVast,
  parseVastDuration,
  parseVastOffset,
  resolveVastWrapperChain,
} from './index.ts';
import type { VastDocument } from './index.ts';

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

describe('parseVast: IMA-style VAST 4.2 inline', () => {
  const doc = parseVast(fixture('ima-vast42-inline.xml'));
  const ad = doc.ads[0]!;
  const creative = ad.creatives[0]!;

  it('reads the ad, its trimmed CDATA impressions and error URLs, and drops empty impressions', () => {
    expect(doc.version).toBe('4.2');
    expect(doc.ads).toHaveLength(1);
    expect(ad).toMatchObject({
      kind: 'inline',
      id: '697203496',
      adType: 'video',
      adSystem: 'GDFP',
      adSystemVersion: '1.0',
      adTitle: 'External - Single Inline Linear',
      adServingId: 'a532d16d-4d7f-4440-bd29-2ec0e693fc80',
      advertiser: 'Example Advertiser',
    });
    expect(ad.impressions).toEqual([
      'https://securepubads.example.com/pcs/view?xai=AKAOjsv&sai=AMfl-YQ&sig=Cg0ArKJSzA&adurl=',
      'https://track.example.net/imp?id=697203496&cb=[CACHEBUSTING]',
    ]);
    expect(ad.errors).toEqual([
      'https://pubads.example.com/pagead/interaction/?ai=B4&label=videoplayfailed[ERRORCODE]',
    ]);
  });

  it('reads the linear creative: ids, UniversalAdId, duration with milliseconds, skipoffset', () => {
    expect(ad.creatives).toHaveLength(1); // the companion creative is not linear
    expect(creative).toMatchObject({
      id: '138381721867',
      adId: 'ABCD1234567',
      sequence: 1,
      universalAdIds: [{ idRegistry: 'Ad-ID', idValue: 'ABCD1234567' }],
      durationSeconds: 10.031,
      skipOffset: { kind: 'seconds', seconds: 5 },
    });
  });

  it('reads every MediaFile with its attributes and units, and the Mezzanine', () => {
    expect(creative.mediaFiles.map((f) => f.url)).toEqual([
      'https://redirector.example.com/videoplayback/id/720p.mp4',
      'https://redirector.example.com/videoplayback/id/360p.mp4',
      'https://redirector.example.com/videoplayback/id/1080p.webm',
      'https://redirector.example.com/api/manifest/hls_variant/id/master.m3u8',
      'https://vpaid.example.com/ad.js',
    ]);
    expect(creative.mediaFiles[0]).toEqual({
      url: 'https://redirector.example.com/videoplayback/id/720p.mp4',
      id: 'GDFP',
      delivery: 'progressive',
      type: 'video/mp4',
      width: 1280,
      height: 720,
      bitrateKbps: 1398,
      codec: 'avc1.64001f',
      scalable: true,
      maintainAspectRatio: true,
    });
    expect(creative.mediaFiles[1]).toMatchObject({ minBitrateKbps: 400, maxBitrateKbps: 700 });
    expect(creative.mediaFiles[2]).toMatchObject({ fileSizeBytes: 3_145_728, mediaType: '2D' });
    expect(creative.mediaFiles[3]).toMatchObject({
      delivery: 'streaming',
      type: 'application/x-mpegURL',
      maxBitrateKbps: 6000,
    });
    expect(creative.mediaFiles[4]).toMatchObject({ apiFramework: 'VPAID' });
    expect(creative.mezzanines).toEqual([
      {
        url: 'https://cdn.example.com/mezz/697203496.mp4',
        delivery: 'progressive',
        type: 'video/mp4',
        width: 1920,
        height: 1080,
        codec: 'H.264',
        fileSizeBytes: 52_428_800,
      },
    ]);
  });

  it('reads tracking events in order, progress offsets, entity-decoded text URLs and video clicks', () => {
    expect(creative.trackingEvents.map((t) => t.event)).toEqual([
      'start',
      'firstQuartile',
      'midpoint',
      'thirdQuartile',
      'complete',
      'pause',
      'progress',
      'progress',
      'skip',
    ]);
    expect(creative.trackingEvents[6]).toEqual({
      event: 'progress',
      url: 'https://pubads.example.com/progress?t=3.5',
      offset: { kind: 'seconds', seconds: 3.5 },
    });
    expect(creative.trackingEvents[7]).toEqual({
      event: 'progress',
      url: 'https://pubads.example.com/progress?pct=25&x=1',
      offset: { kind: 'percent', percent: 25 },
    });
    expect(creative.videoClicks).toEqual({
      clickThrough: 'https://advertiser.example.com/landing?utm=1',
      clickTracking: ['https://pubads.example.com/click?id=1'],
      customClick: [],
    });
    expect(doc.warnings).toEqual([]);
  });
});

describe('parseVast: pods, versions and skipped ads', () => {
  it('orders a 3-ad pod by sequence and puts the stand-alone ad after it', () => {
    const doc = parseVast(fixture('pod-3-ads.xml'));
    expect(doc.ads.map((a) => [a.id, a.sequence])).toEqual([
      ['pod-1', 1],
      ['pod-2', 2],
      ['pod-3', 3],
      ['standalone', undefined],
    ]);
    expect(doc.ads.map((a) => a.creatives[0]?.durationSeconds)).toEqual([20, 10.5, 15, 30]);
    // VAST 4.0 idValue attribute and 4.1 element text both give the id.
    expect(doc.ads[2]?.creatives[0]?.universalAdIds).toEqual([{ idRegistry: 'Ad-ID', idValue: 'UAID0003' }]);
  });

  it('reads VAST 2.0 with AdID, entity-escaped URLs and every tracking event', () => {
    const doc = parseVast(fixture('vast2-inline.xml'));
    expect(doc.version).toBe('2.0');
    const ad = doc.ads[0]!;
    expect(ad.impressions).toEqual(['http://ad.example.com/imp?a=1&b=2']);
    expect(ad.creatives[0]).toMatchObject({ adId: '601364', durationSeconds: 30, universalAdIds: [] });
    expect(ad.creatives[0]?.trackingEvents).toHaveLength(8);
    expect(ad.creatives[0]?.mediaFiles.map((f) => f.type)).toEqual(['video/x-flv', 'video/mp4']);
  });

  it('reads VAST 3.0 skipoffset and AdParameters, warns on a bad offset and skips a non-linear ad', () => {
    const doc = parseVast(fixture('vast3-skippable.xml'));
    expect(doc.ads.map((a) => a.id)).toEqual(['skippable']);
    const creative = doc.ads[0]!.creatives[0]!;
    expect(creative.skipOffset).toEqual({ kind: 'seconds', seconds: 5 });
    expect(creative.durationSeconds).toBe(16.125);
    expect(creative.adParameters).toBe('{"k":"v"}');
    expect(creative.mediaFiles[0]).toMatchObject({ scalable: true, maintainAspectRatio: true, codec: 'H.264' });
    expect(creative.trackingEvents[2]).toEqual({ event: 'progress', url: 'https://example.com/progress-bad' });
    expect(doc.warnings.map((w) => w.code)).toEqual(['VAST_BAD_OFFSET', 'VAST_NONLINEAR_SKIPPED']);
  });

  it('returns zero ads and the root Error URL for a no-fill answer', () => {
    expect(parseVast(fixture('no-fill.xml'))).toEqual({
      version: '4.0',
      ads: [],
      errors: ['https://ads.example.com/nofill?code=303'],
      warnings: [],
    });
    expect(parseVast('<VAST version="4.0"/>').ads).toEqual([]);
  });

  it('warns about ads it cannot use and keeps the rest', () => {
    const doc = parseVast(`<VAST version="4.3">
      <Ad id="empty"/>
      <Ad id="w"><Wrapper><AdSystem>x</AdSystem></Wrapper></Ad>
      <Ad id="bad"><InLine><Creatives><Creative><Linear><Duration>30s</Duration>
        <MediaFiles><MediaFile delivery="progressive" type="video/mp4"> </MediaFile></MediaFiles></Linear></Creative></Creatives></InLine></Ad>
    </VAST>`);
    expect(doc.ads.map((a) => a.id)).toEqual(['bad']);
    expect(doc.ads[0]?.creatives[0]?.durationSeconds).toBeUndefined();
    expect(doc.warnings.map((w) => w.code)).toEqual([
      'VAST_EMPTY_AD',
      'VAST_WRAPPER_WITHOUT_URI',
      'VAST_BAD_DURATION',
      'VAST_MEDIAFILE_WITHOUT_URL',
      'VAST_NO_MEDIAFILES',
    ]);
  });
});

describe('parseVast: hardening', () => {
  it('refuses a billion-laughs document before parsing', () => {
    expect(codeOf(() => parseVast(fixture('billion-laughs.xml')))).toBe('XML_FORBIDDEN');
  });

  it('refuses a DOCTYPE/XXE document, so no file is ever read', () => {
    expect(codeOf(() => parseVast(fixture('xxe-doctype.xml')))).toBe('XML_FORBIDDEN');
    expect(codeOf(() => parseVast('<!doctype VAST><VAST version="4.0"/>'))).toBe('XML_FORBIDDEN');
  });

  it('leaves undeclared entities as text instead of expanding them', () => {
    const doc = parseVast(
      '<VAST version="4.0"><Ad><InLine><Impression>https://x.example/?a=&foo;&amp;b=&#x41;</Impression><Creatives><Creative><Linear><Duration>00:00:01</Duration></Linear></Creative></Creatives></InLine></Ad></VAST>',
    );
    expect(doc.ads[0]?.impressions).toEqual(['https://x.example/?a=&foo;&b=A']);
  });

  it('is as strict as a browser DOMParser: a bare & outside CDATA is XML_MALFORMED', () => {
    const xml =
      '<VAST version="4.0"><Ad><InLine><Impression>https://x.example/?a=1&b=2</Impression></InLine></Ad></VAST>';
    expect(codeOf(() => parseVast(xml))).toBe('XML_MALFORMED');
  });

  it('reports truncated XML as XML_MALFORMED', () => {
    expect(codeOf(() => parseVast(fixture('truncated.xml')))).toBe('XML_MALFORMED');
    const full = fixture('pod-3-ads.xml');
    expect(codeOf(() => parseVast(full.slice(0, full.lastIndexOf('</VAST>'))))).toBe('XML_MALFORMED');
  });

  it('refuses a 5 MB document with XML_TOO_LARGE, and honours a custom maxBytes', () => {
    const ad = fixture('pod-3-ads.xml')
      .split('<Ad id="pod-1"')[0]!
      .split('<VAST version="4.1" xmlns="http://www.iab.com/VAST">')[1]!;
    const big = `<VAST version="4.0">${ad.repeat(Math.ceil(5_000_000 / ad.length))}</VAST>`;
    expect(big.length).toBeGreaterThan(5_000_000);
    expect(codeOf(() => parseVast(big))).toBe('XML_TOO_LARGE');
    expect(codeOf(() => parseVast(fixture('ima-vast42-inline.xml'), { maxBytes: 1000 }))).toBe('XML_TOO_LARGE');
    // Multi-byte text counts in UTF-8 bytes: 400 × 'é' is 800 bytes.
    expect(codeOf(() => parseVast(`<VAST version="4.0"><!--${'é'.repeat(400)}--></VAST>`, { maxBytes: 700 }))).toBe(
      'XML_TOO_LARGE',
    );
  });

  it('limits nesting depth and element count', () => {
    const deep = `<VAST version="4.0">${'<Ad>'.repeat(100)}${'</Ad>'.repeat(100)}</VAST>`;
    expect(codeOf(() => parseVast(deep))).toBe('XML_TOO_LARGE');
    const many = `<VAST version="4.0">${'<Extension/>'.repeat(50)}</VAST>`;
    expect(codeOf(() => parseVast(many, { maxElements: 20 }))).toBe('XML_TOO_LARGE');
  });

  it('rejects garbage, other roots and unsupported versions with typed codes', () => {
    expect(codeOf(() => parseVast('hello'))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseVast(''))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseVast('\u0000\u0001\u0002<<<>>>'))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseVast('<a/><b/>'))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseVast(42 as unknown as string))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseVast('<__proto__ version="4.0"/>'))).toMatch(/^XML_MALFORMED$|^VAST_INVALID$/);
    expect(codeOf(() => parseVast('<html><body/></html>'))).toBe('VAST_INVALID');
    expect(codeOf(() => parseVast('<VAST/>'))).toBe('VAST_INVALID');
    expect(codeOf(() => parseVast('<VAST version="1.0"/>'))).toBe('VAST_INVALID');
    expect(codeOf(() => parseVast('<VAST version="5.0"/>'))).toBe('VAST_INVALID');
  });
});

describe('VAST time values', () => {
  it('parses HH:MM:SS(.mmm) and n%', () => {
    expect(parseVastDuration('01:02:03.250')).toBe(3723.25);
    expect(parseVastDuration('00:00:30')).toBe(30);
    expect(parseVastDuration('30')).toBeUndefined();
    expect(parseVastDuration('00:61:00')).toBeUndefined();
    expect(parseVastOffset('12.5%')).toEqual({ kind: 'percent', percent: 12.5 });
    expect(parseVastOffset('150%')).toBeUndefined();
  });
});

describe('wrapper chains', () => {
  const chain: VastDocument[] = [
    parseVast(fixture('wrapper-1.xml')),
    parseVast(fixture('wrapper-2.xml')),
    parseVast(fixture('wrapper-inline.xml')),
  ];

  it('reads a wrapper: VASTAdTagURI trimmed from CDATA, its flags and beacons', () => {
    expect(chain[0]!.ads[0]).toMatchObject({
      kind: 'wrapper',
      wrapper: {
        vastAdTagUri: 'https://ssp-two.example.com/vast?pub=123&cb=[CACHEBUSTING]',
        followAdditionalWrappers: true,
        allowMultipleAds: false,
      },
      impressions: ['https://ssp-one.example.com/imp'],
    });
    expect(chain[1]!.ads[0]?.wrapper).toEqual({
      vastAdTagUri: 'https://dsp.example.com/vast/inline.xml',
      followAdditionalWrappers: true,
      allowMultipleAds: false,
      fallbackOnNoAd: true,
    });
  });

  it('nextVastWrapperUri walks the chain and stops at the inline answer', () => {
    expect(nextVastWrapperUri(chain[0]!, 0)).toBe('https://ssp-two.example.com/vast?pub=123&cb=[CACHEBUSTING]');
    expect(nextVastWrapperUri(chain[1]!, 1)).toBe('https://dsp.example.com/vast/inline.xml');
    expect(nextVastWrapperUri(chain[2]!, 2)).toBeUndefined();
    expect(codeOf(() => nextVastWrapperUri(chain[1]!, 5))).toBe('VAST_WRAPPER_DEPTH');
    expect(codeOf(() => nextVastWrapperUri(chain[1]!, 1, { maxWrapperDepth: 1 }))).toBe('VAST_WRAPPER_DEPTH');
  });

  it('resolves the chain: the inline ad carries every wrapper beacon, outermost first', () => {
    const resolved = resolveVastWrapperChain(chain);
    expect(resolved.ads).toHaveLength(1);
    const ad = resolved.ads[0]!;
    expect(ad.id).toBe('dsp-ad');
    expect(ad.impressions).toEqual([
      'https://ssp-one.example.com/imp',
      'https://ssp-two.example.com/imp',
      'https://dsp.example.com/imp',
    ]);
    expect(ad.errors).toEqual([
      'https://ssp-one.example.com/err?c=[ERRORCODE]',
      'https://dsp.example.com/err?c=[ERRORCODE]',
    ]);
    const creative = ad.creatives[0]!;
    expect(creative.trackingEvents.map((t) => t.url)).toEqual([
      'https://ssp-one.example.com/start',
      'https://ssp-one.example.com/complete',
      'https://ssp-two.example.com/q1',
      'https://dsp.example.com/start',
    ]);
    expect(creative.videoClicks).toEqual({
      clickThrough: 'https://brand.example.com/',
      clickTracking: ['https://ssp-one.example.com/click', 'https://dsp.example.com/click'],
      customClick: [],
    });
    expect(creative.mediaFiles[0]?.url).toBe('https://dsp-cdn.example.com/final.mp4');
    expect(creative.durationSeconds).toBe(30);
    // The wrapper-2 non-linear creative is reported, not merged.
    expect(resolved.warnings.map((w) => w.code)).toEqual(['VAST_NONLINEAR_SKIPPED']);
  });

  it('mergeWrapperTracking with no wrappers returns an equal ad', () => {
    const inline = chain[2]!.ads[0]!;
    expect(mergeWrapperTracking([], inline)).toEqual(inline);
  });

  it('enforces maxWrapperDepth (default 5) on already-fetched chains', () => {
    const w = chain[0]!;
    const last = chain[2]!;
    expect(resolveVastWrapperChain([w, w, w, w, w, last]).ads[0]?.impressions).toHaveLength(6);
    expect(codeOf(() => resolveVastWrapperChain([w, w, w, w, w, w, last]))).toBe('VAST_WRAPPER_DEPTH');
    expect(codeOf(() => resolveVastWrapperChain([w, w, last], { maxWrapperDepth: 1 }))).toBe('VAST_WRAPPER_DEPTH');
  });

  it('refuses broken chains with VAST_INVALID', () => {
    const [w1, w2, inline] = chain as [VastDocument, VastDocument, VastDocument];
    expect(codeOf(() => resolveVastWrapperChain([]))).toBe('VAST_INVALID');
    expect(codeOf(() => resolveVastWrapperChain([inline, inline]))).toBe('VAST_INVALID');
    expect(codeOf(() => resolveVastWrapperChain([w1, w2]))).toBe('VAST_INVALID');
    const noMore = parseVast(
      fixture('wrapper-1.xml').replace('<Wrapper>', '<Wrapper followAdditionalWrappers="false">'),
    );
    expect(codeOf(() => resolveVastWrapperChain([noMore, w2, inline]))).toBe('VAST_INVALID');
  });

  it('a chain ending in no fill returns no ads and every wrapper Error URL to report it', () => {
    const resolved = resolveVastWrapperChain([chain[0]!, chain[1]!, parseVast(fixture('no-fill.xml'))]);
    expect(resolved.ads).toEqual([]);
    expect(resolved.errors).toEqual([
      'https://ssp-one.example.com/err?c=[ERRORCODE]',
      'https://ads.example.com/nofill?code=303',
    ]);
  });

  it('a wrapper without allowMultipleAds keeps only the first stand-alone ad of a multi-ad answer', () => {
    const pod = parseVast(fixture('pod-3-ads.xml'));
    expect(resolveVastWrapperChain([chain[1]!, pod]).ads.map((a) => a.id)).toEqual(['standalone']);
    const allow = parseVast(fixture('wrapper-2.xml').replace('allowMultipleAds="false"', 'allowMultipleAds="true"'));
    expect(resolveVastWrapperChain([allow, pod]).ads.map((a) => a.id)).toEqual([
      'pod-1',
      'pod-2',
      'pod-3',
      'standalone',
    ]);
  });
});
