/** @module Property tests for SCTE-35: arbitrary input never throws untyped; encode → decode round-trips. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { crc32Mpeg2, decodeScte35, encodeScte35, formatScte35Base64, formatScte35Hex } from './index.ts';
import type {
  EncodeScte35Input,
  SegmentationDescriptor,
  SegmentationDescriptorInput,
  SpliceInsertCommand,
  TimeSignalCommand,
} from './index.ts';

function decodesOrThrowsTyped(input: string | Uint8Array, verifyCrc = true): void {
  try {
    decodeScte35(input, { verifyCrc });
  } catch (error) {
    if (!isManifestError(error)) throw error;
    expect(error.code).toMatch(/^SCTE35_/);
  }
}

/** Wraps random bytes in a valid header and CRC so the property reaches the command and descriptor parsers. */
function framed(commandType: number, body: Uint8Array, commandLength: number): Uint8Array {
  const head = [
    0xfc,
    0x30,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0xff,
    0xff,
    0xf0 | (commandLength >> 8),
    commandLength & 0xff,
    commandType,
  ];
  const total = head.length + body.length + 4;
  const out = new Uint8Array(total);
  out.set(head);
  out.set(body, head.length);
  const sectionLength = total - 3;
  out[1] = 0x30 | ((sectionLength >> 8) & 0x0f);
  out[2] = sectionLength & 0xff;
  new DataView(out.buffer).setUint32(total - 4, crc32Mpeg2(out, 0, total - 4));
  return out;
}

const uint = (bits: number) =>
  fc
    .integer({ min: 0, max: 2 ** Math.min(bits, 31) - 1 })
    .chain((lo) =>
      bits <= 31 ? fc.constant(lo) : fc.integer({ min: 0, max: 2 ** (bits - 31) - 1 }).map((hi) => hi * 2 ** 31 + lo),
    );

const segmentation: fc.Arbitrary<SegmentationDescriptorInput> = fc.record(
  {
    type: fc.constant('segmentation' as const),
    segmentationEventId: uint(32),
    programSegmentationFlag: fc.boolean(),
    deliveryNotRestrictedFlag: fc.boolean(),
    webDeliveryAllowedFlag: fc.boolean(),
    noRegionalBlackoutFlag: fc.boolean(),
    archiveAllowedFlag: fc.boolean(),
    deviceRestrictions: fc.integer({ min: 0, max: 3 }),
    components: fc.array(fc.record({ componentTag: uint(8), ptsOffsetTicks: uint(33) }), { maxLength: 3 }),
    segmentationDurationTicks: uint(40),
    upid: fc.record({
      upidType: fc.constantFrom(0x01, 0x08, 0x09, 0x0c, 0x0f, 0x10),
      bytes: fc.uint8Array({ minLength: 4, maxLength: 40 }),
    }),
    segmentationTypeId: fc.constantFrom(0x10, 0x11, 0x22, 0x23, 0x30, 0x34, 0x35, 0x36, 0x40, 0x50),
    segmentNum: uint(8),
    segmentsExpected: uint(8),
  },
  { requiredKeys: ['type', 'segmentationEventId', 'segmentationTypeId'] },
);

const section: fc.Arbitrary<EncodeScte35Input> = fc.record({
  ptsAdjustmentTicks: uint(33),
  tier: uint(12),
  spliceCommand: fc.oneof(
    fc.record(
      {
        type: fc.constant('spliceInsert' as const),
        spliceEventId: uint(32),
        outOfNetworkIndicator: fc.boolean(),
        spliceImmediateFlag: fc.boolean(),
        spliceTime: fc.record({ ptsTimeTicks: uint(33) }),
        breakDuration: fc.record({ autoReturn: fc.boolean(), durationTicks: uint(33) }),
        uniqueProgramId: uint(16),
        availNum: uint(8),
        availsExpected: uint(8),
      },
      { requiredKeys: ['type', 'spliceEventId'] },
    ),
    fc.record({
      type: fc.constant('timeSignal' as const),
      spliceTime: fc.option(fc.record({ ptsTimeTicks: uint(33) }), { nil: undefined }),
    }),
  ),
  descriptors: fc.array(segmentation, { maxLength: 3 }),
});

describe('SCTE-35 properties', () => {
  it('arbitrary bytes either decode or throw a ManifestError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, verify) =>
        decodesOrThrowsTyped(bytes, verify),
      ),
      { numRuns: 2000 },
    );
  });

  it('arbitrary bytes behind a valid header and CRC either decode or throw a ManifestError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x00, 0x04, 0x05, 0x06, 0x07, 0xff, 0x42),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: 0xfff }),
        (type, body, len) => decodesOrThrowsTyped(framed(type, body, Math.min(len, body.length + 8))),
      ),
      { numRuns: 2000 },
    );
  });

  it('arbitrary strings either decode or throw a ManifestError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `0x${s}`),
          fc.base64String(),
        ),
        (text) => decodesOrThrowsTyped(text),
      ),
      { numRuns: 1000 },
    );
  });

  it('encode → decode keeps every field given, and re-encoding is byte-identical', () => {
    fc.assert(
      fc.property(section, (input) => {
        const bytes = encodeScte35(input);
        const decoded = decodeScte35(formatScte35Base64(bytes));
        expect(decodeScte35(formatScte35Hex(bytes))).toEqual(decoded);
        expect(decoded.ptsAdjustmentTicks).toBe(input.ptsAdjustmentTicks);
        expect(decoded.tier).toBe(input.tier);
        const cmd = input.spliceCommand;
        if (cmd.type === 'spliceInsert') {
          const out = decoded.spliceCommand as SpliceInsertCommand;
          expect(out.spliceEventId).toBe(cmd.spliceEventId);
          expect(out.outOfNetworkIndicator).toBe(cmd.outOfNetworkIndicator ?? false);
          expect(out.breakDuration?.durationTicks).toBe(cmd.breakDuration?.durationTicks);
          expect(out.spliceTime?.ptsTimeTicks).toBe(cmd.spliceImmediateFlag ? undefined : cmd.spliceTime?.ptsTimeTicks);
          expect(out.availsExpected).toBe(cmd.availsExpected ?? 0);
        } else if (cmd.type === 'timeSignal') {
          expect((decoded.spliceCommand as TimeSignalCommand).spliceTime.ptsTimeTicks).toBe(
            cmd.spliceTime?.ptsTimeTicks,
          );
        }
        const given = (input.descriptors ?? []) as SegmentationDescriptorInput[];
        expect(decoded.descriptors).toHaveLength(given.length);
        given.forEach((d, i) => {
          const out = decoded.descriptors[i] as SegmentationDescriptor;
          expect(out.segmentationEventId).toBe(d.segmentationEventId);
          expect(out.segmentationTypeId).toBe(d.segmentationTypeId);
          expect(out.segmentationDurationTicks).toBe(d.segmentationDurationTicks);
          expect(out.upid?.bytes).toEqual(d.upid?.bytes ?? new Uint8Array(0));
          if (out.deliveryNotRestrictedFlag === false)
            expect(out.noRegionalBlackoutFlag).toBe(d.noRegionalBlackoutFlag ?? true);
          expect(out.components?.map((c) => c.ptsOffsetTicks)).toEqual(
            d.programSegmentationFlag === false ? (d.components ?? []).map((c) => c.ptsOffsetTicks) : undefined,
          );
        });
        expect(encodeScte35(decoded as EncodeScte35Input)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });
});
