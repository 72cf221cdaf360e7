/** @module Tests for SCTE-35 decode/encode/describe: hand-built sections, the SCTE 35 §14 samples, and every error path. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import {
  crc32Mpeg2,
  decodeScte35,
  describeScte35Break,
  encodeScte35,
  formatScte35Base64,
  formatScte35Hex,
  scte35PayloadToBytes,
  segmentationTypeName,
} from './index.ts';
import type { SegmentationDescriptor, SpliceInsertCommand, TimeSignalCommand } from './index.ts';

/** Appends the MPEG-2 CRC-32 to a hand-written section body. */
function withCrc(body: number[]): Uint8Array {
  const bytes = Uint8Array.from(body);
  const crc = crc32Mpeg2(bytes);
  return Uint8Array.from([...body, crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isManifestError(error)) return error.code;
    return `untyped: ${String(error)}`;
  }
  return 'no error';
}

// A splice_insert written out field by field (SCTE 35 Table 5 and §9.7.3).
const SPLICE_INSERT_OUT = [
  0xfc, // table_id
  0x30, // section_syntax_indicator 0, private_indicator 0, sap_type 11, section_length[11:8] 0000
  0x25, // section_length[7:0] = 37 bytes follow
  0x00, // protocol_version
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // encrypted_packet 0, encryption_algorithm 000000, pts_adjustment 33 × 0
  0xff, // cw_index
  0xff,
  0xf0,
  0x14, // tier 0xFFF, splice_command_length 20
  0x05, // splice_command_type splice_insert
  0x00,
  0x00,
  0x00,
  0x2a, // splice_event_id 42
  0x7f, // splice_event_cancel_indicator 0, reserved 1111111
  0xef, // out_of_network 1, program_splice 1, duration 1, immediate 0, event_id_compliance 1, reserved 111
  0xfe,
  0x00,
  0x0d,
  0xbb,
  0xa0, // splice_time: time_specified 1, reserved 111111, pts_time 900000 (10 s)
  0xfe,
  0x00,
  0x29,
  0x32,
  0xe0, // break_duration: auto_return 1, reserved 111111, duration 2700000 (30 s)
  0x00,
  0x01, // unique_program_id 1
  0x01, // avail_num 1
  0x02, // avails_expected 2
  0x00,
  0x00, // descriptor_loop_length 0
];

// A time_signal with one restricted, component-mode segmentation descriptor carrying an MPU UPID and sub-segments.
const TIME_SIGNAL_RESTRICTED = [
  0xfc,
  0x30,
  0x00, // table_id, flags, section_length patched below
  0x00, // protocol_version
  0x01,
  0x00,
  0x00,
  0x00,
  0x00, // encrypted 0, algorithm 0, pts_adjustment = 2^32 ticks (bit 32 set)
  0x00, // cw_index
  0xff,
  0xf0,
  0x05, // tier 0xFFF, splice_command_length 5
  0x06, // time_signal
  0xfe,
  0x00,
  0x00,
  0x00,
  0x5a, // splice_time: specified, pts_time 90 (1 ms)
  0x00,
  0x00, // descriptor_loop_length, patched below
  0x02,
  0x00, // segmentation_descriptor, descriptor_length patched below
  0x43,
  0x55,
  0x45,
  0x49, // identifier 'CUEI'
  0x00,
  0x00,
  0x10,
  0x01, // segmentation_event_id 4097
  0x3f, // cancel 0, event_id_compliance 0, reserved 111111
  0x52, // program_segmentation 0, duration 1, delivery_not_restricted 0, web 1, no_regional_blackout 0, archive 0, device_restrictions 10
  0x01, // component_count 1
  0x21,
  0xfe,
  0x00,
  0x00,
  0x00,
  0x00, // component_tag 0x21, reserved 1111111, pts_offset 0
  0x00,
  0x00,
  0x29,
  0x32,
  0xe0, // segmentation_duration (40 bits) 2700000 = 30 s
  0x0c,
  0x08, // upid_type MPU, upid_length 8
  0x41,
  0x42,
  0x43,
  0x44,
  0x31,
  0x32,
  0x33,
  0x34, // format_identifier 'ABCD', private data '1234'
  0x36, // segmentation_type_id Distributor Placement Opportunity Start
  0x01,
  0x02, // segment_num 1, segments_expected 2
  0x03,
  0x04, // sub_segment_num 3, sub_segments_expected 4
];

