/** @module Tests of the manifest-core renderer: variant and segment URI rewriting, keys, steering, unknown tags kept. */
import { describe, expect, it } from 'vitest';
import { createManifestCoreRenderer } from './manifest-core-renderer.ts';
import type { SessionUrls } from '@meridian/manifest-core';
import type { RenderContext } from './playlist-renderer.ts';
import type { SourcePlaylist } from '../catalog.ts';

const urlsFor = (token: string): SessionUrls => ({
  sessionToken: token,
  mediaPlaylistUrl: (id) => `https://zone/v1/sessions/${token}/${id}.m3u8`,
  keyUrl: (k) => `https://zone/v1/keys/${k}?session=${token}`,
  steeringUrl: `https://zone/v1/steering/${token}.json`,
  segmentBaseUrl: 'https://cdn.example',
});
const ctx: RenderContext = {
  sessionToken: 'TOKEN.SIG',
  claims: {
    id: 's',
    kind: 'vod',
    contentId: 'a',
    mode: 'stitched',
    adParams: {},
    country: undefined,
    createdAtSeconds: 0,
    seed: 1,
  },
  urlsFor,
  templateKey: 'primary',
  pathways: [],
  breaks: {},
};
const source = (path: string, text: string): SourcePlaylist => ({
  path,
  text,
  originId: 'primary',
  live: false,
  targetDurationSeconds: 6,
});

describe('manifest-core renderer', () => {
  const renderer = createManifestCoreRenderer();
  const master = source(
    '/vod/a/master.m3u8',
    [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",URI="audio/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="aud"',
      '240p/index.m3u8',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="240p/iframes.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=2,AUDIO="aud"',
      '720p/index.m3u8',
      '#X-UNKNOWN:kept',
    ].join('\n'),
  );

  it('names renditions by kind and order, and maps each to its source URI', () => {
    expect(Object.fromEntries(renderer.listRenditions(master))).toEqual({
      r0: 'audio/index.m3u8',
      v0: '240p/index.m3u8',
      i0: '240p/iframes.m3u8',
      v1: '720p/index.m3u8',
    });
  });

  it('points every rendition at the session and adds the steering tag, keeping unknown tags', () => {
    const out = renderer.renderMaster(master, ctx).trimEnd().split('\n');
    expect(out).toContain('#EXT-X-CONTENT-STEERING:SERVER-URI="https://zone/v1/steering/TOKEN.SIG.json"');
    expect(out).toContain('https://zone/v1/sessions/TOKEN.SIG/v0.m3u8');
    expect(out).toContain('https://zone/v1/sessions/TOKEN.SIG/v1.m3u8');
    expect(out.join('\n')).toContain('URI="https://zone/v1/sessions/TOKEN.SIG/r0.m3u8"');
    expect(out.join('\n')).toContain('URI="https://zone/v1/sessions/TOKEN.SIG/i0.m3u8"');
    expect(out.at(-1)).toBe('#X-UNKNOWN:kept');
  });

  it('makes segment, map and key URIs absolute and session-bound, without re-encoding signed queries', () => {
    const media = source(
      '/vod/a/720p/index.m3u8',
      [
        '#EXTM3U',
        '#EXT-X-TARGETDURATION:6',
        '#EXT-X-MAP:URI="init.mp4"',
        '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k%201.key"',
        '#EXTINF:6,',
        'seg0.m4s?token=a%2Fb',
        '#EXTINF:6,',
        'https://other.example/seg1.m4s',
        '#EXT-X-ENDLIST',
      ].join('\n'),
    );
    const rendered = renderer.renderMedia(media, ctx);
    const out = typeof rendered === 'string' ? rendered : new TextDecoder().decode(rendered);
    expect(out).toContain('#EXT-X-MAP:URI="https://cdn.example/vod/a/720p/init.mp4?session=TOKEN.SIG"');
    expect(out).toContain('#EXT-X-KEY:METHOD=AES-128,URI="https://zone/v1/keys/k 1?session=TOKEN.SIG"');
    expect(out).toContain('https://cdn.example/vod/a/720p/seg0.m4s?token=a%2Fb&session=TOKEN.SIG');
    expect(out).toContain('https://other.example/seg1.m4s?session=TOKEN.SIG');
    expect(out.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    // Another viewer gets the same playlist with their own session, and nothing of the first one's.
    const other = renderer.renderMedia(media, { ...ctx, sessionToken: 'OTHER.TOKEN' });
    const otherText = typeof other === 'string' ? other : new TextDecoder().decode(other);
    expect(otherText).toBe(out.split('TOKEN.SIG').join('OTHER.TOKEN'));
  });

  it('writes one copy of the ladder per steering pathway, the first one named in EXT-X-CONTENT-STEERING', () => {
    const pathways = ['zone-a', 'zone-b'].map((id) => ({
      id,
      mediaPlaylistUrl: (r: string) => `https://${id}.example/v1/sessions/TOKEN.SIG/${r}.m3u8`,
    }));
    const out = renderer.renderMaster(master, { ...ctx, pathways });
    expect(out).toContain(
      '#EXT-X-CONTENT-STEERING:SERVER-URI="https://zone/v1/steering/TOKEN.SIG.json",PATHWAY-ID="zone-a"',
    );
    expect(
      out
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('#EXT-X-STREAM-INF') && l.includes('PATHWAY-ID="zone-b"') && l.includes('AUDIO="aud-zone-b"'),
        ),
    ).toHaveLength(2);
    expect(out).toContain('\nhttps://zone-b.example/v1/sessions/TOKEN.SIG/v1.m3u8\n');
  });
});
