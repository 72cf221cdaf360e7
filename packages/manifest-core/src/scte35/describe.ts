/** @module describeScte35Break: reduce a decoded section to the out/in/none view that SSAI and blackout logic act on. */
import { ticksToSeconds } from './decode.ts';
import type { SegmentationDescriptor, SpliceInfoSection, SpliceTime } from './types.ts';

/**
 * segmentation_type_ids that open something a splicer acts on: a program (blackouts), a break, an ad,
 * a placement opportunity, an unscheduled event, alternate content or an ad block (SCTE 35 Table 22).
 */
export const SEGMENTATION_OUT_TYPES: ReadonlySet<number> = new Set([
  0x10, 0x17, 0x19, 0x22, 0x30, 0x32, 0x34, 0x36, 0x38, 0x3a, 0x40, 0x42, 0x44, 0x46,
]);

/** The matching ends (0x12 Program Early Termination also ends a program). */
export const SEGMENTATION_IN_TYPES: ReadonlySet<number> = new Set([
  0x11, 0x12, 0x23, 0x31, 0x33, 0x35, 0x37, 0x39, 0x3b, 0x41, 0x43, 0x45, 0x47,
]);

/** The normalised meaning of one SCTE-35 cue, as SSAI and blackout code use it. */
export interface Scte35Break {
  /** 'out' leaves the network (break/opportunity/program starts), 'in' returns, 'none' neither. */
  kind: 'out' | 'in' | 'none';
  /** splice_event_id (splice_insert) or segmentation_event_id (segmentation descriptor); 0 when neither exists. */
  eventId: number;
  /** The event cancels an earlier one with the same id (kind is then 'none'). */
  cancelled?: boolean;
  /** break_duration or segmentation_duration, in seconds. */
  durationSeconds?: number;
  /** break_duration auto_return (splice_insert only). */
  autoReturn?: boolean;
  /** The splice PTS with pts_adjustment applied (mod 2^33), in seconds; absent for immediate splices. */
  ptsSeconds?: number;
  /** The segmentation_type_id that decided `kind`. */
  segmentationTypeId?: number;
  segmentationTypeName?: string;
  /** Delivery restrictions of the segmentation descriptor; undefined when delivery is not restricted. */
  noRegionalBlackout?: boolean;
  webDeliveryAllowed?: boolean;
  archiveAllowed?: boolean;
  /** 0–2 restrict a device group, 3 = none (SCTE 35 Table 20). */
  deviceRestrictions?: number;
  /** Readable UPID (text, or 0x hex), e.g. an ADI or AiringID. */
  upid?: string;
  upidType?: number;
  segmentNum?: number;
  segmentsExpected?: number;
  /** splice_insert avail_num / avails_expected. */
  availNum?: number;
  availsExpected?: number;
}

const PTS_WRAP_TICKS = 2 ** 33;

function adjustedPtsSeconds(section: SpliceInfoSection, time: SpliceTime | undefined): number | undefined {
  if (time?.ptsTimeTicks === undefined) return undefined;
  // SCTE 35 §9.6.1: pts_adjustment is added to every pts_time, modulo 2^33.
  return ticksToSeconds((time.ptsTimeTicks + section.ptsAdjustmentTicks) % PTS_WRAP_TICKS);
}

function classify(typeId: number | undefined): 'out' | 'in' | 'none' {
  if (typeId === undefined) return 'none';
  if (SEGMENTATION_OUT_TYPES.has(typeId)) return 'out';
  if (SEGMENTATION_IN_TYPES.has(typeId)) return 'in';
  return 'none';
}

function fromSegmentation(base: Scte35Break, d: SegmentationDescriptor, withKind: boolean): Scte35Break {
  const view: Scte35Break = { ...base, kind: withKind ? classify(d.segmentationTypeId) : base.kind };
  view.eventId = d.segmentationEventId;
  if (d.segmentationEventCancelIndicator) {
    view.cancelled = true;
    view.kind = 'none';
    return view;
  }
  if (d.segmentationDurationSeconds !== undefined) view.durationSeconds = d.segmentationDurationSeconds;
  view.segmentationTypeId = d.segmentationTypeId;
  view.segmentationTypeName = d.segmentationTypeName;
  if (d.deliveryNotRestrictedFlag === false) {
    view.noRegionalBlackout = d.noRegionalBlackoutFlag;
    view.webDeliveryAllowed = d.webDeliveryAllowedFlag;
    view.archiveAllowed = d.archiveAllowedFlag;
    view.deviceRestrictions = d.deviceRestrictions;
  }
  if (d.upid && d.upid.upidType !== 0) {
    view.upid = d.upid.value;
    view.upidType = d.upid.upidType;
  }
  view.segmentNum = d.segmentNum;
  view.segmentsExpected = d.segmentsExpected;
  return view;
}

/**
 * Normalises a decoded section: splice_insert decides by out_of_network_indicator; otherwise the first
 * segmentation descriptor whose type starts or ends something decides (the first descriptor of any type
 * still fills the restriction and UPID fields).
 *
 * @example
 * describeScte35Break(decodeScte35(cue)); // { kind: 'out', eventId: 1207959694, durationSeconds: 307, … }
 */
export function describeScte35Break(section: SpliceInfoSection): Scte35Break {
  const cmd = section.spliceCommand;
  const segs = section.descriptors.filter((d): d is SegmentationDescriptor => d.type === 'segmentation');
  if (cmd.type === 'spliceInsert') {
    let view: Scte35Break = { kind: 'none', eventId: cmd.spliceEventId };
    if (cmd.spliceEventCancelIndicator) return { ...view, cancelled: true };
    view.kind = cmd.outOfNetworkIndicator ? 'out' : 'in';
    // Segmentation descriptors on a splice_insert add restrictions and a UPID but do not override the direction.
    const seg = segs.find((d) => !d.segmentationEventCancelIndicator);
    if (seg) view = { ...fromSegmentation(view, seg, false), kind: view.kind, eventId: cmd.spliceEventId };
    if (cmd.breakDuration) {
      view.durationSeconds = cmd.breakDuration.durationSeconds;
      view.autoReturn = cmd.breakDuration.autoReturn;
    }
    const pts = adjustedPtsSeconds(section, cmd.spliceTime ?? cmd.components?.[0]?.spliceTime);
    if (pts !== undefined) view.ptsSeconds = pts;
    view.availNum = cmd.availNum;
    view.availsExpected = cmd.availsExpected;
    return view;
  }
  const pts = cmd.type === 'timeSignal' ? adjustedPtsSeconds(section, cmd.spliceTime) : undefined;
  const base: Scte35Break = { kind: 'none', eventId: 0 };
  if (pts !== undefined) base.ptsSeconds = pts;
  const decisive = segs.find((d) => !d.segmentationEventCancelIndicator && classify(d.segmentationTypeId) !== 'none');
  const chosen = decisive ?? segs[0];
  return chosen ? fromSegmentation(base, chosen, true) : base;
}
