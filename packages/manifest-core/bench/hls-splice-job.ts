/**
 * @module The hls-splice baseline of the SSAI benchmark, run as a child process by bench/ssai.ts
 * (hls-splice is stream-based and asynchronous; the bench runner is synchronous). Prints one JSON
 * line: the median CPU µs of its whole job (load + 6 × 4 insertAdAt + getMediaManifest, playlists
 * served from strings through its inject hooks) and the segment count of its output.
 */
import { Readable } from 'node:stream';
import HLSSpliceVod from '@eyevinn/hls-splice';
import {
  SSAI_ADS_PER_BREAK,
  SSAI_BANDWIDTH_BPS,
  SSAI_BREAK_OFFSETS_S,
  ssaiAdMasterText,
  ssaiAdMediaText,
  ssaiMasterText,
  ssaiVodText,
} from './ssai-inputs.ts';

const master = ssaiMasterText();
const media = ssaiVodText();

async function job(): Promise<string> {
  const vod = new HLSSpliceVod('https://origin.example.com/vod/master.m3u8', { merge: true });
  await vod.load(
    () => Readable.from([master]),
    () => Readable.from([media]),
  );
  // Later offsets first, so earlier insertions do not shift them (hls-splice offsets are content time).
  for (const offsetS of [...SSAI_BREAK_OFFSETS_S].reverse()) {
    for (let k = SSAI_ADS_PER_BREAK - 1; k >= 0; k--) {
      await vod.insertAdAt(
        offsetS * 1000,
        `https://ads.example.com/ad${k}/master.m3u8`,
        () => Readable.from([ssaiAdMasterText(k)]),
        () => Readable.from([ssaiAdMediaText(k)]),
      );
    }
  }
  return vod.getMediaManifest(SSAI_BANDWIDTH_BPS);
}

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const samples = Number(process.argv[2] ?? 9);
let out = '';
// Warm-up comparable to measure()'s 500 ms: JIT tiers settle after a few jobs.
for (let i = 0; i < 12; i++) out = await job();
const times: number[] = [];
for (let i = 0; i < samples; i++) {
  const t0 = cpuUs();
  out = await job();
  times.push(cpuUs() - t0);
}
times.sort((a, b) => a - b);
const segments = out.split('\n').filter((l) => l.startsWith('#EXTINF')).length;
console.log(JSON.stringify({ medianUs: times[Math.floor(times.length / 2)], segments }));
