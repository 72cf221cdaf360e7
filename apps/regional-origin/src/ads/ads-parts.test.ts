/** @module Tests of ADS URL templating and the interim VAST parser's safety limits. */
import { describe, expect, it } from 'vitest';
import { fillAdsTemplate } from './template.ts';
import { parseVastInterim } from './interim-vast-parser.ts';

describe('fillAdsTemplate', () => {
  it('fills session, player params and avail macros URL-encoded, unknown ones empty', () => {
    const url = fillAdsTemplate('https://ads/v?s=[session.id]&t=[player_params.tier]&d=[avail.duration]&i=[avail.index]&g=[viewer.country]&x=[nope]', {
      sessionId: 'abc',
      playerParams: { tier: 'gold & silver' },
      availIndex: 2,
      availDurationSeconds: 30,
      availRandom: 7,
      assetId: 'a1',
      country: 'FR',
      nowMs: 0,
    });
    expect(url).toBe('https://ads/v?s=abc&t=gold%20%26%20silver&d=30&i=2&g=FR&x=');
  });
});

describe('parseVastInterim', () => {
  it('reads inline linear ads and wrappers', () => {
    const ads = parseVastInterim(
      '<VAST version="3.0"><Ad id="1" sequence="2"><InLine><Impression>http://i?a=1&amp;b=2</Impression><Creatives><Creative id="c1"><Linear><Duration>00:00:15.5</Duration><MediaFiles><MediaFile type="video/mp4" height="720">http://m/a.mp4</MediaFile></MediaFiles></Linear></Creative></Creatives></InLine></Ad>' +
        '<Ad id="2"><Wrapper><VASTAdTagURI><![CDATA[http://next/vast]]></VASTAdTagURI></Wrapper></Ad></VAST>',
    );
    expect(ads[0]).toMatchObject({ id: '1', sequence: 2, impressions: ['http://i?a=1&b=2'], creatives: [{ id: 'c1', durationSeconds: 15.5, mediaFiles: [{ url: 'http://m/a.mp4', height: 720 }] }] });
    expect(ads[1]).toMatchObject({ id: '2', wrapperUrl: 'http://next/vast', creatives: [] });
  });

  it('refuses entities, non-VAST documents and oversized input', () => {
    expect(() => parseVastInterim('<!DOCTYPE x [<!ENTITY a "b">]><VAST></VAST>')).toThrow(/DOCTYPE/);
    expect(() => parseVastInterim('<html></html>')).toThrow(/not a VAST/);
    expect(() => parseVastInterim(`<VAST>${' '.repeat(2 * 1024 * 1024)}</VAST>`)).toThrow(/too large/);
    expect(() => parseVastInterim('<VAST><Ad><InLine><Creatives><Creative><Linear><Duration>soon</Duration></Linear></Creative></Creatives></InLine></Ad></VAST>')).toThrow(/Duration/);
  });
});
