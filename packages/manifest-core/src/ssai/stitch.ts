/**
 * @module Stitched SSAI: content segments and replacement (ad, slate, alternate) segments written
 * into one media playlist with EXT-X-DISCONTINUITY around every run, METHOD=NONE over clear ads and
 * the content keys (every KEYFORMAT) re-emitted after them, EXT-X-MAP re-emitted after each switch,
 * PROGRAM-DATE-TIME after each discontinuity and a per-ad DATERANGE. Shared by VOD and live.
 */
import { ManifestError } from '../errors.ts';
import type { DateRange, Key, MediaInitializationSection, MediaPlaylist, MediaSegment } from '../playlist/model.ts';
import { ivForMediaSequence } from '../render/drm.ts';
import { appendQuery, resolveUri } from '../render/url.ts';
import { PlanLayout, decideBreak } from './plan.ts';
import type { DecideBreakOptions } from './plan.ts';
import type { PlanSegment } from './plan.ts';
import { clearMapUris, keepClearMapsClear } from './map-order.ts';
import { selectAdRendition } from './select.ts';
import { formatPdt, timelineOf, usesImplicitIv } from './timeline.ts';
import type { Timeline } from './timeline.ts';
import type { AdPod, AdAssetRendition, Break, BreakDecision, FillerAsset, RenditionTarget } from './types.ts';

/**
 * CLASS of the per-ad DATERANGE: the SVA/SVTA "Ad creative signaling in DASH and HLS" class that
 * AWS Elemental MediaTailor writes (ad-id-manifest-hls), with the creative metadata as base64 JSON
 * in X-AD-CREATIVE-SIGNALING.
 */
export const AD_CREATIVE_DATERANGE_CLASS = 'urn:sva:advertising-wg:ad-id-signaling';

/** The SMPTE UL MediaTailor uses as the identifier scheme of a creative id (ad-id-manifest). */
const CREATIVE_ID_SCHEME = 'urn:smpte:ul:060E2B34.01040101.01200900.00000000';

/** Query parameter that makes every replacement segment URI unique: `<decision id>.<layout index>`. */
export const STITCH_SEGMENT_PARAM = 'mbk';

const METHOD_NONE: readonly Key[] = Object.freeze([{ method: 'NONE' }]);

/** Options shared by the VOD and live stitchers. */
export interface StitchCommonOptions {
  /** The content rendition being rendered; ad and filler renditions are matched to it. */
  rendition: RenditionTarget;
  /** Ad pods by break id (the pods the decisions were made from). Default none. */
  pods?: Readonly<Record<string, AdPod | undefined>>;
  /** Slate and alternate-content assets, looked up by the decisions' `filler.id`. Default none. */
  fillers?: readonly FillerAsset[];
  /** Keep the source's cue tags (CUE-OUT/CONT/IN, OATCLS, SPLICEPOINT, SCTE35 DATERANGEs), MediaTailor's AdMarkerPassthrough. Default false. */
  keepCueTags?: boolean;
  /** Write a per-ad DATERANGE (ad-creative signalling). Default true. */
  adDateRanges?: boolean;
}

/** Where the walker takes plan segments from in a live window. */
interface Visibility {
  /** Wall-clock start of the window (epoch ms): plan segments ending at or before it have slid out. */
  fromPdtMs: number;
  /** Wall-clock end of the window: plan segments ending after it are not published yet. */
  toPdtMs: number;
}

/** A decision placed on the content: where it starts and ends in the content's segment indexes. */
export interface PlacedDecision {
  decision: BreakDecision;
  layout: PlanLayout;
  /** Content index of the first replaced segment (may be < 0 in a live window that starts inside it). */
  startIndex: number;
  /** Content index one past the last replaced segment (Infinity while open). */
  endIndex: number;
  /** Output MSN of the layout's first segment (live; VOD leaves it to the walker). */
  outStartMsn?: number;
}

