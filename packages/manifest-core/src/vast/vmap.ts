/** @module parseVmap: IAB VMAP 1.0 XML → ad breaks with time offsets and inline VAST or ad tag URIs. */
import { ManifestError, isManifestError } from '../errors.ts';
import type { ManifestWarning } from '../errors.ts';
import { parseVastDuration, readVastElement } from './vast.ts';
import { childElement, childElements, elementText, parseXmlDocument } from './xml.ts';
import type { XmlElement, XmlLimitsOptions } from './xml.ts';
import type { VmapAdBreak, VmapAdSource, VmapDocument, VmapTimeOffset } from './types.ts';

/** Options for {@link parseVmap}: the XML limits (maxBytes default 1 MiB, maxDepth 64, maxElements 20 000). */
export type ParseVmapOptions = XmlLimitsOptions;

/** Parses a VMAP timeOffset (VMAP 1.0 §2.4): `start`, `end`, `HH:MM:SS(.mmm)`, `n%` or `#n`; undefined otherwise. */
export function parseVmapTimeOffset(text: string): VmapTimeOffset | undefined {
  const t = text.trim();
  if (t === 'start') return { kind: 'start' };
  if (t === 'end') return { kind: 'end' };
  const pos = /^#(\d+)$/.exec(t);
  if (pos) return Number(pos[1]) >= 1 ? { kind: 'position', position: Number(pos[1]) } : undefined;
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct) return Number(pct[1]) <= 100 ? { kind: 'percent', percent: Number(pct[1]) } : undefined;
  const seconds = parseVastDuration(t);
  return seconds === undefined ? undefined : { kind: 'time', seconds };
}

/**
 * Places a break on a content timeline of `contentDurationSeconds`: start → 0, end → the duration,
 * n% → that share of it; undefined for `#n` (the content's own cue points decide) or an unknown duration.
 */
export function resolveVmapTimeOffsetSeconds(
  offset: VmapTimeOffset,
  contentDurationSeconds?: number,
): number | undefined {
  switch (offset.kind) {
    case 'start':
      return 0;
    case 'time':
      return offset.seconds;
    case 'end':
      return contentDurationSeconds;
    case 'percent':
      return contentDurationSeconds === undefined ? undefined : (contentDurationSeconds * offset.percent) / 100;
    case 'position':
      return undefined;
  }
}

function readAdSource(el: XmlElement, warnings: ManifestWarning[], breakName: string): VmapAdSource {
  const a = el.attributes;
  const source: VmapAdSource = {};
  if (a.id !== undefined) source.id = a.id;
  if (a.allowMultipleAds !== undefined) source.allowMultipleAds = a.allowMultipleAds.trim() === 'true';
  if (a.followRedirects !== undefined) source.followRedirects = a.followRedirects.trim() === 'true';
  const data = childElement(el, 'VASTAdData');
  const tag = childElement(el, 'AdTagURI');
  const custom = childElement(el, 'CustomAdData');
  if (data) {
    const vast = childElement(data, 'VAST');
    if (!vast) {
      warnings.push({ code: 'VMAP_BAD_AD_SOURCE', message: `${breakName}: VASTAdData without a VAST element` });
    } else {
      try {
        // Inner warnings are collected on the VMAP too, so one list tells the whole story.
        source.vast = readVastElement(vast, []);
        warnings.push(...source.vast.warnings.map((w) => ({ ...w, message: `${breakName}: ${w.message}` })));
      } catch (error) {
        if (!isManifestError(error)) throw error;
        warnings.push({ code: 'VMAP_BAD_AD_SOURCE', message: `${breakName}: ${error.message}` });
      }
    }
  }
  if (tag) {
    const uri = elementText(tag);
    if (uri) source.adTagUri = uri;
    if (tag.attributes.templateType !== undefined) source.templateType = tag.attributes.templateType;
  }
  if (custom) source.customAdData = custom.text;
  return source;
}

/**
 * Parses a VMAP 1.0 document into linear ad breaks (pre-roll `start`, mid-rolls, post-roll `end`).
 *
 * @example
 * const { adBreaks } = parseVmap(xml);
 * adBreaks.map((b) => [b.timeOffset, b.adSource?.adTagUri ?? b.adSource?.vast?.ads.length]);
 *
 * Throws ManifestError XML_TOO_LARGE, XML_FORBIDDEN, XML_MALFORMED, or VMAP_INVALID (no `<vmap:VMAP>` root,
 * or a version other than 1.x). Breaks with a bad timeOffset or no linear type are skipped with a warning.
 */
export function parseVmap(xml: string, options: ParseVmapOptions = {}): VmapDocument {
  const root = parseXmlDocument(xml, options);
  if (root.name !== 'VMAP') throw new ManifestError('VMAP_INVALID', `root element is <${root.name}>, not <vmap:VMAP>`);
  const version = (root.attributes.version ?? '').trim();
  if (!/^1(\.\d+)*$/.test(version))
    throw new ManifestError('VMAP_INVALID', `unsupported VMAP version ${JSON.stringify(version)}`);
  const warnings: ManifestWarning[] = [];
  const adBreaks: VmapAdBreak[] = [];
  childElements(root, 'AdBreak').forEach((el, index) => {
    const a = el.attributes;
    const name = `AdBreak ${a.breakId ?? index + 1}`;
    const timeOffsetText = (a.timeOffset ?? '').trim();
    const timeOffset = parseVmapTimeOffset(timeOffsetText);
    if (!timeOffset) {
      warnings.push({
        code: 'VMAP_BAD_TIME_OFFSET',
        message: `${name}: timeOffset ${JSON.stringify(timeOffsetText)}; skipped`,
      });
      return;
    }
    const breakTypes = (a.breakType ?? 'linear')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (!breakTypes.includes('linear')) {
      warnings.push({
        code: 'VMAP_NONLINEAR_SKIPPED',
        message: `${name}: breakType ${breakTypes.join(',')} has no linear ads; skipped`,
      });
      return;
    }
    const adBreak: VmapAdBreak = { timeOffset, timeOffsetText, breakTypes, trackingEvents: [] };
    if (a.breakId !== undefined) adBreak.breakId = a.breakId;
    if (a.repeatAfter !== undefined) {
      const repeat = parseVastDuration(a.repeatAfter);
      if (repeat !== undefined) adBreak.repeatAfterSeconds = repeat;
    }
    const source = childElement(el, 'AdSource');
    if (source) adBreak.adSource = readAdSource(source, warnings, name);
    else warnings.push({ code: 'VMAP_BAD_AD_SOURCE', message: `${name} has no AdSource` });
    for (const t of childElements(childElement(el, 'TrackingEvents'), 'Tracking')) {
      const url = elementText(t);
      const event = t.attributes.event?.trim();
      if (url && event) adBreak.trackingEvents.push({ event, url });
    }
    adBreaks.push(adBreak);
  });
  return { version, adBreaks, warnings };
}
