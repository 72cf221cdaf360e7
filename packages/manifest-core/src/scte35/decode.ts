/** @module decodeScte35: splice_info_section bytes (hex, base64 or raw) → the typed model, CRC-checked and bounds-safe. */
import { ManifestError, isManifestError } from '../errors.ts';
import { BitReader, bytesToHex, crc32Mpeg2, isPrintableAscii, latin1, scte35PayloadToBytes } from './bytes.ts';
import { ASCII_UPID_TYPES, SUB_SEGMENT_TYPES, UPID_TYPE_NAMES, segmentationTypeName } from './tables.ts';
import type {
  BreakDuration,
  SegmentationDescriptor,
  SegmentationUpid,
  SpliceCommand,
  SpliceDescriptor,
  SpliceInfoSection,
  SpliceInsertCommand,
  SpliceScheduleEvent,
  SpliceTime,
} from './types.ts';

/** Options for {@link decodeScte35}. */
export interface DecodeScte35Options {
  /** Check CRC_32 and throw SCTE35_BAD_CRC on mismatch. Default true. */
  verifyCrc?: boolean;
}

/** 90 kHz: the MPEG-2 system clock divided by 300, the unit of every SCTE-35 time field. */
export const SCTE35_TICKS_PER_SECOND = 90_000;

/** Converts 90 kHz ticks to seconds. */
export function ticksToSeconds(ticks: number): number {
  return ticks / SCTE35_TICKS_PER_SECOND;
}

/** Bytes before splice_command(): table_id … splice_command_type (SCTE 35 Table 5). */
const HEADER_BYTES = 14;

/**
 * Decodes an SCTE-35 splice_info_section.
 *
 * @example
 * const s = decodeScte35('/DA0AAAAAAAA///wBQb+cr0AUAAeAhxDVUVJSAAAjn/PAAGlmbAICAAAAAAsoKGKNAIAmsnRfg==');
 * s.spliceCommand.type; // 'timeSignal'
 *
 * Throws ManifestError: SCTE35_BAD_ENCODING (not hex/base64), SCTE35_TRUNCATED (fewer bytes than the
 * lengths promise), SCTE35_BAD_CRC, SCTE35_INVALID (table_id ≠ 0xFC or a forbidden value).
 */
export function decodeScte35(input: string | Uint8Array, options: DecodeScte35Options = {}): SpliceInfoSection {
  const bytes = scte35PayloadToBytes(input);
  try {
    return decodeSection(bytes, options.verifyCrc ?? true);
  } catch (error) {
    if (isManifestError(error)) throw error;
    // Defensive: the reader bounds every access, so this is a bug, but callers still get a typed error.
    throw new ManifestError('SCTE35_INVALID', 'SCTE-35 section could not be decoded', { cause: error });
  }
}