/** Output of the walker before the header is finished. */
export interface WalkResult {
  segments: MediaSegment[];
  /** Largest rounded EXTINF among the replacement segments (RFC 8216 §4.3.3.1). */
  maxRoundedPlanDuration: number;
  /** EXT-X-VERSION the replacement segments need (RFC 8216 §7: 6 for EXT-X-MAP, 5 for KEYFORMAT). */
  planVersion: number;
  /** Layout segment or content index of the first output segment, for the live header. */
  first?: { kind: 'content'; index: number } | { kind: 'plan'; placed: PlacedDecision; seg: PlanSegment };
  /**
   * Only when some content key uses its segment's MSN as IV ({@link Timeline.implicitIv}): the
   * content's timeline and, per output segment, its content index (-1 for replacement segments),
   * so {@link finishPlaylist} can write the IVs of renumbered segments.
   */
  implicitIv?: { tl: Timeline; contentIndex: number[] };
}

function isCueDateRange(dr: DateRange): boolean {
  return dr.scte35Out !== undefined || dr.scte35In !== undefined || dr.scte35Cmd !== undefined;
}

function sameKeys(a: readonly Key[], b: readonly Key[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameMap(a: MediaInitializationSection | undefined, b: MediaInitializationSection | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.uri === b.uri && a.byteRange?.length === b.byteRange?.length && a.byteRange?.offset === b.byteRange?.offset;
}

/** base64 of a UTF-8 string, with the web-standard btoa (workerd, browsers, Node ≥ 16). */
function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * Writes output segments and decides the tags that carry state: keys, map and PDT are written when
 * they change, and all of them again after every discontinuity (RFC 8216 §4.3.2.4-6; hls.js and
 * AVPlayer need the key and map in force after a discontinuity, and the PDT to map times).
 */
class Emitter {
  readonly out: MediaSegment[] = [];
  private keys: readonly Key[] | undefined;
  private map: MediaInitializationSection | undefined;
  private any = false;
  /** What the last {@link decide} chose (reused to avoid an allocation per segment). */
  readonly d: {
    disc: boolean;
    keys: readonly Key[] | undefined;
    map: MediaInitializationSection | undefined;
    pdt: string | undefined;
  } = {
    disc: false,
    keys: undefined,
    map: undefined,
    pdt: undefined,
  };

  /** Decides the state tags of the next segment (into `this.d`) and records them as written. */
  decide(
    keys: readonly Key[],
    map: MediaInitializationSection | undefined,
    pdtMs: number | undefined,
    disc: boolean,
    forcePdt: boolean,
    pdtText?: string,
  ): void {
    const d = this.d;
    d.disc = disc && this.any;
    d.keys = undefined;
    d.map = undefined;
    d.pdt = undefined;
    const fresh = !this.any || disc;
    if (keys.length === 0) {
      if (this.keys !== undefined && this.keys.length > 0) d.keys = METHOD_NONE;
    } else if (fresh || this.keys === undefined || !sameKeys(keys, this.keys)) {
      d.keys = keys;
    }
    this.keys = keys;
    if (map !== undefined && (fresh || !sameMap(map, this.map))) d.map = map;
    this.map = map;
    if (pdtMs !== undefined && !Number.isNaN(pdtMs) && (fresh || forcePdt)) d.pdt = pdtText ?? formatPdt(pdtMs);
    this.any = true;
  }

  /** True when a segment with these keys and map, and no tags of its own, needs no state tags at all. */
  steady(keys: readonly Key[], map: MediaInitializationSection | undefined): boolean {
    return this.any && keys === this.keys && map === this.map;
  }

  /** Writes the decided tags onto a segment built for the output. */
  apply(seg: MediaSegment): MediaSegment {
    const d = this.d;
    if (d.disc) seg.discontinuity = true;
    if (d.keys !== undefined) seg.keys = [...d.keys];
    if (d.map !== undefined) seg.map = d.map;
    if (d.pdt !== undefined) seg.programDateTime = d.pdt;
    return seg;
  }

  /** True when a source segment already carries exactly the decided tags (so it can be reused as is). */
  matches(seg: MediaSegment): boolean {
    const d = this.d;
    return (
      (seg.discontinuity === true) === d.disc &&
      seg.programDateTime === d.pdt &&
      seg.map === d.map &&
      (seg.keys === undefined || seg.keys.length === 0
        ? d.keys === undefined
        : d.keys !== undefined && sameKeys(seg.keys, d.keys))
    );
  }
}

/** A segment with no tags before its EXTINF that the stitcher would have to decide or strip. */
function isPlain(seg: MediaSegment): boolean {
  return (
    seg.discontinuity !== true &&
    seg.keys === undefined &&
    seg.map === undefined &&
    seg.programDateTime === undefined &&
    seg.dateRanges === undefined &&
    seg.cueOut === undefined &&
    seg.cueOutCont === undefined &&
    seg.cueIn !== true &&
    seg.oatclsScte35 === undefined &&
    seg.splicePointScte35 === undefined &&
    // Stitched output is regular-latency HLS: LL-HLS parts would need PART-INF and MSN-true rendition reports.
    seg.parts === undefined
  );
}

function hasCueTags(seg: MediaSegment): boolean {
  return (
    seg.cueOut !== undefined ||
    seg.cueOutCont !== undefined ||
    seg.cueIn === true ||
    seg.oatclsScte35 !== undefined ||
    seg.splicePointScte35 !== undefined ||
    (seg.dateRanges !== undefined && seg.dateRanges.some(isCueDateRange))
  );
}

/** Resolves which rendition of an ad or filler to use, and its timeline. */
interface Picked {
  r: AdAssetRendition;
  tl: Timeline;
  /** Keys in force per segment with absolute URIs; arrays shared while unchanged (compared by reference). */
  keys: (readonly Key[])[];
  /** Maps in force per segment with absolute URIs. */
  maps: (MediaInitializationSection | undefined)[];
  /** Absolute segment URIs. */
  abs: string[];
  /** Keys with an explicit IV per segment, built on first use; only for renditions keyed with an implicit IV. */
  ivKeys?: (readonly Key[] | undefined)[];
}

/**
 * RFC 8216 §5.2: an AES-128 (or identity SAMPLE-AES) key without IV uses the segment's media
 * sequence number *in the playlist it was packaged for*. Stitched, an ad or slate segment gets the
 * output's MSN (and a looped slate repeats), so its keys are written with an explicit IV of its own
 * MSN — on every segment, since an IV applies until the next EXT-X-KEY.
 */
function keysWithOwnIv(chosen: Picked, srcIndex: number): readonly Key[] {
  const keys = chosen.keys[srcIndex]!;
  if (!chosen.tl.implicitIv || !keys.some(usesImplicitIv)) return keys;
  const cache = (chosen.ivKeys ??= []);
  let hit = cache[srcIndex];
  if (hit === undefined) {
    const iv = ivForMediaSequence(chosen.tl.firstMsn + srcIndex);
    hit = keys.map((k) => (usesImplicitIv(k) ? { ...k, iv } : k));
    cache[srcIndex] = hit;
  }
  return hit;
}

/** Appends one query parameter; the render module's appendQuery handles the rare URI with a fragment. */
function withParam(uri: string, param: string): string {
  if (uri.includes('#')) return appendQuery(uri, param);
  return uri + (uri.includes('?') ? '&' : '?') + param;
}

class RenditionPicker {
  private readonly cache = new Map<readonly AdAssetRendition[], Picked | null>();
  constructor(private readonly target: RenditionTarget) {}
  pick(renditions: readonly AdAssetRendition[]): Picked | undefined {
    let hit = this.cache.get(renditions);
    if (hit === undefined) {
      const r = selectAdRendition(this.target, renditions);
      if (r === undefined || r.playlist.segments.length === 0) hit = null;
      else {
        const tl = timelineOf(r.playlist);
        const keyCache = new Map<readonly Key[], readonly Key[]>();
        const mapCache = new Map<MediaInitializationSection, MediaInitializationSection>();
        const keys = tl.keys.map((ks) => {
          let abs = keyCache.get(ks);
          if (abs === undefined) {
            abs = ks.map((k) => (k.uri === undefined ? k : { ...k, uri: resolveUri(k.uri, r.uri) }));
            keyCache.set(ks, abs);
          }
          return abs;
        });
        const maps = tl.maps.map((m) => {
          if (m === undefined) return undefined;
          let abs = mapCache.get(m);
          if (abs === undefined) {
            abs = { ...m, uri: resolveUri(m.uri, r.uri) };
            mapCache.set(m, abs);
          }
          return abs;
        });
        hit = { r, tl, keys, maps, abs: r.playlist.segments.map((seg) => resolveUri(seg.uri, r.uri)) };
      }
      this.cache.set(renditions, hit);
    }
    return hit ?? undefined;
  }
}

/**
 * The segment of an alternate live stream's window for a wall-clock instant: the one whose
 * PROGRAM-DATE-TIME is nearest (the alternate is published in step with the primary, so it is the
 * segment covering that instant; a lagging or early alternate gives its nearest edge segment).
 */
function segmentAtPdt(chosen: Picked, pdtMs: number, decisionId: string): number {
  const tl = chosen.tl;
  if (!tl.hasPdt)
    throw new ManifestError(
      'INVALID_OPTIONS',
      `break ${decisionId}: an alternate live stream needs EXT-X-PROGRAM-DATE-TIME`,
    );
  let lo = 0;
  let hi = tl.pdtMs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tl.pdtMs[mid]! + tl.durMs[mid]! / 2 < pdtMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Copies a content segment without the state-carrying tags the emitter decides, and without cue tags unless kept. */
function copyContent(seg: MediaSegment, keepCueTags: boolean): MediaSegment {
  const out: MediaSegment = { duration: seg.duration, uri: seg.uri };
  if (seg.title !== undefined) out.title = seg.title;
  if (seg.byteRange !== undefined) out.byteRange = seg.byteRange;
  if (seg.gap) out.gap = true;
  if (seg.bitrate !== undefined) out.bitrate = seg.bitrate;
  if (seg.extra !== undefined) out.extra = seg.extra;
  if (seg.asset !== undefined) out.asset = seg.asset;
  if (seg.dateRanges !== undefined) {
    const kept = keepCueTags ? seg.dateRanges : seg.dateRanges.filter((d) => !isCueDateRange(d));
    if (kept.length > 0) out.dateRanges = kept;
  }
  if (keepCueTags) {
    if (seg.cueOut !== undefined) out.cueOut = seg.cueOut;
    if (seg.cueOutCont !== undefined) out.cueOutCont = seg.cueOutCont;
    if (seg.cueIn) out.cueIn = true;
    if (seg.oatclsScte35 !== undefined) out.oatclsScte35 = seg.oatclsScte35;
    if (seg.splicePointScte35 !== undefined) out.splicePointScte35 = seg.splicePointScte35;
  }
  return out;
}

/** Everything the walker needs. */
export interface WalkInput {
  content: MediaPlaylist;
  tl: Timeline;
  /** Decisions that replace or insert, sorted by start, not overlapping. */
  placed: readonly PlacedDecision[];
  options: StitchCommonOptions;
  /** VOD: a continuous synthesised PDT timeline from this epoch; live: undefined (origin PDT is used). */
  vodPdtBaseMs?: number;
  /** Live: the window bounds; VOD: undefined (everything is visible). */
  visibility?: Visibility;
  /** Output MSN of content index 0 (VOD: the content's; live: computed by the sequencer). */
  contentOutMsn(index: number): number;
}

/**
 * Walks the content and the placed decisions in timeline order and writes the output segments.
 * Plan segments are taken whole in VOD and, in a live window, only those that end inside the
 * window's wall-clock span (so an ad segment never appears before the content it replaces has
 * been published, and slides out when that content does).
 */
export function walkStitched(input: WalkInput): WalkResult {
  const { content, tl, placed, options, visibility } = input;
  const keepCueTags = options.keepCueTags ?? false;
  const adDateRanges = options.adDateRanges ?? true;
  const picker = new RenditionPicker(options.rendition);
  const fillers = new Map((options.fillers ?? []).map((f) => [f.id, f]));
  const em = new Emitter();
  const n = content.segments.length;
  let result: WalkResult['first'];
  let outMs = 0; // VOD: output offset for the synthesised PDT
  let p = 0;
  let prevWasPlan = false;
  let i = 0;
  let maxRoundedPlanDuration = 0;
  let planVersion = 0;
  // Only content under an IV-less AES-128 key pays for this (RFC 8216 §5.2, see finishPlaylist).
  const contentIndex: number[] | undefined = tl.implicitIv ? [] : undefined;

  const emitPlan = (pd: PlacedDecision): void => {
    const d = pd.decision;
    const layout = pd.layout;
    const pdtBase = input.vodPdtBaseMs !== undefined ? input.vodPdtBaseMs + outMs : (d.startPdtMs ?? NaN);
    let from = 0;
    let to = layout.count;
    if (visibility !== undefined && d.startPdtMs !== undefined) {
      from = layout.firstEndingAfter(visibility.fromPdtMs - d.startPdtMs);
      to = Math.min(layout.count, layout.firstEndingAfter(visibility.toPdtMs - d.startPdtMs));
    }
    const pod = options.pods?.[d.id];
    let lastAd = -1;
    const outStart = pd.outStartMsn ?? 0;
    for (let k = from; k < to; k++) {
      const seg = layout.segment(k);
      let assets: readonly AdAssetRendition[] | undefined;
      let liveFiller = false;
      if (seg.source === 'ad') {
        const ad = d.ads[seg.runItem]!;
        const creative = pod?.ads.find((a) => a.adId === ad.adId);
        assets = creative?.renditions;
      } else {
        const filler = fillers.get(d.filler!.id);
        assets = filler?.renditions;
        liveFiller = filler?.live === true && visibility !== undefined;
      }
      const chosen = assets === undefined ? undefined : picker.pick(assets);
      if (chosen === undefined) {
        throw new ManifestError(
          'INVALID_OPTIONS',
          `break ${d.id}: no ${options.rendition.kind ?? 'video'} rendition for ${seg.source === 'ad' ? `ad ${d.ads[seg.runItem]!.adId}` : `filler ${d.filler?.id}`}`,
        );
      }
      const pdt = pdtBase + seg.startMs;
      const srcIndex = liveFiller
        ? segmentAtPdt(chosen, pdt, d.id)
        : Math.min(seg.segIndex, chosen.r.playlist.segments.length - 1);
      const src = chosen.r.playlist.segments[srcIndex]!;
      const uri = withParam(chosen.abs[srcIndex]!, `${STITCH_SEGMENT_PARAM}=${encodeURIComponent(d.id)}.${k}`);
      const out: MediaSegment = { duration: seg.durMs / 1000, uri };
      if (src.byteRange !== undefined) out.byteRange = src.byteRange;
      const segMap = chosen.maps[srcIndex];
      const keys = keysWithOwnIv(chosen, srcIndex);
      if (adDateRanges && seg.source === 'ad' && seg.runItem !== lastAd) {
        lastAd = seg.runItem;
        out.dateRanges = [adDateRange(d, layout, seg, outStart, pdtBase, pod)];
      }
      if (result === undefined) result = { kind: 'plan', placed: pd, seg };
      em.decide(keys, segMap, pdt, seg.runStart || k === from, false);
      em.out.push(em.apply(out));
      contentIndex?.push(-1);
      const rounded = Math.round(out.duration);
      if (rounded > maxRoundedPlanDuration) maxRoundedPlanDuration = rounded;
      if (out.map !== undefined) planVersion = 6;
      else if (
        planVersion < 5 &&
        keys.some((key) => key.keyFormat !== undefined || key.keyFormatVersions !== undefined)
      )
        planVersion = 5;
      // RFC 8216 §7: the IV attribute needs protocol version 2.
      else if (planVersion < 2 && keys.some((key) => key.iv !== undefined)) planVersion = 2;
      outMs += seg.durMs;
      prevWasPlan = true;
    }
  };

  while (i < n || p < placed.length) {
    const pd = placed[p];
    if (pd !== undefined && pd.startIndex <= i) {
      emitPlan(pd);
      i = Math.max(i, Math.min(pd.endIndex, n));
      p++;
      continue;
    }
    if (i >= n) break;
    const seg = content.segments[i]!;
    // Fast path: most content segments carry no tags and change nothing in force; they are shared as they are.
    if (!prevWasPlan && isPlain(seg) && em.steady(tl.keys[i]!, tl.maps[i])) {
      em.out.push(seg);
      contentIndex?.push(i);
      outMs += tl.durMs[i]!;
      i++;
      continue;
    }
    const pdt = input.vodPdtBaseMs !== undefined ? input.vodPdtBaseMs + outMs : tl.pdtMs[i]!;
    const disc = seg.discontinuity === true || prevWasPlan;
    if (result === undefined) result = { kind: 'content', index: i };
    // Live content keeps the origin's PDT (replacements fill breaks exactly), so its text is reused as written.
    const pdtText =
      input.vodPdtBaseMs === undefined && seg.programDateTime !== undefined ? seg.programDateTime : undefined;
    em.decide(tl.keys[i]!, tl.maps[i], pdt, disc, seg.programDateTime !== undefined, pdtText);
    // Output segments share unchanged content segments with the input (inputs are never modified).
    em.out.push(
      em.matches(seg) && seg.parts === undefined && (keepCueTags || !hasCueTags(seg))
        ? seg
        : em.apply(copyContent(seg, keepCueTags)),
    );
    contentIndex?.push(i);
    outMs += tl.durMs[i]!;
    prevWasPlan = false;
    i++;
  }
  const walked: WalkResult = { segments: em.out, first: result, maxRoundedPlanDuration, planVersion };
  if (contentIndex !== undefined) walked.implicitIv = { tl, contentIndex };
  return walked;
}

/** True when a key line is of the identity KEYFORMAT (the one RFC 8216 §5.2's implicit IV belongs to). */
function isIdentityFormat(key: Key): boolean {
  return key.keyFormat === undefined || key.keyFormat === 'identity';
}

/**
 * RFC 8216 §5.2: without an IV attribute, "the Media Sequence Number is to be used as the IV" —
 * the origin's MSN, which the content was encrypted with. Stitching renumbers content after every
 * break (and a live session's deltas renumber whole windows), so every content segment whose
 * output MSN differs from its origin MSN gets the keys in force re-emitted with an explicit IV of
 * its origin MSN; RFC 8216 §4.3.2.4: an IV applies to every segment until the next EXT-X-KEY, so
 * it is written on each such segment, and the first unshifted segment after one gets the IV-less
 * key line back. Replaces `segments` entries (never modifies them, as they may be the input's).
 */
function writeImplicitIvs(
  segments: MediaSegment[],
  fix: NonNullable<WalkResult['implicitIv']>,
  mediaSequence: number,
): boolean {
  const { tl, contentIndex } = fix;
  let written = false;
  /** True while an IV this function wrote is in force for the identity KEYFORMAT. */
  let carried = false;
  let cachedKeys: readonly Key[] | undefined;
  let cachedNeeds = false;
  for (let j = 0; j < segments.length; j++) {
    const seg = segments[j]!;
    const i = contentIndex[j]!;
    if (i < 0) {
      // A replacement segment's own key line (METHOD=NONE or the ad's key) ends the written IV.
      if (seg.keys !== undefined && seg.keys.some(isIdentityFormat)) carried = false;
      continue;
    }
    const inForce = tl.keys[i]!;
    if (inForce !== cachedKeys) {
      cachedKeys = inForce;
      cachedNeeds = inForce.some(usesImplicitIv);
    }
    const originMsn = tl.firstMsn + i;
    if (cachedNeeds && mediaSequence + j !== originMsn) {
      const iv = ivForMediaSequence(originMsn);
      segments[j] = { ...seg, keys: inForce.map((k) => (usesImplicitIv(k) ? { ...k, iv } : k)) };
      carried = true;
      written = true;
    } else if (seg.keys !== undefined && seg.keys.some(isIdentityFormat)) {
      carried = false;
    } else if (carried) {
      // Back to the implicit IV (e.g. a break whose replacement had as many segments as it replaced).
      segments[j] = { ...seg, keys: [...inForce] };
      carried = false;
    }
  }
  return written;
}

/** Ad DATERANGEs are identical on every reload of every rendition, so they are built once (bounded cache). */
const dateRangeCache = new Map<string, DateRange>();
const DATERANGE_CACHE_MAX = 4096;

/** The per-ad DATERANGE: MediaTailor-style id (output MSN of the avail's first ad segment, then the ad's number) and SVA creative signalling. */
function adDateRange(
  d: BreakDecision,
  layout: PlanLayout,
  seg: PlanSegment,
  outStartMsn: number,
  pdtBase: number,
  pod: AdPod | undefined,
): DateRange {
  const ad = d.ads[seg.runItem]!;
  const key = `${d.id}\u0000${outStartMsn}\u0000${seg.runItem}\u0000${pdtBase}\u0000${ad.adId}`;
  const hit = dateRangeCache.get(key);
  if (hit !== undefined) return hit;
  // The ad's first segment in the layout, whatever segment of it is first in this window.
  const adStart = layout.segment(seg.index - seg.segIndex);
  let durMs = 0;
  for (let k = seg.index - seg.segIndex; k < layout.adCount; k++) {
    const s = layout.segment(k);
    if (s.runItem !== seg.runItem) break;
    durMs += s.durMs;
  }
  const creative = pod?.ads.find((a) => a.adId === ad.adId);
  const id = `${outStartMsn}-${seg.runItem + 1}`;
  const signalling = {
    version: 1,
    identifiers: [
      {
        scheme: CREATIVE_ID_SCHEME,
        value: creative?.creativeId ?? '',
        ad_position: id,
        ad_type: 'avail',
      },
    ],
  };
  const range: DateRange = {
    id,
    class: AD_CREATIVE_DATERANGE_CLASS,
    startDate: formatPdt(pdtBase + adStart.startMs),
    duration: durMs / 1000,
    clientAttributes: { 'X-AD-ID': ad.adId, 'X-AD-CREATIVE-SIGNALING': base64Utf8(JSON.stringify(signalling)) },
  };
  if (dateRangeCache.size >= DATERANGE_CACHE_MAX) dateRangeCache.clear();
  dateRangeCache.set(key, range);
  return range;
}

/**
 * Builds the output media playlist around stitched segments: the content's header, a target
 * duration that covers the replacement segments (content segments already fit the content's) and
 * the EXT-X-VERSION they need.
 */
export function finishPlaylist(
  content: MediaPlaylist,
  walked: WalkResult,
  mediaSequence: number,
  discontinuitySequence: number,
): MediaPlaylist {
  const out: MediaPlaylist = {
    kind: 'media',
    // RFC 8216 §4.3.3.1: every EXTINF, rounded to the nearest integer, must not exceed the target duration.
    targetDuration: Math.max(content.targetDuration, walked.maxRoundedPlanDuration),
    mediaSequence,
    segments: walked.segments,
  };
  if (discontinuitySequence !== 0 || content.discontinuitySequence !== undefined)
    out.discontinuitySequence = discontinuitySequence;
  if (content.version !== undefined) out.version = Math.max(content.version, walked.planVersion);
  if (content.independentSegments) out.independentSegments = true;
  if (content.playlistType !== undefined) out.playlistType = content.playlistType;
  if (content.start !== undefined) out.start = content.start;
  if (content.defines !== undefined) out.defines = content.defines;
  if (content.extra !== undefined) out.extra = content.extra;
  if (content.endList) out.endList = true;
  // RFC 8216 §7: the IV attribute of EXT-X-KEY needs protocol version 2.
  if (
    walked.implicitIv !== undefined &&
    writeImplicitIvs(walked.segments, walked.implicitIv, mediaSequence) &&
    (out.version ?? 1) < 2
  )
    out.version = 2;
  // Keys re-emitted beside a content map must not make a clear init section "encrypted" (see map-order.ts).
  return keepClearMapsClear(out, clearMapUris(content));
}

/** Options of {@link stitchVod}. */
export interface StitchVodOptions extends StitchCommonOptions {
  /** The session's decisions (from planVodSession / decideBreak), shared by every rendition. */
  decisions: readonly BreakDecision[];
  /**
   * Epoch (ms) of the synthesised PROGRAM-DATE-TIME timeline when the content carries none.
   * Default 0 (1970-01-01T00:00:00Z, as MediaTailor does for VOD).
   */
  sessionEpochMs?: number;
}

/** Places VOD decisions on the content by MSN (sorted; insertions before replacements at the same MSN). */
export function placeDecisions(tl: Timeline, decisions: readonly BreakDecision[], n: number): PlacedDecision[] {
  const placed: PlacedDecision[] = [];
  for (const d of decisions) {
    if (d.fill === 'content') continue;
    const startIndex = d.startMsn - tl.firstMsn;
    if (startIndex < 0 || startIndex > n) continue;
    const endIndex = d.insert ? startIndex : d.endMsn !== undefined ? d.endMsn - tl.firstMsn : n;
    const target = d.insert
      ? d.plannedMs
      : (d.contentMs ?? (endIndex < n ? tl.startMs[endIndex]! : tl.totalMs) - tl.startMs[startIndex]!);
    placed.push({ decision: d, layout: new PlanLayout(d, target), startIndex, endIndex });
  }
  placed.sort((a, b) => a.startIndex - b.startIndex || (a.decision.insert ? -1 : 1) - (b.decision.insert ? -1 : 1));
  for (let k = 1; k < placed.length; k++) {
    if (placed[k]!.startIndex < placed[k - 1]!.endIndex) {
      throw new ManifestError(
        'INVALID_OPTIONS',
        `decisions ${placed[k - 1]!.decision.id} and ${placed[k]!.decision.id} overlap`,
      );
    }
  }
  return placed;
}

/**
 * Stitches a VOD media playlist: ads inserted at insertion breaks, ads (plus slate) over replaced
 * content, blackout filler over blacked-out ranges; one rendition at a time, with the same
 * decisions for every rendition (video and demuxed audio get the same discontinuities at the same
 * boundaries). The output carries a continuous PROGRAM-DATE-TIME timeline (the content's own when
 * it has one, else from `sessionEpochMs`) so the per-ad DATERANGEs have dates. The output shares
 * unchanged content segment objects (and cached ad DATERANGEs) with the input: like every function
 * of this package it never modifies them, and callers must not either.
 *
 * @example
 * const decisions = planVodSession(breaks, pods, { slate });
 * const out = stitchVod(video720, { decisions, pods, fillers: [slate], rendition: { bandwidthBps: 3e6 } });
 */
export function stitchVod(content: MediaPlaylist, options: StitchVodOptions): MediaPlaylist {
  const tl = timelineOf(content);
  const n = content.segments.length;
  const placed = placeDecisions(tl, options.decisions, n);
  const base = tl.hasPdt ? tl.pdtMs[0]! : (options.sessionEpochMs ?? 0);
  const firstMsn = tl.firstMsn;
  let outMsn = firstMsn;
  for (const pd of placed) {
    pd.outStartMsn = outMsn + pd.startIndex;
    outMsn += pd.layout.count - (Math.min(pd.endIndex, n) - pd.startIndex);
  }
  const walked = walkStitched({
    content,
    tl,
    placed,
    options,
    vodPdtBaseMs: base,
    contentOutMsn: (index) => firstMsn + index,
  });
  return finishPlaylist(content, walked, firstMsn, content.discontinuitySequence ?? 0);
}

/** Options of {@link planVodSession}. */
export interface PlanVodSessionOptions extends DecideBreakOptions {
  /** Blackout decisions (from planVodBlackouts) that win over ad breaks they overlap. Default none. */
  blackouts?: readonly BreakDecision[];
}

/**
 * Decides every break of a VOD session once (the same decisions then serve every rendition and the
 * tracking timeline). Breaks without a pod get slate or keep their content, per the threshold; a
 * break that overlaps an earlier one, or a blackout, is left out (blackout wins).
 *
 * @example
 * const decisions = planVodSession(breaks, { 'vod-pre': pod }, { slate, personalizationThresholdSeconds: 5 });
 */
export function planVodSession(
  breaks: readonly Break[],
  pods: Readonly<Record<string, AdPod | undefined>>,
  options: PlanVodSessionOptions = {},
): BreakDecision[] {
  const blackouts = options.blackouts ?? [];
  const out: BreakDecision[] = [...blackouts];
  const sorted = [...breaks].sort((a, b) => a.startMsn - b.startMsn);
  let lastEnd = -Infinity;
  for (const brk of sorted) {
    const end = brk.startMsn + (brk.contentSegmentCount ?? 0);
    const overlapsBlackout = blackouts.some(
      (b) =>
        brk.startMsn < (b.endMsn ?? Infinity) &&
        (brk.insert ? brk.startMsn >= b.startMsn : end > b.startMsn) &&
        !(brk.insert && brk.startMsn === b.startMsn),
    );
    if (overlapsBlackout || brk.startMsn < lastEnd) continue;
    out.push(decideBreak(brk, pods[brk.id], options));
    lastEnd = Math.max(lastEnd, end);
  }
  return out.sort((a, b) => a.startMsn - b.startMsn);
}

const REPLACEMENT_MARK = new RegExp(`[?&]${STITCH_SEGMENT_PARAM}=`);

/**
 * True for a segment the stitcher put in place of content (ad, slate, alternate): its URI carries
 * the `mbk` parameter. Pass it as render's `applyKeySignalling(…, { isClear })` when keys come from
 * DRM configuration rather than from the origin's EXT-X-KEY lines.
 */
export function isReplacementSegment(segment: MediaSegment): boolean {
  return REPLACEMENT_MARK.test(segment.uri);
}
