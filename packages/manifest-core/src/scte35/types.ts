/** @module The decoded SCTE-35 splice_info_section model (ANSI/SCTE 35 §9); field names follow the standard in camelCase. */

/** A splice_time() (SCTE 35 §9.4.1): a PTS in 90 kHz ticks, absent when the splice is "immediate". */
export interface SpliceTime {
  /** time_specified_flag: false means no PTS was sent. */
  timeSpecifiedFlag: boolean;
  /** pts_time in 90 kHz ticks (33 bits), before pts_adjustment is added. */
  ptsTimeTicks?: number;
  /** pts_time in seconds (ticks / 90000), before pts_adjustment is added. */
  ptsTimeSeconds?: number;
}

/** A break_duration() (SCTE 35 §9.4.2). */
export interface BreakDuration {
  /** auto_return: the splicer returns to the network by itself when the duration elapses. */
  autoReturn: boolean;
  /** duration in 90 kHz ticks (33 bits). */
  durationTicks: number;
  /** duration in seconds. */
  durationSeconds: number;
}

/** One component of a component-mode splice_insert. */
export interface SpliceInsertComponent {
  /** component_tag: the elementary stream's stream_identifier. */
  componentTag: number;
  /** The component's splice time; absent for splice_immediate. */
  spliceTime?: SpliceTime;
}

/** splice_null() (command 0x00): a heartbeat, usually carrying descriptors. */
export interface SpliceNullCommand {
  type: 'spliceNull';
}

/** One event of a splice_schedule(). */
export interface SpliceScheduleEvent {
  spliceEventId: number;
  spliceEventCancelIndicator: boolean;
  outOfNetworkIndicator?: boolean;
  programSpliceFlag?: boolean;
  durationFlag?: boolean;
  /** utc_splice_time: seconds since 1980-01-06T00:00:00Z (GPS epoch), program mode. */
  utcSpliceTime?: number;
  /** Component mode: per-component UTC splice times. */
  components?: { componentTag: number; utcSpliceTime: number }[];
  breakDuration?: BreakDuration;
  uniqueProgramId?: number;
  availNum?: number;
  availsExpected?: number;
}

/** splice_schedule() (command 0x04): splices planned ahead in UTC. */
export interface SpliceScheduleCommand {
  type: 'spliceSchedule';
  events: SpliceScheduleEvent[];
}

/** splice_insert() (command 0x05, SCTE 35 §9.7.3): the classic ad avail out/in cue. */
export interface SpliceInsertCommand {
  type: 'spliceInsert';
  /** splice_event_id (32 bits). */
  spliceEventId: number;
  /** The event with this id is cancelled; every field below is then absent. */
  spliceEventCancelIndicator: boolean;
  /** true = leave the network (start of break); false = return to it. */
  outOfNetworkIndicator?: boolean;
  /** true = the whole program splices; false = component mode. */
  programSpliceFlag?: boolean;
  /** A break_duration follows. */
  durationFlag?: boolean;
  /** Splice at the nearest opportunity; no splice_time is sent. */
  spliceImmediateFlag?: boolean;
  /** event_id_compliance_flag (SCTE 35 2020+; a reserved '1' before): spliceEventId follows the uniqueness rules. */
  eventIdComplianceFlag?: boolean;
  /** Program mode splice time (absent when immediate). */
  spliceTime?: SpliceTime;
  /** Component mode components. */
  components?: SpliceInsertComponent[];
  breakDuration?: BreakDuration;
  uniqueProgramId?: number;
  availNum?: number;
  availsExpected?: number;
}

/** time_signal() (command 0x06): a time stamp whose meaning comes from its segmentation descriptors. */
export interface TimeSignalCommand {
  type: 'timeSignal';
  spliceTime: SpliceTime;
}

/** bandwidth_reservation() (command 0x07): no fields. */
export interface BandwidthReservationCommand {
  type: 'bandwidthReservation';
}

/** private_command() (command 0xFF). */
export interface PrivateCommand {
  type: 'privateCommand';
  /** identifier (32 bits, an SMPTE registered format_identifier), as a number. */
  identifier: number;
  privateBytes: Uint8Array;
}

/** A command this decoder does not know, or one hidden by encryption; its bytes are kept. */
export interface UnknownCommand {
  type: 'unknown';
  /** The raw splice_command_type. */
  commandType: number;
  bytes: Uint8Array;
}

/** Every splice command, discriminated by `type`. */
export type SpliceCommand =
  | SpliceNullCommand
  | SpliceScheduleCommand
  | SpliceInsertCommand
  | TimeSignalCommand
  | BandwidthReservationCommand
  | PrivateCommand
  | UnknownCommand;

