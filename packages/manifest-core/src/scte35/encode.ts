/** @module encodeScte35: build splice_info_section bytes (splice_insert, time_signal, segmentation descriptors …) with a correct CRC-32. */
import { ManifestError } from '../errors.ts';
import { BitWriter, crc32Mpeg2 } from './bytes.ts';
import { SUB_SEGMENT_TYPES } from './tables.ts';

/** A splice_time to encode; a PTS in 90 kHz ticks, or none for "time not specified". */
export interface SpliceTimeInput {
  ptsTimeTicks?: number;
}

/** A break_duration to encode. */
export interface BreakDurationInput {
  /** Default false. */
  autoReturn?: boolean;
  durationTicks: number;
}

/** splice_insert fields; derived flags (duration_flag) follow from what is given. */
export interface SpliceInsertInput {
  type: 'spliceInsert';
  spliceEventId: number;
  /** Default false; when true nothing else is written. */
  spliceEventCancelIndicator?: boolean;
  /** true = out (break start), false = in. Default false. */
  outOfNetworkIndicator?: boolean;
  /** Default true (program mode); false uses `components`. */
  programSpliceFlag?: boolean;
  /** Default false; when true no splice_time is written. */
  spliceImmediateFlag?: boolean;
  /** Default true (SCTE 35 2020+: the id follows §9.9.3 uniqueness rules; older senders wrote a reserved '1'). */
  eventIdComplianceFlag?: boolean;
  spliceTime?: SpliceTimeInput;
  components?: { componentTag: number; spliceTime?: SpliceTimeInput }[];
  breakDuration?: BreakDurationInput;
  /** Default 0. */
  uniqueProgramId?: number;
  /** Default 0. */
  availNum?: number;
  /** Default 0. */
  availsExpected?: number;
}

/** time_signal fields. */
export interface TimeSignalInput {
  type: 'timeSignal';
  spliceTime?: SpliceTimeInput;
}

/** One splice_schedule event to encode. */
export interface SpliceScheduleEventInput {
  spliceEventId: number;
  spliceEventCancelIndicator?: boolean;
  outOfNetworkIndicator?: boolean;
  /** Default true. */
  programSpliceFlag?: boolean;
  utcSpliceTime?: number;
  components?: { componentTag: number; utcSpliceTime: number }[];
  breakDuration?: BreakDurationInput;
  uniqueProgramId?: number;
  availNum?: number;
  availsExpected?: number;
}

/** Any command the encoder writes. */
export type SpliceCommandInput =
  | SpliceInsertInput
  | TimeSignalInput
  | { type: 'spliceNull' }
  | { type: 'bandwidthReservation' }
  | { type: 'spliceSchedule'; events: SpliceScheduleEventInput[] }
  | { type: 'privateCommand'; identifier: number; privateBytes: Uint8Array };

/** A segmentation UPID to encode: raw `bytes`, or `value` as ASCII text or `0x…` hex. */
export interface SegmentationUpidInput {
  upidType: number;
  bytes?: Uint8Array;
  value?: string;
}

/** segmentation_descriptor fields; flags that follow from presence (duration) are derived. */
export interface SegmentationDescriptorInput {
  type: 'segmentation';
  /** Default 'CUEI'. */
  identifier?: string;
  segmentationEventId: number;
  segmentationEventCancelIndicator?: boolean;
  /** Default true. */
  segmentationEventIdComplianceIndicator?: boolean;
  /** Default true; false uses `components`. */
  programSegmentationFlag?: boolean;
  /** Default: true unless one of the four restriction fields is given. */
  deliveryNotRestrictedFlag?: boolean;
  /** Default true when restricted. */
  webDeliveryAllowedFlag?: boolean;
  /** Default true when restricted. */
  noRegionalBlackoutFlag?: boolean;
  /** Default true when restricted. */
  archiveAllowedFlag?: boolean;
  /** Default 3 (no device restriction) when restricted. */
  deviceRestrictions?: number;
  components?: { componentTag: number; ptsOffsetTicks: number }[];
  /** 40-bit duration in 90 kHz ticks; its presence sets segmentation_duration_flag. */
  segmentationDurationTicks?: number;
  /** Default: type 0 (not used), no bytes. */
  upid?: SegmentationUpidInput;
  /** segmentation_type_id, e.g. 0x34 Provider Placement Opportunity Start. Default 0 (not indicated). */
  segmentationTypeId?: number;
  /** Default 0. */
  segmentNum?: number;
  /** Default 0. */
  segmentsExpected?: number;
  /** Written only for types that allow it (0x34, 0x36, 0x38, 0x3A, 0x44, 0x46). */
  subSegmentNum?: number;
  subSegmentsExpected?: number;
}

