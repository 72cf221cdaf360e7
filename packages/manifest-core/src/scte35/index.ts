/** @module Public names of the scte35 module (chosen here, re-exported by the package index). */

// — decoding —
export { decodeScte35, SCTE35_TICKS_PER_SECOND } from './decode.ts';
export type { DecodeScte35Options } from './decode.ts';

// — encoding (for the live-channel simulator and tests) —
export { encodeScte35 } from './encode.ts';
export type {
  EncodeScte35Input,
  SpliceCommandInput,
  SpliceInsertInput,
  TimeSignalInput,
  SpliceScheduleEventInput,
  SpliceTimeInput,
  BreakDurationInput,
  SpliceDescriptorInput,
  SegmentationDescriptorInput,
  SegmentationUpidInput,
} from './encode.ts';

// — payload text forms and checksum —
export { formatScte35Hex, formatScte35Base64, scte35PayloadToBytes, crc32Mpeg2 } from './bytes.ts';

// — the normalised break view for SSAI and blackouts —
export { describeScte35Break, SEGMENTATION_OUT_TYPES, SEGMENTATION_IN_TYPES } from './describe.ts';
export type { Scte35Break } from './describe.ts';

// — name tables —
export { SPLICE_COMMAND_TYPES, SEGMENTATION_TYPE_NAMES, UPID_TYPE_NAMES, segmentationTypeName } from './tables.ts';

// — the decoded model —
export type {
  SpliceInfoSection,
  SpliceCommand,
  SpliceNullCommand,
  SpliceScheduleCommand,
  SpliceScheduleEvent,
  SpliceInsertCommand,
  SpliceInsertComponent,
  TimeSignalCommand,
  BandwidthReservationCommand,
  PrivateCommand,
  UnknownCommand,
  SpliceTime,
  BreakDuration,
  SpliceDescriptor,
  SegmentationDescriptor,
  SegmentationComponent,
  SegmentationUpid,
  AvailDescriptor,
  DtmfDescriptor,
  TimeDescriptor,
  UnknownDescriptor,
} from './types.ts';
