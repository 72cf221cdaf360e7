/**
 * @module HLS Interstitials (draft-pantos-hls-rfc8216bis Appendix D) from the same break model:
 * one DATERANGE with CLASS="com.apple.hls.interstitial" per break, the content left untouched, and
 * the X-ASSET-LIST JSON body.
 */
import { ManifestError } from '../errors.ts';
import type { DateRange, MediaPlaylist, MediaSegment, SegmentTags } from '../playlist/model.ts';
import { formatPdt, timelineOf } from './timeline.ts';
import type { AdPod, Break } from './types.ts';

/** CLASS of an HLS Interstitial DATERANGE (bis Appendix D). */
export const INTERSTITIAL_CLASS = 'com.apple.hls.interstitial';

/** Options of {@link renderInterstitials}. */
export interface RenderInterstitialsOptions {
  breaks: readonly Break[];
  /** Pods by break id: a pod of one ad with an `assetUri` is signalled with X-ASSET-URI. Default none (all asset lists). */
  pods?: Readonly<Record<string, AdPod | undefined>>;
  /** URL of a break's X-ASSET-LIST (the app's `/v1/sessions/{id}/breaks/{breakId}.json`). */
  assetListUrl: (brk: Break) => string;
  /** Epoch (ms) of the PROGRAM-DATE-TIME written into VOD content that has none. Default 0 (1970-01-01T00:00:00Z). */
  sessionEpochMs?: number;
  /** VOD: add CUE=ONCE so a watched break does not play again on seek. Default true. */
  once?: boolean;
  /** X-RESTRICT value, e.g. `SKIP,JUMP`. Default none. */
  restrict?: string;
  /** Keep the source's cue tags. Default false. */
  keepCueTags?: boolean;
}

function stripCues(seg: SegmentTags): void {
  delete seg.cueOut;
  delete seg.cueOutCont;
  delete seg.cueIn;
  delete seg.oatclsScte35;
  delete seg.splicePointScte35;
  if (seg.dateRanges !== undefined) {
    seg.dateRanges = seg.dateRanges.filter(
      (d) => d.scte35Out === undefined && d.scte35In === undefined && d.scte35Cmd === undefined,
    );
    if (seg.dateRanges.length === 0) delete seg.dateRanges;
  }
}

/**
 * Adds one interstitial DATERANGE per break to a media playlist and changes nothing else about the
 * content (no discontinuities, same segments and keys): X-ASSET-URI for a single-ad pod with an
 * asset URI, else X-ASSET-LIST; X-RESUME-OFFSET (0 for an insertion, the replaced content's length
 * for a replacement), X-PLAYOUT-LIMIT (the planned duration), X-SNAP="OUT,IN" for live breaks, and
 * CUE=PRE / POST (plus ONCE in VOD). RFC 8216 §4.3.2.7 requires PROGRAM-DATE-TIME with DATERANGE:
 * VOD content without it gets a synthesised one; a live window without it is rejected.
 *
 * @example
 * renderInterstitials(vod, { breaks, pods, assetListUrl: (b) => `/v1/sessions/s1/breaks/${b.id}.json` });
 */
export function renderInterstitials(content: MediaPlaylist, options: RenderInterstitialsOptions): MediaPlaylist {
  const tl = timelineOf(content);
  const vod = content.endList === true || content.playlistType === 'VOD';
  if (!tl.hasPdt && !vod && content.segments.length > 0) {
    throw new ManifestError('INVALID_OPTIONS', 'interstitials in a live playlist need EXT-X-PROGRAM-DATE-TIME');
  }
  const epoch = options.sessionEpochMs ?? 0;
  const segments: MediaSegment[] = content.segments.map((s) => ({ ...s }));
  const out: MediaPlaylist = { ...content, segments };
  if (content.tail !== undefined) out.tail = { ...content.tail };
  if (!options.keepCueTags) {
    for (const s of segments) stripCues(s);
    if (out.tail !== undefined) stripCues(out.tail);
  }
  const n = segments.length;
  if (!tl.hasPdt && n > 0) {
    // Synthesised timeline: the first segment and every discontinuity get a PDT (bis §4.4.4.6).
    for (let i = 0; i < n; i++) {
      if (i === 0 || segments[i]!.discontinuity) segments[i]!.programDateTime = formatPdt(epoch + tl.startMs[i]!);
    }
  }
  const pdtAt = (i: number): number => {
    if (tl.hasPdt) return i < n ? tl.pdtMs[i]! : tl.pdtMs[n - 1]! + tl.durMs[n - 1]!;
    return epoch + (i < n ? tl.startMs[i]! : tl.totalMs);
  };
  const once = options.once ?? true;
  for (const brk of options.breaks) {
    const index = brk.startMsn - tl.firstMsn;
    if (index < 0 || index > n) continue;
    const pod = options.pods?.[brk.id];
    const single = pod?.ads.length === 1 ? pod.ads[0] : undefined;
    const attrs: DateRange['clientAttributes'] = {};
    if (single?.assetUri !== undefined) attrs['X-ASSET-URI'] = single.assetUri;
    else attrs['X-ASSET-LIST'] = options.assetListUrl(brk);
    const replacedSeconds = brk.insert ? 0 : (brk.contentDurationSeconds ?? brk.durationSeconds ?? 0);
    attrs['X-RESUME-OFFSET'] = replacedSeconds;
    const limit = brk.durationSeconds ?? (brk.insert ? undefined : brk.contentDurationSeconds);
    if (limit !== undefined && limit > 0) attrs['X-PLAYOUT-LIMIT'] = limit;
    if (!vod) attrs['X-SNAP'] = 'OUT,IN';
    if (options.restrict !== undefined) attrs['X-RESTRICT'] = options.restrict;
    const range: DateRange = {
      id: brk.id,
      class: INTERSTITIAL_CLASS,
      startDate: formatPdt(pdtAt(index)),
      clientAttributes: attrs,
    };
    if (!brk.insert && replacedSeconds > 0) range.duration = replacedSeconds;
    const cue: string[] = [];
    if (vod && brk.position === 'pre') cue.push('PRE');
    if (vod && brk.position === 'post') cue.push('POST');
    if (vod && once) cue.push('ONCE');
    if (cue.length > 0) range.cue = cue;
    const holder: SegmentTags = index < n ? segments[index]! : (out.tail ??= {});
    holder.dateRanges = [...(holder.dateRanges ?? []), range];
  }
  return out;
}

/**
 * The X-ASSET-LIST JSON body of a pod: `{"ASSETS":[{"URI","DURATION"}]}` (bis Appendix D.2), in
 * play order; ads without an HLS asset URI are left out.
 *
 * @example
 * renderAssetList(pod); // '{"ASSETS":[{"URI":"https://ads.example.com/ad1/master.m3u8","DURATION":15}]}'
 */
export function renderAssetList(pod: AdPod): string {
  const assets = pod.ads
    .filter((a) => a.assetUri !== undefined)
    .map((a) => ({ URI: a.assetUri!, DURATION: a.durationSeconds }));
  return JSON.stringify({ ASSETS: assets });
}