function patchedTimeSignal(): Uint8Array {
  const body = [...TIME_SIGNAL_RESTRICTED];
  const descStart = 21; // index of splice_descriptor_tag
  body[descStart + 1] = body.length - (descStart + 2);
  body[19] = 0;
  body[20] = body.length - descStart;
  const sectionLength = body.length + 4 - 3;
  body[1] = 0x30 | (sectionLength >> 8);
  body[2] = sectionLength & 0xff;
  return withCrc(body);
}

describe('decodeScte35 on hand-built sections', () => {
  it('decodes every splice_insert field with ticks and seconds', () => {
    const section = decodeScte35(withCrc(SPLICE_INSERT_OUT));
    expect(section).toMatchObject({
      tableId: 0xfc,
      sectionSyntaxIndicator: false,
      privateIndicator: false,
      sapType: 3,
      sectionLength: 37,
      protocolVersion: 0,
      encryptedPacket: false,
      ptsAdjustmentTicks: 0,
      cwIndex: 0xff,
      tier: 0xfff,
      spliceCommandLength: 20,
      spliceCommandType: 5,
      descriptors: [],
    });
    const cmd = section.spliceCommand as SpliceInsertCommand;
    expect(cmd).toEqual({
      type: 'spliceInsert',
      spliceEventId: 42,
      spliceEventCancelIndicator: false,
      outOfNetworkIndicator: true,
      programSpliceFlag: true,
      durationFlag: true,
      spliceImmediateFlag: false,
      eventIdComplianceFlag: true,
      spliceTime: { timeSpecifiedFlag: true, ptsTimeTicks: 900_000, ptsTimeSeconds: 10 },
      breakDuration: { autoReturn: true, durationTicks: 2_700_000, durationSeconds: 30 },
      uniqueProgramId: 1,
      availNum: 1,
      availsExpected: 2,
    });
    expect(describeScte35Break(section)).toMatchObject({
      kind: 'out',
      eventId: 42,
      durationSeconds: 30,
      ptsSeconds: 10,
    });
  });

  it('decodes a restricted component-mode segmentation descriptor with MPU UPID and sub-segments', () => {
    const section = decodeScte35(patchedTimeSignal());
    expect(section.ptsAdjustmentTicks).toBe(2 ** 32);
    expect((section.spliceCommand as TimeSignalCommand).spliceTime.ptsTimeTicks).toBe(90);
    const d = section.descriptors[0] as SegmentationDescriptor;
    expect(d).toMatchObject({
      type: 'segmentation',
      identifier: 'CUEI',
      segmentationEventId: 4097,
      segmentationEventCancelIndicator: false,
      segmentationEventIdComplianceIndicator: false,
      programSegmentationFlag: false,
      segmentationDurationFlag: true,
      deliveryNotRestrictedFlag: false,
      webDeliveryAllowedFlag: true,
      noRegionalBlackoutFlag: false,
      archiveAllowedFlag: false,
      deviceRestrictions: 2,
      components: [{ componentTag: 0x21, ptsOffsetTicks: 0, ptsOffsetSeconds: 0 }],
      segmentationDurationTicks: 2_700_000,
      segmentationDurationSeconds: 30,
      upid: { upidType: 0x0c, upidTypeName: 'MPU', formatIdentifier: 'ABCD', value: 'ABCD:1234' },
      segmentationTypeId: 0x36,
      segmentationTypeName: 'Distributor Placement Opportunity Start',
      segmentNum: 1,
      segmentsExpected: 2,
      subSegmentNum: 3,
      subSegmentsExpected: 4,
    });
    // pts_adjustment applies to the splice time: (90 + 2^32) / 90000.
    expect(describeScte35Break(section)).toMatchObject({
      kind: 'out',
      eventId: 4097,
      ptsSeconds: (90 + 2 ** 32) / 90_000,
      durationSeconds: 30,
      noRegionalBlackout: false,
      deviceRestrictions: 2,
      upid: 'ABCD:1234',
    });
  });

  it('accepts 0x hex, 0X hex, bare FC hex, base64, URL-safe base64 and bytes alike', () => {
    const bytes = withCrc(SPLICE_INSERT_OUT);
    const hex = formatScte35Hex(bytes);
    expect(hex.startsWith('0xFC30')).toBe(true);
    const b64 = formatScte35Base64(bytes);
    const forms = [
      hex,
      `0X${hex.slice(2)}`,
      hex.slice(2).toLowerCase(),
      b64,
      b64.replace(/\+/g, '-').replace(/\//g, '_'),
      ` ${b64} `,
      bytes,
    ];
    for (const form of forms) expect(decodeScte35(form).spliceCommand).toMatchObject({ spliceEventId: 42 });
  });

  it('decodes a cancel, splice_null, bandwidth_reservation, private_command and splice_schedule', () => {
    const cancel = decodeScte35(
      encodeScte35({ spliceCommand: { type: 'spliceInsert', spliceEventId: 7, spliceEventCancelIndicator: true } }),
    );
    expect(cancel.spliceCommand).toEqual({ type: 'spliceInsert', spliceEventId: 7, spliceEventCancelIndicator: true });
    expect(describeScte35Break(cancel)).toMatchObject({ kind: 'none', eventId: 7, cancelled: true });
    expect(decodeScte35(encodeScte35({ spliceCommand: { type: 'spliceNull' } })).spliceCommand).toEqual({
      type: 'spliceNull',
    });
    expect(decodeScte35(encodeScte35({ spliceCommand: { type: 'bandwidthReservation' } })).spliceCommand.type).toBe(
      'bandwidthReservation',
    );
    const priv = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'privateCommand', identifier: 0x41424344, privateBytes: Uint8Array.of(1, 2, 3) },
      }),
    );
    expect(priv.spliceCommand).toEqual({
      type: 'privateCommand',
      identifier: 0x41424344,
      privateBytes: Uint8Array.of(1, 2, 3),
    });
    const schedule = decodeScte35(
      encodeScte35({
        spliceCommand: {
          type: 'spliceSchedule',
          events: [
            {
              spliceEventId: 1,
              outOfNetworkIndicator: true,
              utcSpliceTime: 1_000_000,
              breakDuration: { durationTicks: 90_000 },
            },
            { spliceEventId: 2, spliceEventCancelIndicator: true },
          ],
        },
      }),
    );
    expect(schedule.spliceCommand).toMatchObject({
      type: 'spliceSchedule',
      events: [
        {
          spliceEventId: 1,
          outOfNetworkIndicator: true,
          programSpliceFlag: true,
          utcSpliceTime: 1_000_000,
          breakDuration: { durationSeconds: 1 },
        },
        { spliceEventId: 2, spliceEventCancelIndicator: true },
      ],
    });
  });

  it('decodes avail, DTMF and time descriptors and keeps unknown ones as bytes', () => {
    const section = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'spliceNull' },
        descriptors: [
          { type: 'avail', providerAvailId: 309 },
          { type: 'dtmf', preroll: 50, dtmfChars: '1*#' },
          { type: 'time', taiSeconds: 1_700_000_000, taiNs: 5, utcOffset: 37 },
          { type: 'unknown', tag: 0x80, identifier: 'ABCD', data: Uint8Array.of(9, 8) },
        ],
      }),
    );
    expect(section.descriptors).toEqual([
      { type: 'avail', tag: 0, identifier: 'CUEI', providerAvailId: 309 },
      { type: 'dtmf', tag: 1, identifier: 'CUEI', preroll: 50, dtmfChars: '1*#' },
      { type: 'time', tag: 3, identifier: 'CUEI', taiSeconds: 1_700_000_000, taiNs: 5, utcOffset: 37 },
      { type: 'unknown', tag: 0x80, identifier: 'ABCD', data: Uint8Array.of(9, 8) },
    ]);
  });

  it('keeps descriptors under a private identifier opaque, even with an SCTE tag number', () => {
    const section = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'spliceNull' },
        descriptors: [{ type: 'unknown', tag: 0x02, identifier: 'PRIV', data: Uint8Array.of(1, 2, 3) }],
      }),
    );
    expect(section.descriptors).toEqual([
      { type: 'unknown', tag: 2, identifier: 'PRIV', data: Uint8Array.of(1, 2, 3) },
    ]);
    expect(describeScte35Break(section).kind).toBe('none');
  });

  it('names UPIDs: ADI as text, AiringID as hex, MID as its parts', () => {
    const adi = new TextEncoder().encode('PREFIX:provider.com/ad123');
    const mid = Uint8Array.from([0x09, adi.length, ...adi, 0x08, 8, 0, 0, 0, 0, 0x2c, 0xa0, 0xa1, 0x8a]);
    const section = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'timeSignal', spliceTime: { ptsTimeTicks: 0 } },
        descriptors: [
          {
            type: 'segmentation',
            segmentationEventId: 1,
            segmentationTypeId: 0x30,
            upid: { upidType: 0x09, bytes: adi },
          },
          {
            type: 'segmentation',
            segmentationEventId: 2,
            segmentationTypeId: 0x31,
            upid: { upidType: 0x0d, bytes: mid },
          },
          {
            type: 'segmentation',
            segmentationEventId: 3,
            segmentationTypeId: 0x50,
            upid: { upidType: 0x0f, value: 'urn:x' },
          },
        ],
      }),
    );
    const [a, b, c] = section.descriptors as SegmentationDescriptor[];
    expect(a?.upid).toMatchObject({ upidTypeName: 'ADI', value: 'PREFIX:provider.com/ad123' });
    expect(b?.upid?.upids?.map((u) => u.value)).toEqual(['PREFIX:provider.com/ad123', '0x000000002CA0A18A']);
    expect(b?.upid?.value).toBe('ADI:PREFIX:provider.com/ad123;TI:0x000000002CA0A18A');
    expect(c?.upid?.value).toBe('urn:x');
    expect(c?.segmentationTypeName).toBe('Network Start');
    expect(segmentationTypeName(0x99)).toBe('Unknown (0x99)');
  });
});

