/**
 * @module Golden fixtures in the m3u8-parser style: every `name.m3u8` in test/fixtures/playlists
 * has `name.json`, the expected model. One loop checks the pair (and fails when either half is
 * missing), the round trip to an equal model, and a byte-exact round trip for fixtures already in
 * canonical form.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlaylist, serializePlaylist } from '../src/index.ts';

const DIR = join(import.meta.dirname, 'fixtures', 'playlists');

/** Fixtures whose text is not in canonical form, and why (the model still round-trips). */
const NOT_BYTE_EXACT: Record<string, string> = {
  'cue-out-in-elemental': 'numbers are written in shortest form (30.000 → 30)',
  'llhls-parts': 'CAN-SKIP-UNTIL=24.0 → 24',
  'master-apple-hevc-hdr': 'FRAME-RATE=60.000 → 60',
  'oatcls-asset-cue': '60.060 → 60.06',
  'ts-vod-ffmpeg': 'ffmpeg writes EXTINF:10.000000',
  'warnings-recovered': 'a duplicate attribute is dropped (last value wins)',
};

const files = readdirSync(DIR);
const names = [
  ...new Set(files.filter((f) => /\.(m3u8|json)$/.test(f)).map((f) => f.replace(/\.(m3u8|json)$/, ''))),
].sort();

describe('golden playlists', () => {
  it('there are at least 40 fixture pairs', () => {
    expect(names.length).toBeGreaterThanOrEqual(40);
  });

  it.each(names)('%s', (name) => {
    expect(files, `${name}.m3u8 is missing`).toContain(`${name}.m3u8`);
    expect(files, `${name}.json is missing`).toContain(`${name}.json`);
    const text = readFileSync(join(DIR, `${name}.m3u8`), 'utf8');
    const expected: unknown = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));

    const { playlist } = parsePlaylist(text);
    expect(playlist).toEqual(expected);

    const written = serializePlaylist(playlist);
    expect(parsePlaylist(written).playlist).toEqual(playlist);
    if (!(name in NOT_BYTE_EXACT)) expect(written).toBe(text);
    else expect(written).not.toBe(text); // keeps the exception list honest
  });
});
