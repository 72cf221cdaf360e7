import { describe, expect, it } from 'vitest';
import { createSettingsReader } from './settings.ts';

describe('createSettingsReader', () => {
  it('reads typed values and falls back when unset or blank', () => {
    const s = createSettingsReader({
      PORT: ' 8081 ',
      DEBUG: 'YES',
      ROLE: 'upload',
      HOSTS: 'a, b,,c',
      BLANK: '  ',
      ZONES: [{ id: 'z' }],
    });
    expect(s.int('PORT', 1, 0, 65535)).toBe(8081);
    expect(s.bool('DEBUG', false)).toBe(true);
    expect(s.oneOf('ROLE', 'all', ['all', 'upload', 'playback'] as const)).toBe('upload');
    expect(s.list('HOSTS')).toEqual(['a', 'b', 'c']);
    expect(s.str('BLANK', 'dflt')).toBe('dflt');
    expect(s.json('ZONES')).toEqual([{ id: 'z' }]);
    expect(s.url('X', 'https://cdn.example/path//')).toBe('https://cdn.example/path');
    expect(s.problems).toEqual([]);
  });

  it('collects every problem instead of throwing at the first', () => {
    const s = createSettingsReader({ PORT: '99999', DEBUG: 'maybe', ROLE: 'root', CFG: '{oops', U: 'ftp://x' });
    expect(s.int('PORT', 8080, 0, 65535)).toBe(8080);
    expect(s.bool('DEBUG', false)).toBe(false);
    expect(s.oneOf('ROLE', 'all', ['all', 'upload'] as const)).toBe('all');
    expect(s.json('CFG')).toBeUndefined();
    expect(s.url('U', 'ftp://x')).toBeUndefined();
    expect(s.problems).toEqual([
      'PORT=99999: expected an integer from 0 to 65535',
      'DEBUG=maybe: expected true or false',
      'ROLE=root: expected one of all, upload',
      'CFG: not valid JSON',
      'U=ftp://x: expected an http(s) URL',
    ]);
  });
});