function decodeSection(bytes: Uint8Array, verifyCrc: boolean): SpliceInfoSection {
  if (bytes.length < 3) throw new ManifestError('SCTE35_TRUNCATED', 'SCTE-35 section shorter than its header');
  const head = new BitReader(bytes, 0, 3);
  const tableId = head.bits(8);
  if (tableId !== 0xfc) {
    throw new ManifestError('SCTE35_INVALID', `SCTE-35 table_id is 0x${tableId.toString(16)}, expected 0xFC`);
  }
  const sectionSyntaxIndicator = head.flag();
  const privateIndicator = head.flag();
  const sapType = head.bits(2);
  const sectionLength = head.bits(12);
  const total = 3 + sectionLength;
  if (bytes.length < total) {
    throw new ManifestError('SCTE35_TRUNCATED', `SCTE-35 section_length promises ${total} bytes, got ${bytes.length}`);
  }
  if (sectionLength < HEADER_BYTES - 3 + 2 + 4) {
    throw new ManifestError('SCTE35_TRUNCATED', `SCTE-35 section_length ${sectionLength} is too short`);
  }
  const crcOffset = total - 4;
  const crc32 = new BitReader(bytes, crcOffset, total).bits(32);
  if (verifyCrc) {
    const computed = crc32Mpeg2(bytes, 0, crcOffset);
    if (computed !== crc32) {
      throw new ManifestError(
        'SCTE35_BAD_CRC',
        `SCTE-35 CRC-32 is 0x${crc32.toString(16).padStart(8, '0')}, computed 0x${computed.toString(16).padStart(8, '0')}`,
      );
    }
  }

  // Everything after section_length up to CRC_32.
  const r = new BitReader(bytes, 3, crcOffset);
  const protocolVersion = r.bits(8);
  const encryptedPacket = r.flag();
  const encryptionAlgorithm = r.bits(6);
  const ptsAdjustmentTicks = r.bits(33);
  const cwIndex = r.bits(8);
  const tier = r.bits(12);
  let spliceCommandLength = r.bits(12);
  const spliceCommandType = r.bits(8);

  const base = {
    tableId,
    sectionSyntaxIndicator,
    privateIndicator,
    sapType,
    sectionLength,
    protocolVersion,
    encryptedPacket,
    encryptionAlgorithm,
    ptsAdjustmentTicks,
    ptsAdjustmentSeconds: ticksToSeconds(ptsAdjustmentTicks),
    cwIndex,
    tier,
    spliceCommandType,
    crc32,
  };

  if (encryptedPacket) {
    // SCTE 35 §9.6: command, descriptors and E_CRC_32 are encrypted; keep them opaque.
    const rest = r.bytesOf(r.bytesLeft);
    return {
      ...base,
      spliceCommandLength,
      spliceCommand: { type: 'unknown', commandType: spliceCommandType, bytes: rest },
      descriptorLoopLength: 0,
      descriptors: [],
    };
  }

  let spliceCommand: SpliceCommand;
  if (spliceCommandLength === 0xfff) {
    // SCTE 35 §9.6.1: legacy senders may write 0xFFF; the length is then what the command consumes.
    const start = r.bytePos;
    spliceCommand = readCommand(spliceCommandType, r, true);
    spliceCommandLength = r.bytePos - start;
  } else {
    spliceCommand = readCommand(spliceCommandType, r.sub(spliceCommandLength, 'splice_command'), false);
  }

  const descriptorLoopLength = r.bits(16);
  const loop = r.sub(descriptorLoopLength, 'descriptor loop');
  const descriptors: SpliceDescriptor[] = [];
  while (loop.bytesLeft > 0) descriptors.push(readDescriptor(loop));

  return { ...base, spliceCommandLength, spliceCommand, descriptorLoopLength, descriptors };
}

function readSpliceTime(r: BitReader): SpliceTime {
  const timeSpecifiedFlag = r.flag();
  if (!timeSpecifiedFlag) {
    r.skip(7);
    return { timeSpecifiedFlag };
  }
  r.skip(6);
  const ptsTimeTicks = r.bits(33);
  return { timeSpecifiedFlag, ptsTimeTicks, ptsTimeSeconds: ticksToSeconds(ptsTimeTicks) };
}

function readBreakDuration(r: BitReader): BreakDuration {
  const autoReturn = r.flag();
  r.skip(6);
  const durationTicks = r.bits(33);
  return { autoReturn, durationTicks, durationSeconds: ticksToSeconds(durationTicks) };
}

function readCommand(type: number, r: BitReader, unbounded: boolean): SpliceCommand {
  switch (type) {
    case 0x00:
      return { type: 'spliceNull' };
    case 0x04:
      return readSchedule(r);
    case 0x05:
      return readInsert(r);
    case 0x06:
      return { type: 'timeSignal', spliceTime: readSpliceTime(r) };
    case 0x07:
      return { type: 'bandwidthReservation' };
    case 0xff: {
      if (unbounded) throw new ManifestError('SCTE35_INVALID', 'private_command needs a splice_command_length');
      const identifier = r.bits(32);
      return { type: 'privateCommand', identifier, privateBytes: r.bytesOf(r.bytesLeft) };
    }
    default:
      if (unbounded) throw new ManifestError('SCTE35_INVALID', `unknown splice_command_type ${type} without a length`);
      return { type: 'unknown', commandType: type, bytes: r.bytesOf(r.bytesLeft) };
  }
}

