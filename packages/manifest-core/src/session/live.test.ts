/** @module Tests of renderSessionLiveMedia: a viewer's wall-clock blackout in a live session window, across reloads. */
import { describe, expect, it } from 'vitest';
import { liveChannelText, slate } from '../../test/fixtures/ssai/fixtures.ts';
import { parsePlaylist } from '../playlist/parse.ts';
import type { BlackoutRule } from '../ssai/blackout.ts';
import { createLiveSession, type LiveSessionState } from '../ssai/live.ts';
import type { SessionUrls, SourcePlaylistText } from './playlist.ts';
import { renderSessionLiveMedia } from './live.ts';

const token = 'TOK.SIG';
const urls: SessionUrls = {
  sessionToken: token,
  mediaPlaylistUrl: (id) => `https://edge.example/v1/sessions/${token}/${id}.m3u8`,
  keyUrl: (k) => `https://edge.example/v1/keys/${k}?session=${token}`,
  steeringUrl: undefined,
  segmentBaseUrl: 'https://origin.example',
};
const epochMs = Date.UTC(2026, 10, 22, 18, 0, 0);
const rendition = { bandwidthBps: 3_000_000, resolution: { width: 1280, height: 720 } };
/** MSN 20 to 30 (6-second segments) are blacked out for US viewers. */
const rule: BlackoutRule = {
  id: 'us-rights',
  audience: { countries: ['US'], match: 'ANY' },
  trigger: { kind: 'wallClock', startMs: epochMs + 20 * 6000, endMs: epochMs + 30 * 6000 },
  replacementId: 'slate',
};
const windowAt = (firstMsn: number): SourcePlaylistText => ({
  path: '/live/c1/720p.m3u8',
  text: liveChannelText({ firstMsn, windowSize: 15, segmentSeconds: 6, epochMs, breaks: [], rendition: 'v720' }),
});

function reloads(country: string): { texts: string[]; state: LiveSessionState } {
  let state = createLiveSession();
  const texts: string[] = [];
  for (let first = 5; first <= 35; first++) {
    const out = renderSessionLiveMedia(windowAt(first), urls, {
      state,
      rendition,
      blackout: { rules: [rule], viewer: { country }, fillers: [slate()] },
    });
    texts.push(out.text);
    state = out.state;
  }
  return { texts, state };
}

describe('renderSessionLiveMedia with a blackout', () => {
  it("replaces the window's blacked-out wall-clock span with slate for a viewer in the audience, with sequence numbers that never go back", () => {
    const { texts } = reloads('US');
    let lastMsn = -1;
    let lastDsn = -1;
    let sawSlate = false;
    for (const text of texts) {
      const m = parsePlaylist(text).playlist;
      if (m.kind !== 'media') throw new Error('not media');
      expect(m.mediaSequence ?? 0).toBeGreaterThanOrEqual(lastMsn);
      expect(m.discontinuitySequence ?? 0).toBeGreaterThanOrEqual(lastDsn);
      lastMsn = m.mediaSequence ?? 0;
      lastDsn = m.discontinuitySequence ?? 0;
      for (const s of m.segments) {
        const msn = /\/live\/v720\/(\d+)\.ts/.exec(s.uri)?.[1];
        // No content between MSN 20 and 29 is ever served to this viewer.
        if (msn !== undefined) expect(Number(msn) < 20 || Number(msn) >= 30, s.uri).toBe(true);
        else {
          expect(s.uri).toMatch(/^https:\/\/ads\.example\.com\/slate\//);
          sawSlate = true;
        }
      }
    }
    expect(sawSlate).toBe(true);
    // 60 s of 2-second slate between MSN 19 and 30, wrapped in discontinuities.
    const during = texts.find((t) => t.includes('/live/v720/19.ts') && t.includes('/live/v720/30.ts'))!;
    expect(during.split('\n').filter((l) => !l.startsWith('#') && l.includes('/slate/'))).toHaveLength(30);
    expect(during).toContain('#EXT-X-KEY:METHOD=NONE');
  });

  it('leaves a viewer outside the audience the content', () => {
    const { texts, state } = reloads('FR');
    for (const text of texts) expect(text).not.toContain('/slate/');
    expect(state.decisions).toEqual([]);
    expect(texts[20]).toContain('/live/v720/25.ts');
  });
});
