/** @module Pure VAST wrapper-chain helpers: depth limit, next URI, and merging wrapper beacons into the inline ad. */
import { ManifestError } from '../errors.ts';
import type { VastAd, VastDocument } from './types.ts';

/** Options for the wrapper-chain helpers. */
export interface VastWrapperChainOptions {
  /** Most wrappers followed before the chain is refused (VAST 4.2 §2.3.4 suggests a limit; IMA uses 5). Default 5. */
  maxWrapperDepth?: number;
}

const DEFAULT_MAX_WRAPPER_DEPTH = 5;

/**
 * The URI to fetch next when `document` answers with a wrapper, or undefined when it holds inline ads or no
 * fill. `wrappersFollowed` counts wrappers already followed before this document; going past
 * `maxWrapperDepth` throws ManifestError VAST_WRAPPER_DEPTH, as does a wrapper chain whose parent forbade
 * more wrappers (followAdditionalWrappers="false").
 *
 * @example
 * let doc = parseVast(await fetchText(tagUrl)); const chain = [doc];
 * for (let uri; (uri = nextVastWrapperUri(doc, chain.length - 1)); chain.push(doc)) doc = parseVast(await fetchText(uri));
 * const resolved = resolveVastWrapperChain(chain);
 */
export function nextVastWrapperUri(
  document: VastDocument,
  wrappersFollowed: number,
  options: VastWrapperChainOptions = {},
): string | undefined {
  const wrapper = document.ads.find((ad) => ad.kind === 'wrapper');
  if (!wrapper?.wrapper) return undefined;
  const max = options.maxWrapperDepth ?? DEFAULT_MAX_WRAPPER_DEPTH;
  if (wrappersFollowed + 1 > max) {
    throw new ManifestError('VAST_WRAPPER_DEPTH', `VAST wrapper chain deeper than ${max}`);
  }
  return wrapper.wrapper.vastAdTagUri;
}

/**
 * Adds the beacons of every wrapper (outermost first) to an inline ad: impressions, errors, each linear
 * creative's tracking events and click trackers. The inline ad's own media, clicks-through and duration win.
 * Wrapper creatives without a Linear element carry nothing linear, so only their Linear parts are merged.
 */
export function mergeWrapperTracking(wrapperChain: readonly VastAd[], inline: VastAd): VastAd {
  const wrapperLinears = wrapperChain.flatMap((w) => w.creatives);
  return {
    ...inline,
    impressions: [...wrapperChain.flatMap((w) => w.impressions), ...inline.impressions],
    errors: [...wrapperChain.flatMap((w) => w.errors), ...inline.errors],
    creatives: inline.creatives.map((creative) => ({
      ...creative,
      trackingEvents: [...wrapperLinears.flatMap((c) => c.trackingEvents), ...creative.trackingEvents],
      videoClicks: {
        ...creative.videoClicks,
        clickTracking: [
          ...wrapperLinears.flatMap((c) => c.videoClicks.clickTracking),
          ...creative.videoClicks.clickTracking,
        ],
      },
    })),
  };
}

/**
 * Resolves an already-fetched chain: `documents[0..n-2]` each answer with a wrapper (its first wrapper ad is
 * the one followed), `documents[n-1]` is the final answer. Returns the final document with every inline ad
 * carrying the wrappers' beacons; when it holds no ad, `errors` also lists the wrappers' Error URLs. Throws VAST_WRAPPER_DEPTH when more than `maxWrapperDepth` wrappers are
 * chained, VAST_INVALID when a middle document is not a wrapper, when a wrapper forbids further wrappers
 * but another follows, or when the chain still ends in a wrapper.
 */
export function resolveVastWrapperChain(
  documents: readonly VastDocument[],
  options: VastWrapperChainOptions = {},
): VastDocument {
  const max = options.maxWrapperDepth ?? DEFAULT_MAX_WRAPPER_DEPTH;
  const last = documents[documents.length - 1];
  if (!last) throw new ManifestError('VAST_INVALID', 'empty VAST wrapper chain');
  const finalWrapper = last.ads.find((ad) => ad.kind === 'wrapper');
  const wrapperCount = documents.length - 1 + (finalWrapper ? 1 : 0);
  if (wrapperCount > max)
    throw new ManifestError('VAST_WRAPPER_DEPTH', `VAST wrapper chain of ${wrapperCount} is deeper than ${max}`);
  if (finalWrapper)
    throw new ManifestError('VAST_INVALID', 'VAST wrapper chain ends in a wrapper; fetch its VASTAdTagURI');
  const wrappers: VastAd[] = [];
  for (const [index, doc] of documents.slice(0, -1).entries()) {
    const wrapper = doc.ads.find((ad) => ad.kind === 'wrapper');
    if (!wrapper) throw new ManifestError('VAST_INVALID', `VAST document ${index + 1} of the chain is not a wrapper`);
    const previous = wrappers[wrappers.length - 1];
    if (previous?.wrapper?.followAdditionalWrappers === false) {
      throw new ManifestError(
        'VAST_INVALID',
        `wrapper ${index} forbids further wrappers (followAdditionalWrappers="false")`,
      );
    }
    wrappers.push(wrapper);
  }
  const deepest = wrappers[wrappers.length - 1];
  let ads = last.ads.filter((ad) => ad.kind === 'inline');
  // VAST 4 Wrapper@allowMultipleAds="false" (the default): only the first stand-alone ad of the answer plays;
  // when the answer is only a pod we keep its first ad rather than nothing.
  if (deepest?.wrapper && !deepest.wrapper.allowMultipleAds && ads.length > 1) {
    ads = [ads.find((ad) => ad.sequence === undefined) ?? ads[0]!];
  }
  return {
    version: last.version,
    ads: ads.map((ad) => mergeWrapperTracking(wrappers, ad)),
    // With no ad at the end of the chain (no fill), every wrapper's Error URLs must hear about it (VAST error 303).
    errors: [
      ...documents.slice(0, -1).flatMap((d) => d.errors),
      ...(ads.length === 0 ? wrappers.flatMap((w) => w.errors) : []),
      ...last.errors,
    ],
    warnings: documents.flatMap((d) => d.warnings),
  };
}
