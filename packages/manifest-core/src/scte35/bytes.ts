/** @module Byte helpers for SCTE-35: hex/base64 codecs, MPEG-2 CRC-32, and bounded big-endian bit reader/writer. */
import { ManifestError } from '../errors.ts';

const HEX_DIGITS = '0123456789abcdef';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Reverse lookup for base64; accepts the URL-safe alphabet too ('-' and '_'), since some packagers emit it. */
const BASE64_VALUES: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < BASE64_ALPHABET.length; i++) table[BASE64_ALPHABET.charCodeAt(i)] = i;
  table['-'.charCodeAt(0)] = 62;
  table['_'.charCodeAt(0)] = 63;
  return table;
})();

/** Formats bytes as `0x`-prefixed upper-case hex, the form RFC 8216 §4.3.2.7.1 uses for SCTE35-OUT/IN/CMD. */
export function formatScte35Hex(bytes: Uint8Array): string {
  return `0x${bytesToHex(bytes).toUpperCase()}`;
}

/** Formats bytes as padded standard base64, the form EXT-X-CUE-OUT-CONT SCTE35= and EXT-OATCLS-SCTE35 use. */
export function formatScte35Base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    out += BASE64_ALPHABET[(n >> 18) & 63]! + BASE64_ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? BASE64_ALPHABET[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? BASE64_ALPHABET[n & 63]! : '=';
  }
  return out;
}

/** Lower-case hex without prefix. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  return out;
}

function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function base64ToBytes(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, '');
  if (clean.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? BASE64_VALUES[code]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * Turns a cue payload into bytes: `0x`/`0X` hex (DATERANGE), base64 (CUE-OUT-CONT, OATCLS, SPLICEPOINT),
 * or bare hex starting with `FC` (some packagers drop the prefix; base64 of a section always starts with '/').
 */
export function scte35PayloadToBytes(input: string | Uint8Array): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (typeof input !== 'string') throw new ManifestError('SCTE35_BAD_ENCODING');
  const text = input.trim().replace(/\s+/g, '');
  if (text.length === 0) throw new ManifestError('SCTE35_BAD_ENCODING', 'empty SCTE-35 payload');
  let bytes: Uint8Array | undefined;
  if (text.startsWith('0x') || text.startsWith('0X')) {
    bytes = hexToBytes(text.slice(2));
  } else if (/^fc[0-9a-f]*$/i.test(text) && text.length % 2 === 0) {
    bytes = hexToBytes(text);
  } else {
    bytes = base64ToBytes(text);
  }
  if (bytes === undefined) throw new ManifestError('SCTE35_BAD_ENCODING');
  return bytes;
}

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** MPEG-2 CRC-32 (ISO/IEC 13818-1 Annex A: poly 0x04C11DB7, init 0xFFFFFFFF, no reflection, no final xor). */
export function crc32Mpeg2(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}

/** A big-endian bit reader over `bytes[startByte, endByte)`; reading past the end throws SCTE35_TRUNCATED. */
export class BitReader {
  private bitPos: number;
  private readonly endBit: number;

  constructor(
    private readonly bytes: Uint8Array,
    startByte = 0,
    endByte = bytes.length,
    private readonly what = 'section',
  ) {
    this.bitPos = startByte * 8;
    this.endBit = Math.min(endByte, bytes.length) * 8;
  }

  /** Byte offset of the cursor (floor). */
  get bytePos(): number {
    return this.bitPos >> 3;
  }

  /** Whole bytes left before the bound. */
  get bytesLeft(): number {
    return (this.endBit - this.bitPos) >> 3;
  }

  private need(bits: number): void {
    if (this.bitPos + bits > this.endBit) {
      throw new ManifestError('SCTE35_TRUNCATED', `SCTE-35 ${this.what} ends before its fields do`);
    }
  }

  /** Reads up to 53 bits as an unsigned integer (numbers, not bitwise ops, so 33- and 40-bit fields stay exact). */
  bits(count: number): number {
    this.need(count);
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.bytes[this.bitPos >> 3]!;
      const bit = (byte >> (7 - (this.bitPos & 7))) & 1;
      value = value * 2 + bit;
      this.bitPos++;
    }
    return value;
  }

  /** Reads one bit as a boolean flag. */
  flag(): boolean {
    return this.bits(1) === 1;
  }

  /** Skips reserved bits. */
  skip(count: number): void {
    this.need(count);
    this.bitPos += count;
  }

  /** Reads `count` whole bytes (byte-aligned) as a copy. */
  bytesOf(count: number): Uint8Array {
    this.need(count * 8);
    const start = this.bitPos >> 3;
    this.bitPos += count * 8;
    return this.bytes.slice(start, start + count);
  }

  /** Returns a reader over the next `count` bytes and moves past them; throws if they are not all there. */
  sub(count: number, what: string): BitReader {
    this.need(count * 8);
    const start = this.bitPos >> 3;
    this.bitPos += count * 8;
    return new BitReader(this.bytes, start, start + count, what);
  }
}

/** A growable big-endian bit writer. */
export class BitWriter {
  private buf = new Uint8Array(64);
  private bitPos = 0;

  /** Bytes written so far (the partial last byte included). */
  get length(): number {
    return (this.bitPos + 7) >> 3;
  }

  private ensure(bits: number): void {
    const needBytes = (this.bitPos + bits + 7) >> 3;
    if (needBytes <= this.buf.length) return;
    const next = new Uint8Array(Math.max(needBytes, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
  }

  /** Writes the low `count` bits of a non-negative integer (up to 53 bits). */
  bits(count: number, value: number): void {
    this.ensure(count);
    let v = Math.floor(value) % 2 ** count;
    if (v < 0) v += 2 ** count;
    for (let i = count - 1; i >= 0; i--) {
      const bit = Math.floor(v / 2 ** i) % 2;
      if (bit) this.buf[this.bitPos >> 3]! |= 0x80 >> (this.bitPos & 7);
      this.bitPos++;
    }
  }

  /** Writes a flag bit. */
  flag(value: boolean | undefined): void {
    this.bits(1, value ? 1 : 0);
  }

  /** Writes reserved bits, which SCTE 35 §9.1 says are set to '1'. */
  reserved(count: number): void {
    this.bits(count, 2 ** count - 1);
  }

  /** Writes whole bytes (the cursor must be byte-aligned). */
  bytes(data: Uint8Array): void {
    this.ensure(data.length * 8);
    this.buf.set(data, this.bitPos >> 3);
    this.bitPos += data.length * 8;
  }

  /** Overwrites `count` bits already written at (byteOffset, bitOffset), for back-patched length fields. */
  patch(byteOffset: number, bitOffset: number, count: number, value: number): void {
    for (let i = 0; i < count; i++) {
      const pos = byteOffset * 8 + bitOffset + i;
      const mask = 0x80 >> (pos & 7);
      const bit = (value >> (count - 1 - i)) & 1;
      if (bit) this.buf[pos >> 3]! |= mask;
      else this.buf[pos >> 3]! &= ~mask;
    }
  }

  /** A copy of the written bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Latin-1 text of a byte run (identifiers such as 'CUEI'); lossless for any byte. */
export function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** True when every byte is printable ASCII, so a UPID can be shown as text. */
export function isPrintableAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return false;
  return true;
}