function readSchedule(r: BitReader): SpliceCommand {
  const count = r.bits(8);
  const events: SpliceScheduleEvent[] = [];
  for (let i = 0; i < count; i++) {
    const spliceEventId = r.bits(32);
    const spliceEventCancelIndicator = r.flag();
    r.skip(7);
    const event: SpliceScheduleEvent = { spliceEventId, spliceEventCancelIndicator };
    if (!spliceEventCancelIndicator) {
      event.outOfNetworkIndicator = r.flag();
      event.programSpliceFlag = r.flag();
      event.durationFlag = r.flag();
      r.skip(5);
      if (event.programSpliceFlag) {
        event.utcSpliceTime = r.bits(32);
      } else {
        const n = r.bits(8);
        event.components = [];
        for (let c = 0; c < n; c++) event.components.push({ componentTag: r.bits(8), utcSpliceTime: r.bits(32) });
      }
      if (event.durationFlag) event.breakDuration = readBreakDuration(r);
      event.uniqueProgramId = r.bits(16);
      event.availNum = r.bits(8);
      event.availsExpected = r.bits(8);
    }
    events.push(event);
  }
  return { type: 'spliceSchedule', events };
}

function readInsert(r: BitReader): SpliceInsertCommand {
  const spliceEventId = r.bits(32);
  const spliceEventCancelIndicator = r.flag();
  r.skip(7);
  const cmd: SpliceInsertCommand = { type: 'spliceInsert', spliceEventId, spliceEventCancelIndicator };
  if (spliceEventCancelIndicator) return cmd;
  cmd.outOfNetworkIndicator = r.flag();
  cmd.programSpliceFlag = r.flag();
  cmd.durationFlag = r.flag();
  cmd.spliceImmediateFlag = r.flag();
  cmd.eventIdComplianceFlag = r.flag();
  r.skip(3);
  if (cmd.programSpliceFlag) {
    if (!cmd.spliceImmediateFlag) cmd.spliceTime = readSpliceTime(r);
  } else {
    const n = r.bits(8);
    cmd.components = [];
    for (let c = 0; c < n; c++) {
      const componentTag = r.bits(8);
      cmd.components.push(cmd.spliceImmediateFlag ? { componentTag } : { componentTag, spliceTime: readSpliceTime(r) });
    }
  }
  if (cmd.durationFlag) cmd.breakDuration = readBreakDuration(r);
  cmd.uniqueProgramId = r.bits(16);
  cmd.availNum = r.bits(8);
  cmd.availsExpected = r.bits(8);
  return cmd;
}

function readDescriptor(loop: BitReader): SpliceDescriptor {
  const tag = loop.bits(8);
  const length = loop.bits(8);
  const d = loop.sub(length, 'splice_descriptor');
  const identifier = latin1(d.bytesOf(4));
  // SCTE 35 §10.2: tags 0x00–0x04 mean the SCTE descriptors only under identifier 'CUEI'; others are private.
  if (identifier !== 'CUEI') return { type: 'unknown', tag, identifier, data: d.bytesOf(d.bytesLeft) };
  switch (tag) {
    case 0x00:
      return { type: 'avail', tag, identifier, providerAvailId: d.bits(32) };
    case 0x01: {
      const preroll = d.bits(8);
      const count = d.bits(3);
      d.skip(5);
      return { type: 'dtmf', tag, identifier, preroll, dtmfChars: latin1(d.bytesOf(count)) };
    }
    case 0x02:
      return readSegmentation(d, identifier);
    case 0x03:
      return { type: 'time', tag, identifier, taiSeconds: d.bits(48), taiNs: d.bits(32), utcOffset: d.bits(16) };
    default:
      return { type: 'unknown', tag, identifier, data: d.bytesOf(d.bytesLeft) };
  }
}

