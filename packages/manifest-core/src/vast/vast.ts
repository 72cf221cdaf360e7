/** @module parseVast: VAST 2.0–4.3 XML → ads in playback order, with linear creatives, media files and beacons. */
import { ManifestError } from '../errors.ts';
import type { ManifestWarning } from '../errors.ts';
import { childElement, childElements, elementText, parseXmlDocument } from './xml.ts';
import type { XmlElement, XmlLimitsOptions } from './xml.ts';
import type {
  VastAd,
  VastDocument,
  VastLinearCreative,
  VastMediaFile,
  VastMezzanine,
  VastOffset,
  VastTrackingEvent,
  VastWrapperInfo,
} from './types.ts';

/** Options for {@link parseVast}: the XML limits (maxBytes default 1 MiB, maxDepth 64, maxElements 20 000). */
export type ParseVastOptions = XmlLimitsOptions;

/** VAST versions this parser reads: 2.x, 3.x and 4.x. */
const SUPPORTED_VERSION = /^[234](\.\d+)*$/;

/**
 * Parses a VAST clock value `HH:MM:SS` or `HH:MM:SS.mmm` (VAST 4.2 §3.9.1, Duration) into seconds;
 * undefined when it is not one.
 */
export function parseVastDuration(text: string): number | undefined {
  const m = /^\s*(\d{1,3}):([0-5]?\d):([0-5]?\d(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** Parses skipoffset / progress offset: `HH:MM:SS(.mmm)` or `n%` (0–100); undefined otherwise. */
export function parseVastOffset(text: string): VastOffset | undefined {
  const pct = /^\s*(\d+(?:\.\d+)?)%\s*$/.exec(text);
  if (pct) {
    const percent = Number(pct[1]);
    return percent <= 100 ? { kind: 'percent', percent } : undefined;
  }
  const seconds = parseVastDuration(text);
  return seconds === undefined ? undefined : { kind: 'seconds', seconds };
}

function optionalNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function optionalBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : undefined;
}

/** Copies only defined values, so results compare cleanly and JSON stays small. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

function urls(elements: XmlElement[]): string[] {
  return elements.map(elementText).filter((u) => u !== '');
}

function readTracking(parent: XmlElement | undefined, warnings: ManifestWarning[]): VastTrackingEvent[] {
  const events: VastTrackingEvent[] = [];
  for (const t of childElements(childElement(parent, 'TrackingEvents'), 'Tracking')) {
    const url = elementText(t);
    const event = t.attributes.event?.trim();
    if (!url || !event) continue;
    const tracking: VastTrackingEvent = { event, url };
    const offsetText = t.attributes.offset;
    if (offsetText !== undefined) {
      const offset = parseVastOffset(offsetText);
      if (offset) tracking.offset = offset;
      else warnings.push({ code: 'VAST_BAD_OFFSET', message: `tracking offset ${JSON.stringify(offsetText)} ignored` });
    }
    events.push(tracking);
  }
  return events;
}

function readMediaFile(el: XmlElement): VastMediaFile | undefined {
  const url = elementText(el);
  if (!url) return undefined;
  const a = el.attributes;
  return compact<VastMediaFile>({
    url,
    delivery: a.delivery?.trim(),
    type: a.type?.trim(),
    width: optionalNumber(a.width),
    height: optionalNumber(a.height),
    bitrateKbps: optionalNumber(a.bitrate),
    minBitrateKbps: optionalNumber(a.minBitrate),
    maxBitrateKbps: optionalNumber(a.maxBitrate),
    codec: a.codec?.trim(),
    id: a.id,
    scalable: optionalBoolean(a.scalable),
    maintainAspectRatio: optionalBoolean(a.maintainAspectRatio),
    apiFramework: a.apiFramework,
    fileSizeBytes: optionalNumber(a.fileSize),
    mediaType: a.mediaType,
  });
}

function readMezzanine(el: XmlElement): VastMezzanine | undefined {
  const url = elementText(el);
  if (!url) return undefined;
  const a = el.attributes;
  return compact<VastMezzanine>({
    url,
    delivery: a.delivery?.trim(),
    type: a.type?.trim(),
    width: optionalNumber(a.width),
    height: optionalNumber(a.height),
    codec: a.codec?.trim(),
    id: a.id,
    fileSizeBytes: optionalNumber(a.fileSize),
    mediaType: a.mediaType,
  });
}

function readLinear(creative: XmlElement, linear: XmlElement, kind: VastAd['kind'], warnings: ManifestWarning[]) {
  const a = creative.attributes;
  const clicks = childElement(linear, 'VideoClicks');
  const result: VastLinearCreative = compact<VastLinearCreative>({
    id: a.id,
    adId: a.adId ?? a.AdID,
    sequence: optionalNumber(a.sequence),
    apiFramework: a.apiFramework,
    universalAdIds: childElements(creative, 'UniversalAdId').map((u) => ({
      idRegistry: u.attributes.idRegistry ?? 'unknown',
      idValue: elementText(u) || u.attributes.idValue || 'unknown',
    })),
    mediaFiles: [],
    mezzanines: [],
    trackingEvents: readTracking(linear, warnings),
    videoClicks: compact({
      clickThrough: elementText(childElement(clicks, 'ClickThrough')) || undefined,
      clickTracking: urls(childElements(clicks, 'ClickTracking')),
      customClick: urls(childElements(clicks, 'CustomClick')),
    }),
    adParameters: childElement(linear, 'AdParameters') ? elementText(childElement(linear, 'AdParameters')) : undefined,
  });
  const durationText = elementText(childElement(linear, 'Duration'));
  if (durationText) {
    const seconds = parseVastDuration(durationText);
    if (seconds === undefined) {
      warnings.push({
        code: 'VAST_BAD_DURATION',
        message: `Duration ${JSON.stringify(durationText)} is not HH:MM:SS(.mmm)`,
      });
    } else {
      result.durationSeconds = seconds;
    }
  } else if (kind === 'inline') {
    warnings.push({ code: 'VAST_BAD_DURATION', message: 'linear creative without a Duration' });
  }
  const skip = linear.attributes.skipoffset;
  if (skip !== undefined) {
    const offset = parseVastOffset(skip);
    if (offset) result.skipOffset = offset;
    else warnings.push({ code: 'VAST_BAD_OFFSET', message: `skipoffset ${JSON.stringify(skip)} ignored` });
  }
  const mediaFiles = childElement(linear, 'MediaFiles');
  for (const el of childElements(mediaFiles, 'MediaFile')) {
    const file = readMediaFile(el);
    if (file) result.mediaFiles.push(file);
    else warnings.push({ code: 'VAST_MEDIAFILE_WITHOUT_URL', message: 'MediaFile without a URL skipped' });
  }
  for (const el of childElements(mediaFiles, 'Mezzanine')) {
    const mezz = readMezzanine(el);
    if (mezz) result.mezzanines.push(mezz);
  }
  if (kind === 'inline' && result.mediaFiles.length === 0) {
    warnings.push({ code: 'VAST_NO_MEDIAFILES', message: `linear creative ${a.id ?? ''} has no MediaFile` });
  }
  return result;
}

function readAd(ad: XmlElement, warnings: ManifestWarning[]): VastAd | undefined {
  const inline = childElement(ad, 'InLine');
  const wrapperEl = childElement(ad, 'Wrapper');
  const body = inline ?? wrapperEl;
  const adId = ad.attributes.id;
  if (!body) {
    warnings.push({ code: 'VAST_EMPTY_AD', message: `Ad ${adId ?? ''} has neither InLine nor Wrapper; skipped` });
    return undefined;
  }
  const kind: VastAd['kind'] = inline ? 'inline' : 'wrapper';
  let wrapper: VastWrapperInfo | undefined;
  if (wrapperEl) {
    const vastAdTagUri = elementText(childElement(wrapperEl, 'VASTAdTagURI'));
    if (!vastAdTagUri) {
      warnings.push({
        code: 'VAST_WRAPPER_WITHOUT_URI',
        message: `Wrapper ${adId ?? ''} has no VASTAdTagURI; skipped`,
      });
      return undefined;
    }
    const w = wrapperEl.attributes;
    wrapper = compact<VastWrapperInfo>({
      vastAdTagUri,
      followAdditionalWrappers: optionalBoolean(w.followAdditionalWrappers) ?? true,
      allowMultipleAds: optionalBoolean(w.allowMultipleAds) ?? false,
      fallbackOnNoAd: optionalBoolean(w.fallbackOnNoAd),
    });
  }
  const adSystem = childElement(body, 'AdSystem');
  const creatives: VastLinearCreative[] = [];
  let nonLinear = 0;
  for (const creative of childElements(childElement(body, 'Creatives'), 'Creative')) {
    const linear = childElement(creative, 'Linear');
    if (linear) creatives.push(readLinear(creative, linear, kind, warnings));
    else if (childElement(creative, 'NonLinearAds')) nonLinear++;
    // CompanionAds are display units around the player; a stitched stream has no place for them.
  }
  const noLinear = kind === 'inline' && creatives.length === 0;
  if (nonLinear > 0) {
    const what = noLinear ? 'is non-linear only; skipped' : `: ${nonLinear} non-linear creative(s) skipped`;
    warnings.push({ code: 'VAST_NONLINEAR_SKIPPED', message: `Ad ${adId ?? ''} ${what}` });
  } else if (noLinear) {
    warnings.push({ code: 'VAST_NO_LINEAR', message: `Ad ${adId ?? ''} has no linear creative; skipped` });
  }
  if (noLinear) return undefined;
  const seq = optionalNumber(ad.attributes.sequence);
  return compact<VastAd>({
    kind,
    id: adId,
    sequence: seq !== undefined && Number.isInteger(seq) ? seq : undefined,
    adType: ad.attributes.adType,
    conditionalAd: optionalBoolean(ad.attributes.conditionalAd),
    adSystem: elementText(adSystem) || undefined,
    adSystemVersion: adSystem?.attributes.version,
    adTitle: elementText(childElement(body, 'AdTitle')) || undefined,
    description: elementText(childElement(body, 'Description')) || undefined,
    advertiser: elementText(childElement(body, 'Advertiser')) || undefined,
    adServingId: elementText(childElement(body, 'AdServingId')) || undefined,
    impressions: urls(childElements(body, 'Impression')),
    errors: urls(childElements(body, 'Error')),
    creatives,
    wrapper,
  });
}

/** Reads a `<VAST>` element already parsed (also used for VMAP's embedded VASTAdData). */
export function readVastElement(root: XmlElement, warnings: ManifestWarning[] = []): VastDocument {
  if (root.name !== 'VAST') throw new ManifestError('VAST_INVALID', `root element is <${root.name}>, not <VAST>`);
  const version = (root.attributes.version ?? '').trim();
  if (!SUPPORTED_VERSION.test(version)) {
    throw new ManifestError('VAST_INVALID', `unsupported VAST version ${JSON.stringify(version)}`);
  }
  const parsed: VastAd[] = [];
  for (const ad of childElements(root, 'Ad')) {
    const read = readAd(ad, warnings);
    if (read) parsed.push(read);
  }
  // VAST 4.2 §2.3.2: ads with a sequence form a pod played in that order; the rest are stand-alone.
  const pod = parsed.filter((ad) => ad.sequence !== undefined).sort((x, y) => x.sequence! - y.sequence!);
  const standalone = parsed.filter((ad) => ad.sequence === undefined);
  return { version, ads: [...pod, ...standalone], errors: urls(childElements(root, 'Error')), warnings };
}

/**
 * Parses a VAST 2.0/3.0/4.x document into ads in playback order.
 *
 * @example
 * const { ads, warnings } = parseVast(xmlFromAdServer);
 * ads[0]?.creatives[0]?.mediaFiles.filter((f) => f.type === 'application/x-mpegURL');
 *
 * Throws ManifestError XML_TOO_LARGE, XML_FORBIDDEN, XML_MALFORMED, or VAST_INVALID (no `<VAST>` root,
 * unsupported version). `<VAST version="4.0"/>` (no fill) returns zero ads.
 */
export function parseVast(xml: string, options: ParseVastOptions = {}): VastDocument {
  return readVastElement(parseXmlDocument(xml, options));
}
