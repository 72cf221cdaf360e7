/** @module Reads HLS Interstitials from a media playlist's text as a player would: DATERANGE attributes mapped to content time through PROGRAM-DATE-TIME. */

/** CLASS of an HLS Interstitial DATERANGE (draft-pantos-hls-rfc8216bis Appendix D). */
export const INTERSTITIAL_CLASS = 'com.apple.hls.interstitial';

/** The JSON body of an X-ASSET-LIST (bis Appendix D.2). */
export interface AssetList {
  ASSETS: { URI: string; DURATION: number }[];
}

/** One interstitial DATERANGE of a playlist. */
export interface InterstitialRange {
  id: string;
  /** START-DATE minus the first segment's PROGRAM-DATE-TIME, seconds: where the break sits on the content timeline. */
  offsetSeconds: number;
  /** CUE values (`PRE`, `POST`, `ONCE`). */
  cue: string[];
  assetList?: string;
  assetUri?: string;
  resumeOffsetSeconds?: number;
  /** Every attribute as written (quoted values unquoted). */
  attributes: Record<string, string>;
}

/** Parses an attribute list (`KEY=value,KEY="quoted, value"`), RFC 8216 §4.2. */
export function parseAttributes(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    const value = m[2]!;
    out[m[1]!] = value.startsWith('"') ? value.slice(1, -1) : value;
  }
  return out;
}

/**
 * The interstitial DATERANGEs of a media playlist, in playlist order. Offsets are relative to the
 * first PROGRAM-DATE-TIME (RFC 8216 §4.3.2.7: a playlist with DATERANGE must carry one); NaN when
 * the playlist has none.
 */
export function interstitialDateRanges(text: string): InterstitialRange[] {
  const lines = text.split('\n').map((l) => l.trim());
  const firstPdt = lines.find((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:'));
  const epochMs = firstPdt ? Date.parse(firstPdt.slice('#EXT-X-PROGRAM-DATE-TIME:'.length)) : NaN;
  const out: InterstitialRange[] = [];
  for (const line of lines) {
    if (!line.startsWith('#EXT-X-DATERANGE:')) continue;
    const attributes = parseAttributes(line.slice('#EXT-X-DATERANGE:'.length));
    if (attributes.CLASS !== INTERSTITIAL_CLASS) continue;
    const range: InterstitialRange = {
      id: attributes.ID ?? '',
      offsetSeconds: (Date.parse(attributes['START-DATE'] ?? '') - epochMs) / 1000,
      cue: attributes.CUE ? attributes.CUE.split(',') : [],
      attributes,
    };
    if (attributes['X-ASSET-LIST'] !== undefined) range.assetList = attributes['X-ASSET-LIST'];
    if (attributes['X-ASSET-URI'] !== undefined) range.assetUri = attributes['X-ASSET-URI'];
    if (attributes['X-RESUME-OFFSET'] !== undefined) range.resumeOffsetSeconds = Number(attributes['X-RESUME-OFFSET']);
    out.push(range);
  }
  return out;
}
