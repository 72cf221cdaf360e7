/** @module Live test helpers: transcoded-ladder fixtures on an origin, session reloads read back, and the RFC 8216 sequencing checks every live test applies. */
import { expect } from 'vitest';
import { parseMediaPlaylist } from '@meridian/manifest-core';
import type { FaultyServer } from '@meridian/testkit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetJson } from './helpers.ts';

export const ladderMaster = (media: (name: string) => string): string =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="${media('audio')}"`,
    '#EXT-X-STREAM-INF:BANDWIDTH=628000,RESOLUTION=426x240,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"',
    media('240p'),
    '#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"',
    media('720p'),
    '',
  ].join('\n');

/**
 * An fMP4 VOD media playlist of `count` one-second segments; `audioJitter` makes the durations
 * alternate around one second as AAC frames do (1.021 s, 0.979 s, …), so audio EXTINFs differ
 * from the video's while both renditions stay aligned.
 */
export const vodMedia = (count: number, prefix = 'seg', audioJitter = false): string =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-TARGETDURATION:1',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MAP:URI="init.mp4"',
    ...Array.from(
      { length: count },
      (_, i) => `#EXTINF:${audioJitter ? (i % 2 === 0 ? '1.021' : '0.979') : '1.000'},\n${prefix}${i}.m4s`,
    ),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');

/** A transcoded asset (ad or slate) on the origin: asset.json, master, 240p, 720p and audio playlists. */
export function publishLadder(origin: FaultyServer, assetId: string, segments: number): void {
  origin.set(`/vod/${assetId}/asset.json`, {
    kind: 'ok',
    body: JSON.stringify(assetJson(assetId, { durationSeconds: segments })),
  });
  origin.set(`/vod/${assetId}/master.m3u8`, { kind: 'ok', body: ladderMaster((name) => `${name}/index.m3u8`) });
  for (const name of ['240p', '720p', 'audio'])
    origin.set(`/vod/${assetId}/${name}/index.m3u8`, { kind: 'ok', body: vodMedia(segments) });
}

export interface Reload {
  status: number;
  msn: number;
  dsn: number;
  /** Output MSN and URI of every segment (session query dropped). */
  segments: { msn: number; uri: string; discontinuity: boolean }[];
  text: string;
}

export type Requester = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

export async function reload(app: Requester, sid: string, rendition: string): Promise<Reload> {
  const res = await app.request(`/v1/sessions/${sid}/${rendition}.m3u8`);
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, msn: -1, dsn: -1, segments: [], text };
  const { playlist } = parseMediaPlaylist(text);
  const msn = playlist.mediaSequence ?? 0;
  return {
    status: res.status,
    msn,
    dsn: playlist.discontinuitySequence ?? 0,
    segments: playlist.segments.map((s, i) => ({
      msn: msn + i,
      uri: s.uri.replace(/[?&]session=[^&]*/, ''),
      discontinuity: s.discontinuity === true,
    })),
    text,
  };
}

/** Checks a run of reloads of one rendition: MSN/DSN never decrease, each MSN keeps one URI, each replacement segment sits at one MSN. */
export function checkSequence(reloads: Reload[], what: string): Map<number, string> {
  const byMsn = new Map<number, string>();
  const byUri = new Map<string, number>();
  for (let i = 0; i < reloads.length; i++) {
    const r = reloads[i]!;
    expect(r.status, `${what} reload ${i}: ${r.text}`).toBe(200);
    if (i > 0) {
      // RFC 8216 §6.2.2: never decrease.
      expect(r.msn, `${what} reload ${i} MSN`).toBeGreaterThanOrEqual(reloads[i - 1]!.msn);
      expect(r.dsn, `${what} reload ${i} DSN`).toBeGreaterThanOrEqual(reloads[i - 1]!.dsn);
    }
    for (const s of r.segments) {
      const known = byMsn.get(s.msn);
      if (known !== undefined) expect(s.uri, `${what}: MSN ${s.msn} changed`).toBe(known);
      byMsn.set(s.msn, s.uri);
      // Content URIs repeat every loop of the channel; replacement segments carry their break (mbk) and must not.
      if (!s.uri.includes('mbk=')) continue;
      const at = byUri.get(s.uri);
      if (at !== undefined) expect(at, `${what}: ${s.uri} served at two MSNs`).toBe(s.msn);
      byUri.set(s.uri, s.msn);
    }
  }
  // No MSN skipped between the first and the last segment seen.
  const msns = [...byMsn.keys()].sort((a, b) => a - b);
  expect(msns.at(-1)! - msns[0]! + 1, `${what}: MSNs ${msns.join(',')}`).toBe(msns.length);
  return byMsn;
}

/**
 * The VOD ladder a simulated live channel loops (testkit's startLiveChannel): `<dir>/<name>/master.m3u8`
 * with 240p, 720p and audio renditions of `segments` one-second `content<i>.m4s` segments (audio
 * EXTINFs jittered as AAC frames are).
 */
export function writeChannelLadder(dir: string, name: string, segments: number): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(
    join(dir, name, 'master.m3u8'),
    ladderMaster((rendition) => `${rendition}/index.m3u8`),
  );
  for (const rendition of ['240p', '720p', 'audio']) {
    mkdirSync(join(dir, name, rendition), { recursive: true });
    writeFileSync(join(dir, name, rendition, 'index.m3u8'), vodMedia(segments, 'content', rendition === 'audio'));
  }
}