interface SampleFixture {
  name: string;
  base64: string;
  command: string;
  ptsTimeTicks: number;
  break: Record<string, unknown>;
}

const samples = (
  JSON.parse(readFileSync(new URL('../../test/fixtures/scte35/scte35-samples.json', import.meta.url), 'utf8')) as {
    samples: SampleFixture[];
  }
).samples;

describe('SCTE 35 §14 sample messages', () => {
  it('has the fixtures', () => {
    expect(samples.length).toBeGreaterThanOrEqual(5);
  });
  for (const sample of samples) {
    it(`${sample.name}: decodes, describes and re-encodes byte-identically`, () => {
      const section = decodeScte35(sample.base64);
      expect(section.spliceCommand.type).toBe(sample.command);
      const cmd = section.spliceCommand as SpliceInsertCommand | TimeSignalCommand;
      expect(cmd.spliceTime?.ptsTimeTicks).toBe(sample.ptsTimeTicks);
      expect(describeScte35Break(section)).toMatchObject(sample.break);
      expect(formatScte35Base64(encodeScte35(section as Parameters<typeof encodeScte35>[0]))).toBe(sample.base64);
    });
  }

  it('the 14.1 sample shows the Provider Placement Opportunity Start fields', () => {
    const d = decodeScte35(samples[0]!.base64).descriptors[0] as SegmentationDescriptor;
    expect(d).toMatchObject({
      segmentationEventId: 0x4800008e,
      segmentationDurationTicks: 27_630_000,
      segmentationDurationSeconds: 307,
      webDeliveryAllowedFlag: false,
      segmentationTypeName: 'Provider Placement Opportunity Start',
      segmentNum: 2,
      segmentsExpected: 0,
      upid: { upidType: 8, upidTypeName: 'TI' },
    });
    expect(d.subSegmentNum).toBeUndefined();
  });
});