function readSegmentation(d: BitReader, identifier: string): SegmentationDescriptor {
  const segmentationEventId = d.bits(32);
  const segmentationEventCancelIndicator = d.flag();
  const segmentationEventIdComplianceIndicator = d.flag();
  d.skip(6);
  const sd: SegmentationDescriptor = {
    type: 'segmentation',
    tag: 0x02,
    identifier,
    segmentationEventId,
    segmentationEventCancelIndicator,
    segmentationEventIdComplianceIndicator,
  };
  if (segmentationEventCancelIndicator) return sd;
  sd.programSegmentationFlag = d.flag();
  sd.segmentationDurationFlag = d.flag();
  sd.deliveryNotRestrictedFlag = d.flag();
  if (!sd.deliveryNotRestrictedFlag) {
    sd.webDeliveryAllowedFlag = d.flag();
    sd.noRegionalBlackoutFlag = d.flag();
    sd.archiveAllowedFlag = d.flag();
    sd.deviceRestrictions = d.bits(2);
  } else {
    d.skip(5);
  }
  if (!sd.programSegmentationFlag) {
    const n = d.bits(8);
    sd.components = [];
    for (let c = 0; c < n; c++) {
      const componentTag = d.bits(8);
      d.skip(7);
      const ptsOffsetTicks = d.bits(33);
      sd.components.push({ componentTag, ptsOffsetTicks, ptsOffsetSeconds: ticksToSeconds(ptsOffsetTicks) });
    }
  }
  if (sd.segmentationDurationFlag) {
    sd.segmentationDurationTicks = d.bits(40);
    sd.segmentationDurationSeconds = ticksToSeconds(sd.segmentationDurationTicks);
  }
  const upidType = d.bits(8);
  const upidLength = d.bits(8);
  sd.upid = decodeUpid(upidType, d.bytesOf(upidLength), 0);
  sd.segmentationTypeId = d.bits(8);
  sd.segmentationTypeName = segmentationTypeName(sd.segmentationTypeId);
  sd.segmentNum = d.bits(8);
  sd.segmentsExpected = d.bits(8);
  // SCTE 35 2016 added sub-segments; older senders stop here, so read them only when the bytes are there.
  if (SUB_SEGMENT_TYPES.has(sd.segmentationTypeId) && d.bytesLeft >= 2) {
    sd.subSegmentNum = d.bits(8);
    sd.subSegmentsExpected = d.bits(8);
  }
  return sd;
}

/** Decodes one UPID; MID (0x0D) nests others, depth-limited so crafted input cannot recurse deeply. */
function decodeUpid(upidType: number, bytes: Uint8Array, depth: number): SegmentationUpid {
  const upidTypeName = UPID_TYPE_NAMES[upidType] ?? `Unknown (0x${upidType.toString(16).padStart(2, '0')})`;
  const hex = `0x${bytesToHex(bytes).toUpperCase()}`;
  if (upidType === 0x0d && depth === 0) {
    const r = new BitReader(bytes, 0, bytes.length, 'MID upid');
    const upids: SegmentationUpid[] = [];
    while (r.bytesLeft > 0) {
      const t = r.bits(8);
      const len = r.bits(8);
      upids.push(decodeUpid(t, r.bytesOf(len), depth + 1));
    }
    return { upidType, upidTypeName, bytes, value: upids.map((u) => `${u.upidTypeName}:${u.value}`).join(';'), upids };
  }
  if (upidType === 0x0c && bytes.length >= 4) {
    // MPU(): format_identifier (32) then private_data (SCTE 35 §10.3.3.3).
    const formatIdentifier = latin1(bytes.subarray(0, 4));
    const data = bytes.subarray(4);
    const dataText = isPrintableAscii(data) ? latin1(data) : `0x${bytesToHex(data).toUpperCase()}`;
    return { upidType, upidTypeName, bytes, value: `${formatIdentifier}:${dataText}`, formatIdentifier };
  }
  if (ASCII_UPID_TYPES.has(upidType) && isPrintableAscii(bytes)) {
    return { upidType, upidTypeName, bytes, value: latin1(bytes) };
  }
  return { upidType, upidTypeName, bytes, value: hex };
}
