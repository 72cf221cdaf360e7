/** @module The attribute-list scanner and value typing (RFC 8216 §4.2). */
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import { SCHEMAS, formatNumber, parseAttributes, parseDecimal, writeAttributes } from './attributes.ts';
import type { AttributeContext } from './attributes.ts';

function context(): AttributeContext & { codes: string[] } {
  const codes: string[] = [];
  return { codes, line: 1, warn: (code) => void codes.push(code), substitute: (t) => t };
}

describe('parseAttributes', () => {
  it('types every RFC value kind and keeps commas inside quoted strings', () => {
    const ctx = context();
    const v = parseAttributes(
      'BANDWIDTH=5000000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=23.976,HDCP-LEVEL=TYPE-0,CLOSED-CAPTIONS=NONE',
      0,
      SCHEMAS.streamInf,
      ctx,
    );
    expect(v).toEqual({
      bandwidth: 5000000,
      codecs: 'avc1.640028,mp4a.40.2',
      resolution: { width: 1920, height: 1080 },
      frameRate: 23.976,
      hdcpLevel: 'TYPE-0',
      closedCaptions: 'NONE',
    });
    expect(ctx.codes).toEqual([]);
  });

  it('reads signed floats, hexadecimal sequences and booleans', () => {
    expect(parseAttributes('TIME-OFFSET=-12.5,PRECISE=YES', 0, SCHEMAS.start, context())).toEqual({
      timeOffset: -12.5,
      precise: true,
    });
    expect(parseAttributes('METHOD=AES-128,URI="k",IV=0X0a1B', 0, SCHEMAS.key, context())).toMatchObject({
      iv: '0X0a1B',
    });
  });

  it('keeps unknown attributes typed by their form, in order', () => {
    const v = parseAttributes(
      'ID="a",X-B=0xFF,X-A=-1.5,VND=ENUM,VND2="q",VND3=12345678901234567890',
      0,
      SCHEMAS.dateRange,
      context(),
    );
    expect(v.clientAttributes).toEqual({ 'X-B': { raw: '0xFF' }, 'X-A': -1.5 });
    expect(Object.keys(v.clientAttributes as object)).toEqual(['X-B', 'X-A']);
    // too many digits to survive a double: kept as written
    expect(v.otherAttributes).toEqual({ VND: { raw: 'ENUM' }, VND2: 'q', VND3: { raw: '12345678901234567890' } });
  });

  it('tolerates spaces around names and a trailing comma, as hls.js does', () => {
    expect(parseAttributes(' METHOD=NONE , ', 0, SCHEMAS.key, context())).toEqual({ method: 'NONE' });
  });

  it.each([
    ['unterminated quote', 'URI="abc'],
    ['missing =', 'METHOD'],
    ['empty name', '=1'],
    ['text after a quoted value', 'URI="a"b'],
    ['stray quote in an unquoted value', 'METHOD=AES"'],
    ['name with a space inside', 'MET HOD=NONE'],
  ])('%s is a PLAYLIST_INVALID_TAG error', (_name, text) => {
    expect(() => parseAttributes(text, 0, SCHEMAS.key, context())).toThrowError(ManifestError);
  });

  it('writes back in recorded order, dropping removed attributes and placing new ones canonically', () => {
    const ctx = context();
    const key = parseAttributes('URI="k",X-VENDOR=1,METHOD=AES-128', 0, SCHEMAS.key, ctx);
    expect(writeAttributes(key, SCHEMAS.key)).toBe('URI="k",X-VENDOR=1,METHOD=AES-128');
    delete key.uri;
    key.iv = '0x01';
    expect(writeAttributes(key, SCHEMAS.key)).toBe('X-VENDOR=1,METHOD=AES-128,IV=0x01');
  });
});

describe('numbers', () => {
  it('parseDecimal equals Number() on its fast path and rejects exponents and junk', () => {
    for (const s of [
      '0',
      '6.006',
      '10.000000',
      '0.33334',
      '4.00008',
      '123456789012345',
      '1234567890.12345',
      '.5',
      '5.',
    ]) {
      expect(parseDecimal(s)).toBe(Number(s));
    }
    expect(parseDecimal('-2.5', true)).toBe(-2.5);
    expect(parseDecimal('-2.5')).toBeUndefined();
    for (const s of ['', '.', '1e3', '0x10', '1.2.3', ' 1', 'Infinity']) expect(parseDecimal(s, true)).toBeUndefined();
  });

  it('formatNumber never writes an exponent', () => {
    expect(formatNumber(1e-7)).toBe('0.0000001');
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(6.006)).toBe('6.006');
    expect(formatNumber(-0)).toBe('-0');
  });
});