describe('decodeScte35 errors', () => {
  const good = withCrc(SPLICE_INSERT_OUT);

  it('CRC-32 matches the MPEG-2 check value', () => {
    expect(crc32Mpeg2(new TextEncoder().encode('123456789'))).toBe(0x0376e6e7);
  });

  it('rejects a flipped bit with SCTE35_BAD_CRC, unless verifyCrc is false', () => {
    const bad = good.slice();
    bad[20] = bad[20]! ^ 0x01;
    expect(codeOf(() => decodeScte35(bad))).toBe('SCTE35_BAD_CRC');
    expect(decodeScte35(bad, { verifyCrc: false }).spliceCommand.type).toBe('spliceInsert');
  });

  it('reports every truncation as SCTE35_TRUNCATED', () => {
    for (let n = 0; n < good.length; n++)
      expect(codeOf(() => decodeScte35(good.subarray(0, n)))).toBe('SCTE35_TRUNCATED');
  });

  it('reports inner lengths that overrun the section as SCTE35_TRUNCATED even with a valid CRC', () => {
    const body = [...SPLICE_INSERT_OUT];
    body[12] = 0x30; // splice_command_length 48 > what is there
    expect(codeOf(() => decodeScte35(withCrc(body)))).toBe('SCTE35_TRUNCATED');
    const loop = [...SPLICE_INSERT_OUT];
    loop[loop.length - 1] = 0x09; // descriptor_loop_length 9, no bytes
    expect(codeOf(() => decodeScte35(withCrc(loop)))).toBe('SCTE35_TRUNCATED');
  });

  it('rejects a wrong table_id with SCTE35_INVALID and non-payloads with SCTE35_BAD_ENCODING', () => {
    const body = [...SPLICE_INSERT_OUT];
    body[0] = 0xfd;
    expect(codeOf(() => decodeScte35(withCrc(body)))).toBe('SCTE35_INVALID');
    expect(codeOf(() => decodeScte35('0xZZ'))).toBe('SCTE35_BAD_ENCODING');
    expect(codeOf(() => decodeScte35('0xFC3'))).toBe('SCTE35_BAD_ENCODING');
    expect(codeOf(() => decodeScte35('not base64!'))).toBe('SCTE35_BAD_ENCODING');
    expect(codeOf(() => decodeScte35(''))).toBe('SCTE35_BAD_ENCODING');
    expect(codeOf(() => scte35PayloadToBytes(42 as unknown as string))).toBe('SCTE35_BAD_ENCODING');
  });

  it('keeps an encrypted section opaque instead of misreading it', () => {
    const body = [...SPLICE_INSERT_OUT];
    body[4] = 0x82; // encrypted_packet 1, encryption_algorithm 1 (DES ECB)
    const section = decodeScte35(withCrc(body));
    expect(section.encryptedPacket).toBe(true);
    expect(section.encryptionAlgorithm).toBe(1);
    expect(section.spliceCommand).toMatchObject({ type: 'unknown', commandType: 5 });
  });

  it('handles the legacy splice_command_length 0xFFF by parsing the command', () => {
    const body = [...SPLICE_INSERT_OUT];
    body[11] = 0xff;
    body[12] = 0xff;
    const section = decodeScte35(withCrc(body));
    expect(section.spliceCommandLength).toBe(20);
    expect(section.spliceCommand).toMatchObject({ spliceEventId: 42, availsExpected: 2 });
  });
});

