/**
 * @module INTERIM VastParser — replace with manifest-core's parseVast (src/vast) once it is
 * exported. It extracts only what the ADS client needs from VAST 2–4 linear ads, refuses
 * DOCTYPE/ENTITY (no entity expansion, ever) and documents over 1 MiB, and throws on anything
 * that is not a VAST document. Not a general XML parser.
 */
import type { VastAd, VastCreative, VastMediaFile, VastParser } from './vast.ts';

const MAX_BYTES = 1024 * 1024;

function text(inner: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(inner);
  const raw = cdata ? (cdata[1] ?? '') : inner;
  return (cdata ? raw : raw.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')).trim();
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1] ?? new RegExp(`\\s${name}\\s*=\\s*'([^']*)'`, 'i').exec(tag)?.[1];
}

function all(xml: string, element: string): Array<{ open: string; inner: string }> {
  const out: Array<{ open: string; inner: string }> = [];
  const re = new RegExp(`<${element}(\\s[^>]*)?>([\\s\\S]*?)</${element}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push({ open: m[1] ?? '', inner: m[2] ?? '' });
  return out;
}

function seconds(hms: string): number {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(hms.trim());
  if (!m) throw new Error(`bad VAST Duration "${hms}"`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function trackingOf(xml: string): Array<{ event: string; url: string }> {
  return all(xml, 'Tracking')
    .map((t) => ({ event: attr(t.open, 'event') ?? '', url: text(t.inner) }))
    .filter((t) => t.event !== '' && t.url !== '');
}

function optNumber(v: string | undefined): number | undefined {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The interim VAST parser. */
export const parseVastInterim: VastParser = (xml) => {
  if (xml.length > MAX_BYTES) throw new Error('VAST document too large');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error('VAST document has DOCTYPE/ENTITY');
  if (!/<VAST[\s>]/.test(xml) || !/<\/VAST>/.test(xml)) throw new Error('not a VAST document');
  return all(xml, 'Ad').map(({ open, inner }, index): VastAd => {
    const wrapper = all(inner, 'Wrapper')[0];
    const body = wrapper?.inner ?? all(inner, 'InLine')[0]?.inner ?? '';
    const creatives: VastCreative[] = all(body, 'Creative').flatMap(({ open: cOpen, inner: cInner }) => {
      const linear = all(cInner, 'Linear')[0];
      if (!linear) return [];
      const mediaFiles: VastMediaFile[] = all(linear.inner, 'MediaFile')
        .map((m) => ({
          url: text(m.inner),
          type: attr(m.open, 'type'),
          width: optNumber(attr(m.open, 'width')),
          height: optNumber(attr(m.open, 'height')),
          bitrateKbps: optNumber(attr(m.open, 'bitrate')),
        }))
        .filter((m) => m.url !== '');
      const duration = all(linear.inner, 'Duration')[0];
      return [{ id: attr(cOpen, 'id') ?? attr(cOpen, 'adId'), durationSeconds: duration ? seconds(text(duration.inner)) : 0, mediaFiles, tracking: trackingOf(linear.inner) }];
    });
    const tagUri = wrapper ? all(wrapper.inner, 'VASTAdTagURI')[0] : undefined;
    return {
      id: attr(open, 'id') ?? `ad-${index}`,
      sequence: optNumber(attr(open, 'sequence')),
      wrapperUrl: tagUri ? text(tagUri.inner) : undefined,
      impressions: all(body, 'Impression').map((i) => text(i.inner)).filter((u) => u !== ''),
      creatives: wrapper ? [] : creatives,
      tracking: wrapper ? trackingOf(wrapper.inner) : [],
    };
  });
};
