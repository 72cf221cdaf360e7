/** @module The SSRF guard: only configured origins, never outside the base path, for any input. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isOriginError } from './errors.ts';
import { resolveOptions } from './options.ts';
import { classifyPath, joinOrigin, resolveTarget } from './paths.ts';

const origins = resolveOptions({
  origins: [
    { id: 'a', url: 'https://a.example/media/hls' },
    { id: 'b', url: 'http://b.example:8080/' },
  ],
}).origins;

describe('resolveTarget / joinOrigin (no SSRF, no escaping the base path)', () => {
  it('joins a path below the base path of every origin', () => {
    const t = resolveTarget('/live/720p.m3u8?token=1', origins);
    expect(joinOrigin(origins[0]!, t.path).href).toBe('https://a.example/media/hls/live/720p.m3u8?token=1');
    expect(joinOrigin(origins[1]!, t.path).href).toBe('http://b.example:8080/live/720p.m3u8?token=1');
  });

  it('maps a URL on a configured origin to its relative path', () => {
    expect(resolveTarget('https://a.example/media/hls/x/y.ts', origins)).toEqual({
      path: '/x/y.ts',
      pinnedOriginId: 'a',
    });
    expect(resolveTarget(new URL('http://b.example:8080/z.ts?q=1'), origins)).toEqual({
      path: '/z.ts?q=1',
      pinnedOriginId: 'b',
    });
  });

  it('refuses other hosts, ports, schemes and paths outside the base', () => {
    for (const input of [
      'https://evil.example/x',
      'http://a.example/media/hls/x',
      'https://a.example/other/x',
      'http://b.example:8081/x',
      '//evil.example/x',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://a.example/media/hls/../../x',
    ]) {
      let caught: unknown;
      try {
        resolveTarget(input, origins);
      } catch (err) {
        caught = err;
      }
      expect(isOriginError(caught, 'ORIGIN_NOT_CONFIGURED') || isOriginError(caught, 'INVALID_PATH'), input).toBe(true);
    }
  });

  it('no input whatsoever yields a URL outside a configured origin and base path (property)', () => {
    const segment = fc.oneof(
      fc.constantFrom(
        '..',
        '.',
        '%2e%2e',
        '%2E%2e',
        '%252e%252e',
        '..%2f',
        '%2f',
        '%5c',
        '\\',
        '',
        'a',
        'seg.ts',
        '%00',
        '@evil.example',
        ':80',
        '?x=../',
        '#../',
      ),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), fc.boolean(), (parts, leadingSlash) => {
        const input = (leadingSlash ? '/' : '') + parts.join('/');
        let path: string;
        try {
          path = resolveTarget(input, origins).path;
        } catch (err) {
          expect(isOriginError(err)).toBe(true);
          return;
        }
        for (const o of origins) {
          let url: URL;
          try {
            url = joinOrigin(o, path);
          } catch (err) {
            expect(isOriginError(err, 'INVALID_PATH')).toBe(true);
            continue;
          }
          expect(url.host).toBe(o.url.host);
          expect(url.protocol).toBe(o.url.protocol);
          expect(url.pathname.startsWith(o.url.pathname)).toBe(true);
          expect(url.pathname.split('/')).not.toContain('..');
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('classifyPath', () => {
  it('classifies .m3u8 as playlist and everything else as segment', () => {
    expect(classifyPath('/live/720p.m3u8?x=1')).toBe('playlist');
    expect(classifyPath('/live/720P.M3U8')).toBe('playlist');
    expect(classifyPath('/live/seg-1.ts')).toBe('segment');
    expect(classifyPath('/live/init.mp4?m3u8')).toBe('segment');
  });
});