describe('encodeScte35', () => {
  it('builds a DATERANGE-ready splice_insert that other decoders would read the same way', () => {
    const bytes = encodeScte35({
      spliceCommand: {
        type: 'spliceInsert',
        spliceEventId: 42,
        outOfNetworkIndicator: true,
        spliceTime: { ptsTimeTicks: 900_000 },
        breakDuration: { autoReturn: true, durationTicks: 2_700_000 },
        uniqueProgramId: 1,
        availNum: 1,
        availsExpected: 2,
      },
    });
    // Identical to the section written out by hand above, CRC included.
    expect(formatScte35Hex(bytes)).toBe(formatScte35Hex(withCrc(SPLICE_INSERT_OUT)));
  });

  it('defaults segmentation delivery to not restricted, and restricts when a restriction is given', () => {
    const open = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'timeSignal' },
        descriptors: [{ type: 'segmentation', segmentationEventId: 1, segmentationTypeId: 0x22 }],
      }),
    ).descriptors[0] as SegmentationDescriptor;
    expect(open.deliveryNotRestrictedFlag).toBe(true);
    expect(open.noRegionalBlackoutFlag).toBeUndefined();
    const restricted = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'timeSignal' },
        descriptors: [
          { type: 'segmentation', segmentationEventId: 1, segmentationTypeId: 0x10, noRegionalBlackoutFlag: false },
        ],
      }),
    );
    expect(describeScte35Break(restricted)).toMatchObject({
      kind: 'out',
      noRegionalBlackout: false,
      deviceRestrictions: 3,
    });
  });

  it('rejects fields that do not fit with SCTE35_INVALID', () => {
    expect(codeOf(() => encodeScte35({ spliceCommand: { type: 'spliceInsert', spliceEventId: 2 ** 32 } }))).toBe(
      'SCTE35_INVALID',
    );
    expect(
      codeOf(() => encodeScte35({ spliceCommand: { type: 'timeSignal', spliceTime: { ptsTimeTicks: 2 ** 33 } } })),
    ).toBe('SCTE35_INVALID');
    expect(
      codeOf(() =>
        encodeScte35({
          spliceCommand: { type: 'spliceNull' },
          descriptors: [{ type: 'avail', identifier: 'TOOLONG', providerAvailId: 1 }],
        }),
      ),
    ).toBe('SCTE35_INVALID');
    expect(codeOf(() => encodeScte35({ spliceCommand: { type: 'bogus' } as never }))).toBe('SCTE35_INVALID');
  });
});

