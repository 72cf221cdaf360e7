/** @module AES-128 end to end: encrypted content plays in hls.js with a session; keys are refused without one. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeWithFfmpeg, startChromium, type ChromiumPlayer } from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { decodeErrors, E2E_MEDIA, stackLog, stitchedAdSeconds, summarise } from '../src/fixtures.ts';
import { contentKeyUri, fetchOk, isAdSegment, uriLines } from '../src/hls.ts';
import { stitchedRead } from '../src/ffmpeg.ts';

describe('AES-128 (keys in Valkey, served by the zones through the edge)', () => {
  let stack: Stack;
  let chromium: ChromiumPlayer;
  let keyUrl: string;
  let segmentUrl: string;

  beforeAll(async () => {
    stack = await startStack({ media: E2E_MEDIA, valkey: true, encrypted: true, log: stackLog().log });
    chromium = await startChromium();
    const masterUrl = stack.encryptedMaster!;
    const master = await (await fetchOk(masterUrl)).text();
    const mediaUrl = uriLines(master, masterUrl)[0]!;
    const media = await (await fetchOk(mediaUrl)).text();
    keyUrl = contentKeyUri(media, mediaUrl)!;
    // The first content segment (stitched ads are clear).
    segmentUrl = uriLines(media, mediaUrl).find((u) => !isAdSegment(u))!;
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('media playlists name an edge key URL carrying the session, and the segments are not clear', async () => {
    expect(keyUrl.startsWith(`${stack.edge}/v1/keys/`)).toBe(true);
    expect(new URL(keyUrl).searchParams.get('session')).toBeTruthy();
    const key = await fetchOk(keyUrl);
    expect(stack.zones.map((z) => z.id)).toContain(key.headers.get('x-meridian-zone'));
    expect((await key.arrayBuffer()).byteLength).toBe(16);
    // A clear fMP4 media segment opens with a styp or moof box; whole-segment AES-128-CBC does not.
    const head = new TextDecoder('latin1').decode(
      new Uint8Array(await (await fetchOk(segmentUrl)).arrayBuffer()).slice(4, 8),
    );
    expect(['styp', 'moof']).not.toContain(head);
  });

  it('hls.js plays the encrypted content start to end with a session', async () => {
    const report = await chromium.play(stack.encryptedMaster!, { playbackRate: 2, timeoutMs: 120_000 });
    console.log(summarise('aes edge', report));
    expect(report.fatalErrors).toEqual([]);
    expect(report.mediaError).toBeNull();
    expect(report.outcome).toBe('ended');
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1.5);
    // Clear ads between encrypted content: the key changes at every boundary cost no rebuffer.
    expect(report.stalls, summarise('aes edge', report)).toEqual([]);
  });

  it('ffmpeg decodes the encrypted content through the edge', async () => {
    const probe = await probeWithFfmpeg(stack.encryptedMaster!, { timeoutMs: 120_000 });
    expect(probe.exitCode).toBe(0);
    expect(decodeErrors(probe.stderr)).toEqual([]);
    const read = stitchedRead(probe);
    expect(Math.abs(read.durationSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1);
    expect(read.contentSegments).toBeGreaterThanOrEqual(Math.floor(stack.contentSeconds / E2E_MEDIA.segmentSeconds!));
    // The key was fetched (through the edge, with the session) for the encrypted content.
    expect(probe.openedUrls.some((u) => u.includes('/v1/keys/'))).toBe(true);
  });

  it('a key request without a session, or with an altered one, gets 403 and no key bytes', async () => {
    const bare = new URL(keyUrl);
    bare.search = '';
    const altered = new URL(keyUrl);
    const session = altered.searchParams.get('session')!;
    altered.searchParams.set('session', `${session.slice(0, -2)}${session.endsWith('AA') ? 'BB' : 'AA'}`);
    for (const url of [bare.href, altered.href, `${stack.zones[0]!.url}${bare.pathname}`]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(403);
      const body = await res.text();
      expect(body.length).not.toBe(16);
      expect(JSON.parse(body)).toHaveProperty('error.code');
    }
  });
});