/** A segmentation_upid (SCTE 35 §10.3.3.1), with a readable `value`. */
export interface SegmentationUpid {
  /** segmentation_upid_type, e.g. 0x08 (Turner Identifier / AiringID), 0x09 (ADI), 0x0C (MPU), 0x0D (MID). */
  upidType: number;
  /** Human name of the type, e.g. 'TI', 'ADI', 'MPU', 'MID', 'URI'. */
  upidTypeName: string;
  /** The raw upid bytes (what the encoder writes back). */
  bytes: Uint8Array;
  /** Readable form: text for ASCII types, `0x…` hex for binary ones, `format:hex` for MPU, `;`-joined for MID. */
  value: string;
  /** MPU (0x0C): the 32-bit format_identifier as 4 Latin-1 characters. */
  formatIdentifier?: string;
  /** MID (0x0D): the contained UPIDs. */
  upids?: SegmentationUpid[];
}

/** One component of a component-mode segmentation_descriptor. */
export interface SegmentationComponent {
  componentTag: number;
  /** pts_offset in 90 kHz ticks (33 bits). */
  ptsOffsetTicks: number;
  ptsOffsetSeconds: number;
}

/** segmentation_descriptor() (tag 0x02, SCTE 35 §10.3.3). */
export interface SegmentationDescriptor {
  type: 'segmentation';
  tag: 0x02;
  /** identifier, normally 'CUEI'. */
  identifier: string;
  segmentationEventId: number;
  /** The event is cancelled; every field below is then absent. */
  segmentationEventCancelIndicator: boolean;
  /** segmentation_event_id_compliance_indicator (SCTE 35 2020+; a reserved '1' before). */
  segmentationEventIdComplianceIndicator?: boolean;
  programSegmentationFlag?: boolean;
  segmentationDurationFlag?: boolean;
  /** true: no delivery restrictions, and the four restriction fields are absent. */
  deliveryNotRestrictedFlag?: boolean;
  webDeliveryAllowedFlag?: boolean;
  /** false means a regional blackout applies (SCTE 35 §10.3.3.1). */
  noRegionalBlackoutFlag?: boolean;
  archiveAllowedFlag?: boolean;
  /** device_restrictions (2 bits): 0 = restrict group 0, 1 = group 1, 2 = group 2, 3 = none. */
  deviceRestrictions?: number;
  components?: SegmentationComponent[];
  /** segmentation_duration in 90 kHz ticks (40 bits). */
  segmentationDurationTicks?: number;
  segmentationDurationSeconds?: number;
  upid?: SegmentationUpid;
  /** segmentation_type_id, e.g. 0x34 Provider Placement Opportunity Start. */
  segmentationTypeId?: number;
  /** Human name from SCTE 35 Table 22, or 'Unknown (0xNN)'. */
  segmentationTypeName?: string;
  segmentNum?: number;
  segmentsExpected?: number;
  /** Present for types 0x34/0x36/0x38/0x3A/0x44/0x46 when the sender included it. */
  subSegmentNum?: number;
  subSegmentsExpected?: number;
}

/** avail_descriptor() (tag 0x00). */
export interface AvailDescriptor {
  type: 'avail';
  tag: 0x00;
  identifier: string;
  providerAvailId: number;
}

/** DTMF_descriptor() (tag 0x01). */
export interface DtmfDescriptor {
  type: 'dtmf';
  tag: 0x01;
  identifier: string;
  /** preroll in tenths of a second. */
  preroll: number;
  dtmfChars: string;
}

/** time_descriptor() (tag 0x03): TAI time of the splice. */
export interface TimeDescriptor {
  type: 'time';
  tag: 0x03;
  identifier: string;
  taiSeconds: number;
  taiNs: number;
  utcOffset: number;
}

/** Any other descriptor (audio_descriptor 0x04, private ones), kept as bytes after the identifier. */
export interface UnknownDescriptor {
  type: 'unknown';
  tag: number;
  identifier: string;
  data: Uint8Array;
}

/** Every splice descriptor, discriminated by `type`. */
export type SpliceDescriptor =
  SegmentationDescriptor | AvailDescriptor | DtmfDescriptor | TimeDescriptor | UnknownDescriptor;

/** A decoded splice_info_section (SCTE 35 §9.6, Table 5). */
export interface SpliceInfoSection {
  /** Always 0xFC. */
  tableId: number;
  sectionSyntaxIndicator: boolean;
  privateIndicator: boolean;
  /** sap_type (2 bits, SCTE 35 2016+; 3 = not specified). */
  sapType: number;
  sectionLength: number;
  protocolVersion: number;
  encryptedPacket: boolean;
  encryptionAlgorithm: number;
  /** pts_adjustment in 90 kHz ticks (33 bits); add it (mod 2^33) to every pts_time. */
  ptsAdjustmentTicks: number;
  ptsAdjustmentSeconds: number;
  cwIndex: number;
  tier: number;
  spliceCommandLength: number;
  spliceCommandType: number;
  spliceCommand: SpliceCommand;
  descriptorLoopLength: number;
  descriptors: SpliceDescriptor[];
  /** The CRC_32 field as sent. */
  crc32: number;
}