describe('describeScte35Break', () => {
  it('treats splice_insert out_of_network 0 as in, and break ends as in', () => {
    const inCue = decodeScte35(
      encodeScte35({ spliceCommand: { type: 'spliceInsert', spliceEventId: 9, spliceImmediateFlag: true } }),
    );
    expect(describeScte35Break(inCue)).toMatchObject({ kind: 'in', eventId: 9 });
    expect(describeScte35Break(inCue).ptsSeconds).toBeUndefined();
    const end = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'timeSignal', spliceTime: { ptsTimeTicks: 180_000 } },
        descriptors: [{ type: 'segmentation', segmentationEventId: 5, segmentationTypeId: 0x23 }],
      }),
    );
    expect(describeScte35Break(end)).toMatchObject({
      kind: 'in',
      eventId: 5,
      ptsSeconds: 2,
      segmentationTypeName: 'Break End',
    });
  });

  it('says none for chapters, heartbeats and cancelled segmentation events', () => {
    const chapter = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'timeSignal' },
        descriptors: [{ type: 'segmentation', segmentationEventId: 5, segmentationTypeId: 0x20 }],
      }),
    );
    expect(describeScte35Break(chapter)).toMatchObject({ kind: 'none', segmentationTypeId: 0x20 });
    expect(describeScte35Break(decodeScte35(encodeScte35({ spliceCommand: { type: 'spliceNull' } })))).toEqual({
      kind: 'none',
      eventId: 0,
    });
    const cancelled = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'timeSignal' },
        descriptors: [{ type: 'segmentation', segmentationEventId: 5, segmentationEventCancelIndicator: true }],
      }),
    );
    expect(describeScte35Break(cancelled)).toMatchObject({ kind: 'none', eventId: 5, cancelled: true });
  });

  it('takes restrictions and UPID from a segmentation descriptor on a splice_insert, not its direction', () => {
    const section = decodeScte35(
      encodeScte35({
        spliceCommand: { type: 'spliceInsert', spliceEventId: 77, outOfNetworkIndicator: true },
        descriptors: [
          { type: 'segmentation', segmentationEventId: 1, segmentationEventCancelIndicator: true },
          {
            type: 'segmentation',
            segmentationEventId: 2,
            segmentationTypeId: 0x35,
            deviceRestrictions: 1,
            upid: { upidType: 0x09, value: 'SIGNAL:abc' },
          },
        ],
      }),
    );
    const view = describeScte35Break(section);
    expect(view).toMatchObject({
      kind: 'out',
      eventId: 77,
      deviceRestrictions: 1,
      upid: 'SIGNAL:abc',
      segmentationTypeId: 0x35,
    });
    expect(view.cancelled).toBeUndefined();
  });

  it('applies pts_adjustment modulo 2^33', () => {
    const section = decodeScte35(
      encodeScte35({
        ptsAdjustmentTicks: 2 ** 33 - 90_000,
        spliceCommand: {
          type: 'spliceInsert',
          spliceEventId: 1,
          outOfNetworkIndicator: true,
          spliceTime: { ptsTimeTicks: 180_000 },
        },
      }),
    );
    expect(describeScte35Break(section).ptsSeconds).toBe(1);
  });
});
