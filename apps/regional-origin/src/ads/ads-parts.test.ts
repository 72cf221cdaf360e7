/** @module Tests of ADS URL templating and the mapping of manifest-core's VAST model. */
import { describe, expect, it } from 'vitest';
import { fillAdsTemplate } from './template.ts';
import { isManifestError } from '@meridian/manifest-core';
import { parseVastDocument } from './vast-parser.ts';

describe('fillAdsTemplate', () => {
  it('fills session, player params and avail macros URL-encoded, unknown ones empty', () => {
    const url = fillAdsTemplate(
      'https://ads/v?s=[session.id]&t=[player_params.tier]&d=[avail.duration]&i=[avail.index]&g=[viewer.country]&x=[nope]',
      {
        sessionId: 'abc',
        playerParams: { tier: 'gold & silver' },
        availIndex: 2,
        availDurationSeconds: 30,
        availRandom: 7,
        assetId: 'a1',
        country: 'FR',
        nowMs: 0,
      },
    );
    expect(url).toBe('https://ads/v?s=abc&t=gold%20%26%20silver&d=30&i=2&g=FR&x=');
  });
});

describe('parseVastDocument', () => {
  it('maps inline linear ads and wrappers, dropping VPAID media files', () => {
    const ads = parseVastDocument(
      '<VAST version="3.0"><Ad id="1" sequence="2"><InLine><AdSystem>x</AdSystem><AdTitle>t</AdTitle><Impression>http://i?a=1&amp;b=2</Impression><Creatives><Creative id="c1"><Linear><Duration>00:00:15.5</Duration><TrackingEvents><Tracking event="start">http://t/s</Tracking></TrackingEvents><MediaFiles>' +
        '<MediaFile delivery="progressive" type="video/mp4" width="1280" height="720">http://m/a.mp4</MediaFile><MediaFile delivery="progressive" type="application/javascript" apiFramework="VPAID" width="1" height="1">http://m/vpaid.js</MediaFile></MediaFiles></Linear></Creative></Creatives></InLine></Ad>' +
        '<Ad id="2"><Wrapper><AdSystem>w</AdSystem><VASTAdTagURI><![CDATA[http://next/vast]]></VASTAdTagURI></Wrapper></Ad></VAST>',
    );
    const inline = ads.find((a) => a.id === '1');
    expect(inline).toMatchObject({ sequence: 2, wrapperUrl: undefined, impressions: ['http://i?a=1&b=2'] });
    expect(inline?.creatives).toEqual([
      {
        id: 'c1',
        durationSeconds: 15.5,
        mediaFiles: [{ url: 'http://m/a.mp4', type: 'video/mp4', width: 1280, height: 720, bitrateKbps: undefined }],
        tracking: [{ event: 'start', url: 'http://t/s' }],
      },
    ]);
    expect(ads.find((a) => a.id === '2')).toMatchObject({ wrapperUrl: 'http://next/vast', creatives: [] });
  });

  it('throws a ManifestError (never expands entities) on unsafe or malformed VAST', () => {
    for (const xml of [
      '<!DOCTYPE x [<!ENTITY a "b">]><VAST version="4.0">&a;</VAST>',
      '<html></html>',
      '<VAST version="4.0"><Ad>',
    ]) {
      let error: unknown;
      try {
        parseVastDocument(xml);
      } catch (e) {
        error = e;
      }
      expect(isManifestError(error), xml).toBe(true);
    }
  });
});
