/** @module Real encodes of the other shapes: HEVC fMP4, MPEG-TS with AES-128, audio-only and silent input, and the error codes. */
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAssetManifest } from '@meridian/manifest-core';
import { createMemoryKeyStore, isTranscodeError, transcode, type TranscodeOptions } from '../src/index.ts';
import {
  attributes,
  decodeErrors,
  ffprobeJson,
  firstSliceNalType,
  keyframeTimes,
  makeSource,
  readMaster,
  readMedia,
} from './helpers.ts';

let dir: string;
let src: string;
const small: TranscodeOptions['ladder'] = [
  { height: 90, bitrateBps: 150_000 },
  { height: 180, bitrateBps: 300_000 },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tx-formats-'));
  src = await makeSource(join(dir, 'src.mp4'), { seconds: 8, size: '320x180' });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function walk(root: string): string[] {
  return readdirSync(root).flatMap((f) =>
    statSync(join(root, f)).isDirectory() ? walk(join(root, f)) : [join(root, f)],
  );
}

describe('codecs and containers', () => {
  it('encodes HEVC as hvc1 in fMP4 with an IDR at every segment start and an hvc1 CODECS string', async () => {
    const out = join(dir, 'hevc');
    const { asset } = await transcode({
      input: src,
      output: out,
      ladder: small,
      codec: 'hevc',
      encoder: 'cpu',
      cpuPreset: 'ultrafast',
      thumbnails: false,
    });
    expect(asset.codec).toBe('hevc');
    expect(asset.encoder).toEqual({ kind: 'cpu', name: 'libx265' });
    const master = readMaster(join(out, 'master.m3u8'));
    for (const v of master.variants)
      expect(v.attrs.CODECS).toMatch(/^hvc1\.1\.6\.L\d+\.[0-9A-F]+(\.[0-9A-F]+)*,mp4a\.40\.2$/);
    const probe = (await ffprobeJson([
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_tag_string,profile',
      join(out, '180p', 'index.m3u8'),
    ])) as {
      streams: Array<{ codec_tag_string: string; profile: string }>;
    };
    expect(probe.streams[0]).toEqual({ codec_tag_string: 'hvc1', profile: 'Main' });
    for (const r of ['90p', '180p']) {
      const media = readMedia(join(out, r, 'index.m3u8'));
      // HEVC IDR_W_RADL (19) or IDR_N_LP (20).
      for (const s of media.segments)
        expect([19, 20]).toContain(firstSliceNalType(readFileSync(join(out, r, s.uri)), 'hevc'));
    }
    expect(await keyframeTimes(join(out, '90p', 'index.m3u8'))).toEqual(
      await keyframeTimes(join(out, '180p', 'index.m3u8')),
    );
    expect(await decodeErrors(join(out, '180p', 'index.m3u8'))).toBe('');
  });

  it('refuses HEVC in MPEG-TS before doing any work', async () => {
    const err = await transcode({ input: src, output: join(dir, 'bad'), codec: 'hevc', container: 'ts' }).catch(
      (e: unknown) => e,
    );
    expect(isTranscodeError(err) && err.code).toBe('INVALID_OPTIONS');
  });

  it('encrypts MPEG-TS segments with AES-128: key in the key store under a recorded id, never beside the segments', async () => {
    const out = join(dir, 'ts-aes');
    const keyStore = createMemoryKeyStore();
    const { asset } = await transcode({
      input: src,
      output: out,
      ladder: small,
      container: 'ts',
      encoder: 'cpu',
      cpuPreset: 'veryfast',
      thumbnails: false,
      encryption: { keyStore },
    });
    expect(asset.container).toBe('ts');
    expect(asset.keyIds.length).toBe(3); // two rungs and the audio, one key each
    // asset.json records each rendition's IV, so a server re-signalling the key can write it back.
    const stored = parseAssetManifest(JSON.parse(readFileSync(join(out, 'asset.json'), 'utf8')));
    const renditions = [...stored.renditions, stored.audio!];
    expect(new Set(renditions.map((r) => r.keyIv)).size).toBe(3);
    for (const r of renditions) {
      const media = readMedia(join(out, r.playlist));
      expect(media.map).toBeUndefined();
      const key = attributes(media.keyLine!);
      expect(key.METHOD).toBe('AES-128');
      expect(key.URI).toBe(`/v1/keys/${r.keyId}`);
      expect(r.keyIv).toMatch(/^0x[0-9a-f]{32}$/);
      expect(key.IV).toBe(r.keyIv);
      const keyBytes = await keyStore.get(r.keyId!);
      expect(keyBytes?.length).toBe(16);
      const cipherText = readFileSync(join(out, r.name, media.segments[0]!.uri));
      expect(cipherText[0]).not.toBe(0x47); // not readable TS without the key
      // Decrypt with the IV from asset.json alone, as a player would after a server re-signalled the key.
      const decipher = createDecipheriv('aes-128-cbc', keyBytes!, Buffer.from(r.keyIv!.slice(2), 'hex'));
      const plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
      expect(plain[0]).toBe(0x47);
      expect(plain.length % 188).toBe(0);
      // The key bytes appear in no output file.
      for (const file of walk(out)) expect(readFileSync(file).includes(Buffer.from(keyBytes!)), file).toBe(false);
    }
  });
});

describe('inputs without one of the tracks', () => {
  it('packages audio-only input as one audio variant with no video or thumbnails', async () => {
    const input = await makeSource(join(dir, 'audio.m4a'), { seconds: 7, video: false });
    const out = join(dir, 'audio-only');
    const { asset } = await transcode({ input, output: out, encoder: 'cpu' });
    expect(asset.codec).toBeNull();
    expect(asset.encoder).toBeNull();
    expect(asset.renditions).toEqual([]);
    expect(asset.thumbnails).toBeNull();
    expect(asset.audio).toMatchObject({ codecs: 'mp4a.40.2', segmentCount: 2 });
    const master = readMaster(join(out, 'master.m3u8'));
    expect(master.variants).toHaveLength(1);
    expect(master.variants[0]).toMatchObject({ uri: 'audio/index.m3u8', attrs: { CODECS: 'mp4a.40.2' } });
    expect(await decodeErrors(join(out, 'audio', 'index.m3u8'))).toBe('');
  });

  it('packages silent input without an audio group', async () => {
    const input = await makeSource(join(dir, 'silent.mp4'), { seconds: 7, size: '320x180', audio: false });
    const out = join(dir, 'silent');
    const { asset } = await transcode({
      input,
      output: out,
      ladder: small,
      encoder: 'cpu',
      cpuPreset: 'veryfast',
      thumbnails: false,
    });
    expect(asset.audio).toBeNull();
    const master = readMaster(join(out, 'master.m3u8'));
    expect(master.media).toEqual([]);
    for (const v of master.variants) {
      expect(v.attrs.CODECS).toMatch(/^avc1\.[0-9a-f]{6}$/);
      expect(v.attrs.AUDIO).toBeUndefined();
    }
    expect(readdirSync(out)).not.toContain('audio');
  });
});

describe('failures get stable codes', () => {
  it('reports a missing input, a corrupt file, a missing ffprobe and a required-but-absent NVENC', async () => {
    const missing = await transcode({ input: join(dir, 'nope.mp4'), output: join(dir, 'x1') }).catch((e: unknown) => e);
    expect(isTranscodeError(missing) && missing.code).toBe('INPUT_NOT_FOUND');
    const corrupt = join(dir, 'corrupt.mp4');
    writeFileSync(corrupt, Buffer.alloc(4096, 7));
    const bad = await transcode({ input: corrupt, output: join(dir, 'x2') }).catch((e: unknown) => e);
    expect(isTranscodeError(bad) && bad.code).toBe('INPUT_UNREADABLE');
    const noProbe = await transcode({ input: src, output: join(dir, 'x3'), ffprobePath: '/nonexistent/ffprobe' }).catch(
      (e: unknown) => e,
    );
    expect(isTranscodeError(noProbe) && noProbe.code).toBe('FFMPEG_MISSING');
    const noGpu = await transcode({ input: src, output: join(dir, 'x4'), ladder: small, encoder: 'nvenc' }).catch(
      (e: unknown) => e,
    );
    expect(isTranscodeError(noGpu) && noGpu.code).toBe('NVENC_UNAVAILABLE');
    // Nothing was published for any failed job.
    for (const o of ['x1', 'x2', 'x3', 'x4']) expect(() => statSync(join(dir, o, 'master.m3u8'))).toThrow();
  });
});