/** Any descriptor the encoder writes. */
export type SpliceDescriptorInput =
  | SegmentationDescriptorInput
  | { type: 'avail'; identifier?: string; providerAvailId: number }
  | { type: 'dtmf'; identifier?: string; preroll: number; dtmfChars: string }
  | { type: 'time'; identifier?: string; taiSeconds: number; taiNs: number; utcOffset: number }
  | { type: 'unknown'; tag: number; identifier?: string; data: Uint8Array };

/** What {@link encodeScte35} needs; a decoded SpliceInfoSection (of an encodable command) fits too. */
export interface EncodeScte35Input {
  /** Default 0. */
  protocolVersion?: number;
  /** Default 3 (not specified). */
  sapType?: number;
  /** Default 0. */
  ptsAdjustmentTicks?: number;
  /** Default 0xFF. */
  cwIndex?: number;
  /** Default 0xFFF (no tier restriction). */
  tier?: number;
  spliceCommand: SpliceCommandInput;
  descriptors?: SpliceDescriptorInput[];
}

const COMMAND_TYPE: Record<SpliceCommandInput['type'], number> = {
  spliceNull: 0x00,
  spliceSchedule: 0x04,
  spliceInsert: 0x05,
  timeSignal: 0x06,
  bandwidthReservation: 0x07,
  privateCommand: 0xff,
};

function checkUint(value: number | undefined, bits: number, name: string, fallback = 0): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
    throw new ManifestError('SCTE35_INVALID', `${name} must be an integer in [0, 2^${bits}), got ${String(value)}`);
  }
  return v;
}

function identifierBytes(identifier: string | undefined): Uint8Array {
  const id = identifier ?? 'CUEI';
  if (id.length !== 4 || [...id].some((c) => c.charCodeAt(0) > 0xff)) {
    throw new ManifestError(
      'SCTE35_INVALID',
      `descriptor identifier must be 4 Latin-1 characters, got ${JSON.stringify(id)}`,
    );
  }
  return Uint8Array.from(id, (c) => c.charCodeAt(0));
}

function upidBytes(upid: SegmentationUpidInput): Uint8Array {
  if (upid.bytes !== undefined) return upid.bytes;
  const value = upid.value ?? '';
  if (/^0x([0-9a-f]{2})*$/i.test(value)) {
    const hex = value.slice(2);
    return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  }
  if (/[^\u0020-\u007e]/.test(value))
    throw new ManifestError('SCTE35_INVALID', 'UPID value must be printable ASCII or 0x hex');
  return Uint8Array.from(value, (c) => c.charCodeAt(0));
}

function writeSpliceTime(w: BitWriter, t: SpliceTimeInput | undefined): void {
  if (t?.ptsTimeTicks === undefined) {
    w.flag(false);
    w.reserved(7);
    return;
  }
  w.flag(true);
  w.reserved(6);
  w.bits(33, checkUint(t.ptsTimeTicks, 33, 'pts_time'));
}

function writeBreakDuration(w: BitWriter, d: BreakDurationInput): void {
  w.flag(d.autoReturn);
  w.reserved(6);
  w.bits(33, checkUint(d.durationTicks, 33, 'break_duration'));
}

