/** @module Tests of string-level URI resolution and query appends. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { appendQuery, joinUrl, replaceUrlPrefix, resolveUri } from './url.ts';

const BASE = 'https://origin.example/live/ch1/index.m3u8?token=abc';

describe('resolveUri', () => {
  it('resolves like the WHATWG URL parser for plain references', () => {
    const cases = [
      'seg.ts',
      './seg.ts',
      '../v2/seg.ts',
      '/abs/seg.ts',
      '//cdn.example/x.ts',
      'a/b/../c.ts',
      '?only=query',
      'https://other.example/s.ts',
    ];
    for (const ref of cases) expect(resolveUri(ref, BASE)).toBe(new URL(ref, BASE).href);
  });

  it('copies a signed query string byte for byte', () => {
    const ref = 'seg-1.ts?Policy=eyJ%2BIn0%3D&Signature=a~b%2Fc%3D%3D&Key-Pair-Id=K1';
    expect(resolveUri(ref, BASE)).toBe(`https://origin.example/live/ch1/${ref}`);
  });

  it('keeps any query after any relative path byte for byte (property)', () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9_-]{1,8}$/);
    const pathArb = fc
      .array(fc.oneof(segment, fc.constantFrom('.', '..')), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.join('/'));
    const queryArb = fc
      .array(fc.constantFrom(...'abc019-._~%2B%3D%2F=&+/!$'.split('')), { maxLength: 30 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(pathArb, queryArb, fc.boolean(), (path, query, rooted) => {
        const ref = `${rooted ? '/' : ''}${path}.ts?${query}`;
        const out = resolveUri(ref, BASE);
        expect(out.endsWith(`?${query}`)).toBe(true);
        // the path part agrees with the WHATWG URL parser (which leaves these characters alone)
        expect(out.slice(0, out.indexOf('?'))).toBe(new URL(`${rooted ? '/' : ''}${path}.ts`, BASE).href);
      }),
    );
  });

  it('leaves data: and skd: URIs alone and refuses a relative base', () => {
    expect(resolveUri('data:text/plain;base64,AAAA', BASE)).toBe('data:text/plain;base64,AAAA');
    expect(resolveUri('skd://kid', BASE)).toBe('skd://kid');
    let error: unknown;
    try {
      resolveUri('a.ts', '/relative/index.m3u8');
    } catch (e) {
      error = e;
    }
    expect(isManifestError(error) && error.code === 'INVALID_OPTIONS').toBe(true);
  });
});

describe('appendQuery', () => {
  it('appends with ? or & and keeps the fragment last', () => {
    expect(appendQuery('a.ts', { s: '1' })).toBe('a.ts?s=1');
    expect(appendQuery('a.ts?x=%2B', { s: 'a b' })).toBe('a.ts?x=%2B&s=a%20b');
    expect(appendQuery('a.ts?', 'k=v')).toBe('a.ts?k=v');
    expect(appendQuery('a.ts#t=1', { s: '1' })).toBe('a.ts?s=1#t=1');
    expect(appendQuery('a.ts', {})).toBe('a.ts');
  });

  it('never changes the existing query (property)', () => {
    const queryChar = fc.constantFrom(...'abcXYZ019-._~%2B%3D%2F=&+/'.split(''));
    fc.assert(
      fc.property(fc.array(queryChar, { maxLength: 40 }), fc.string({ maxLength: 10 }), (chars, value) => {
        const uri = `https://cdn.example/p/seg.ts?${chars.join('')}`;
        const out = appendQuery(uri, { session: value });
        expect(out.startsWith(uri)).toBe(true);
        expect(new URL(out).searchParams.getAll('session').at(-1)).toBe(value);
      }),
    );
  });
});

describe('prefix helpers', () => {
  it('swaps an origin prefix for a CDN prefix without touching the rest', () => {
    expect(
      replaceUrlPrefix('https://origin.example/live/a.ts?x=%2F', 'https://origin.example', 'https://cdn.example/o'),
    ).toBe('https://cdn.example/o/live/a.ts?x=%2F');
    expect(replaceUrlPrefix('https://ads.example/a.ts', 'https://origin.example', 'https://cdn.example')).toBe(
      'https://ads.example/a.ts',
    );
    expect(replaceUrlPrefix('https://origin.example.evil/a.ts', 'https://origin.example', 'https://cdn.example')).toBe(
      'https://origin.example.evil/a.ts',
    );
    expect(replaceUrlPrefix('https://origin.example?x=1', 'https://origin.example', 'https://cdn.example')).toBe(
      'https://cdn.example?x=1',
    );
    expect(joinUrl('https://cdn-a.example/', '/v/720p.m3u8')).toBe('https://cdn-a.example/v/720p.m3u8');
  });
});