function writeCommand(w: BitWriter, cmd: SpliceCommandInput): void {
  switch (cmd.type) {
    case 'spliceNull':
    case 'bandwidthReservation':
      return;
    case 'timeSignal':
      writeSpliceTime(w, cmd.spliceTime);
      return;
    case 'privateCommand':
      w.bits(32, checkUint(cmd.identifier, 32, 'private_command identifier'));
      w.bytes(cmd.privateBytes);
      return;
    case 'spliceSchedule':
      w.bits(8, checkUint(cmd.events.length, 8, 'splice_count'));
      for (const e of cmd.events) {
        w.bits(32, checkUint(e.spliceEventId, 32, 'splice_event_id'));
        w.flag(e.spliceEventCancelIndicator);
        w.reserved(7);
        if (e.spliceEventCancelIndicator) continue;
        const program = e.programSpliceFlag ?? true;
        w.flag(e.outOfNetworkIndicator);
        w.flag(program);
        w.flag(e.breakDuration !== undefined);
        w.reserved(5);
        if (program) {
          w.bits(32, checkUint(e.utcSpliceTime, 32, 'utc_splice_time'));
        } else {
          const comps = e.components ?? [];
          w.bits(8, checkUint(comps.length, 8, 'component_count'));
          for (const c of comps) {
            w.bits(8, checkUint(c.componentTag, 8, 'component_tag'));
            w.bits(32, checkUint(c.utcSpliceTime, 32, 'utc_splice_time'));
          }
        }
        if (e.breakDuration) writeBreakDuration(w, e.breakDuration);
        w.bits(16, checkUint(e.uniqueProgramId, 16, 'unique_program_id'));
        w.bits(8, checkUint(e.availNum, 8, 'avail_num'));
        w.bits(8, checkUint(e.availsExpected, 8, 'avails_expected'));
      }
      return;
    case 'spliceInsert': {
      w.bits(32, checkUint(cmd.spliceEventId, 32, 'splice_event_id'));
      w.flag(cmd.spliceEventCancelIndicator);
      w.reserved(7);
      if (cmd.spliceEventCancelIndicator) return;
      const program = cmd.programSpliceFlag ?? true;
      const immediate = cmd.spliceImmediateFlag ?? false;
      w.flag(cmd.outOfNetworkIndicator);
      w.flag(program);
      w.flag(cmd.breakDuration !== undefined);
      w.flag(immediate);
      w.flag(cmd.eventIdComplianceFlag ?? true);
      w.reserved(3);
      if (program) {
        if (!immediate) writeSpliceTime(w, cmd.spliceTime);
      } else {
        const comps = cmd.components ?? [];
        w.bits(8, checkUint(comps.length, 8, 'component_count'));
        for (const c of comps) {
          w.bits(8, checkUint(c.componentTag, 8, 'component_tag'));
          if (!immediate) writeSpliceTime(w, c.spliceTime);
        }
      }
      if (cmd.breakDuration) writeBreakDuration(w, cmd.breakDuration);
      w.bits(16, checkUint(cmd.uniqueProgramId, 16, 'unique_program_id'));
      w.bits(8, checkUint(cmd.availNum, 8, 'avail_num'));
      w.bits(8, checkUint(cmd.availsExpected, 8, 'avails_expected'));
      return;
    }
  }
}

function writeSegmentation(w: BitWriter, d: SegmentationDescriptorInput): void {
  w.bits(32, checkUint(d.segmentationEventId, 32, 'segmentation_event_id'));
  w.flag(d.segmentationEventCancelIndicator);
  w.flag(d.segmentationEventIdComplianceIndicator ?? true);
  w.reserved(6);
  if (d.segmentationEventCancelIndicator) return;
  const program = d.programSegmentationFlag ?? true;
  const restricted =
    d.deliveryNotRestrictedFlag === undefined
      ? d.webDeliveryAllowedFlag !== undefined ||
        d.noRegionalBlackoutFlag !== undefined ||
        d.archiveAllowedFlag !== undefined ||
        d.deviceRestrictions !== undefined
      : !d.deliveryNotRestrictedFlag;
  w.flag(program);
  w.flag(d.segmentationDurationTicks !== undefined);
  w.flag(!restricted);
  if (restricted) {
    w.flag(d.webDeliveryAllowedFlag ?? true);
    w.flag(d.noRegionalBlackoutFlag ?? true);
    w.flag(d.archiveAllowedFlag ?? true);
    w.bits(2, checkUint(d.deviceRestrictions, 2, 'device_restrictions', 3));
  } else {
    w.reserved(5);
  }
  if (!program) {
    const comps = d.components ?? [];
    w.bits(8, checkUint(comps.length, 8, 'component_count'));
    for (const c of comps) {
      w.bits(8, checkUint(c.componentTag, 8, 'component_tag'));
      w.reserved(7);
      w.bits(33, checkUint(c.ptsOffsetTicks, 33, 'pts_offset'));
    }
  }
  if (d.segmentationDurationTicks !== undefined) {
    w.bits(40, checkUint(d.segmentationDurationTicks, 40, 'segmentation_duration'));
  }
  const upid = d.upid ?? { upidType: 0, bytes: new Uint8Array(0) };
  const bytes = upidBytes(upid);
  w.bits(8, checkUint(upid.upidType, 8, 'segmentation_upid_type'));
  w.bits(8, checkUint(bytes.length, 8, 'segmentation_upid_length'));
  w.bytes(bytes);
  const typeId = checkUint(d.segmentationTypeId, 8, 'segmentation_type_id');
  w.bits(8, typeId);
  w.bits(8, checkUint(d.segmentNum, 8, 'segment_num'));
  w.bits(8, checkUint(d.segmentsExpected, 8, 'segments_expected'));
  if (SUB_SEGMENT_TYPES.has(typeId) && (d.subSegmentNum !== undefined || d.subSegmentsExpected !== undefined)) {
    w.bits(8, checkUint(d.subSegmentNum, 8, 'sub_segment_num'));
    w.bits(8, checkUint(d.subSegmentsExpected, 8, 'sub_segments_expected'));
  }
}

function writeDescriptor(w: BitWriter, d: SpliceDescriptorInput): void {
  const tag =
    d.type === 'segmentation'
      ? 0x02
      : d.type === 'avail'
        ? 0x00
        : d.type === 'dtmf'
          ? 0x01
          : d.type === 'time'
            ? 0x03
            : d.tag;
  const inner = new BitWriter();
  inner.bytes(identifierBytes(d.identifier));
  switch (d.type) {
    case 'segmentation':
      writeSegmentation(inner, d);
      break;
    case 'avail':
      inner.bits(32, checkUint(d.providerAvailId, 32, 'provider_avail_id'));
      break;
    case 'dtmf':
      inner.bits(8, checkUint(d.preroll, 8, 'preroll'));
      inner.bits(3, checkUint(d.dtmfChars.length, 3, 'dtmf_count'));
      inner.reserved(5);
      inner.bytes(Uint8Array.from(d.dtmfChars, (c) => c.charCodeAt(0) & 0xff));
      break;
    case 'time':
      inner.bits(48, checkUint(d.taiSeconds, 48, 'TAI_seconds'));
      inner.bits(32, checkUint(d.taiNs, 32, 'TAI_ns'));
      inner.bits(16, checkUint(d.utcOffset, 16, 'UTC_offset'));
      break;
    case 'unknown':
      inner.bytes(d.data);
      break;
  }
  const body = inner.finish();
  w.bits(8, checkUint(tag, 8, 'splice_descriptor_tag'));
  w.bits(8, checkUint(body.length, 8, 'descriptor_length'));
  w.bytes(body);
}

/**
 * Encodes a splice_info_section (unencrypted) with a correct MPEG-2 CRC-32.
 *
 * @example
 * const bytes = encodeScte35({
 *   spliceCommand: { type: 'spliceInsert', spliceEventId: 1, outOfNetworkIndicator: true,
 *     spliceTime: { ptsTimeTicks: 900_000 }, breakDuration: { autoReturn: true, durationTicks: 30 * 90_000 } },
 * });
 * formatScte35Hex(bytes); // '0xFC30…' for a DATERANGE SCTE35-OUT
 *
 * Throws ManifestError SCTE35_INVALID when a field does not fit its bit width or the section exceeds 4093 bytes.
 */
export function encodeScte35(section: EncodeScte35Input): Uint8Array {
  const cmdType = COMMAND_TYPE[section.spliceCommand.type as SpliceCommandInput['type']];
  if (cmdType === undefined) {
    throw new ManifestError('SCTE35_INVALID', `cannot encode splice command ${String(section.spliceCommand.type)}`);
  }
  const cmd = new BitWriter();
  writeCommand(cmd, section.spliceCommand);
  const cmdBytes = cmd.finish();
  const loop = new BitWriter();
  for (const d of section.descriptors ?? []) writeDescriptor(loop, d);
  const loopBytes = loop.finish();

  const w = new BitWriter();
  w.bits(8, 0xfc);
  w.flag(false); // section_syntax_indicator: '0' (SCTE 35 §9.6.1)
  w.flag(false); // private_indicator: '0'
  w.bits(2, checkUint(section.sapType, 2, 'sap_type', 3));
  w.bits(12, 0); // section_length, patched below
  w.bits(8, checkUint(section.protocolVersion, 8, 'protocol_version'));
  w.flag(false); // encrypted_packet
  w.bits(6, 0); // encryption_algorithm
  w.bits(33, checkUint(section.ptsAdjustmentTicks, 33, 'pts_adjustment'));
  w.bits(8, checkUint(section.cwIndex, 8, 'cw_index', 0xff));
  w.bits(12, checkUint(section.tier, 12, 'tier', 0xfff));
  w.bits(12, checkUint(cmdBytes.length, 12, 'splice_command_length'));
  w.bits(8, cmdType);
  w.bytes(cmdBytes);
  w.bits(16, checkUint(loopBytes.length, 16, 'descriptor_loop_length'));
  w.bytes(loopBytes);
  const sectionLength = w.length + 4 - 3;
  w.patch(1, 4, 12, checkUint(sectionLength, 12, 'section_length'));
  const body = w.finish();
  const crc = crc32Mpeg2(body);
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc);
  return out;
}
