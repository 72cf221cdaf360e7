/**
 * @module manifest-core benchmarks: `npm run bench -w @meridian/manifest-core`. A list of named
 * cases sharing one timing helper; each case measures ours against a baseline in the same run
 * and prints µs/op (medians) and the ratio. Add a section by appending to `CASES`.
 */
import { Parser } from 'm3u8-parser';
import {
  ladderFromMaster,
  parseMasterPlaylist,
  parseMediaPlaylist,
  parsePlaylist,
  renderMasterPlaylist,
  rewriteMediaPlaylist,
  serializePlaylist,
} from '../src/index.ts';
import { ssaiCases } from './ssai.ts';

// ————————————————————————————————————————————————————————————————— timing helper

/** Options of {@link measure}. */
interface MeasureOptions {
  /** Untimed warm-up (JIT tiers, inline caches), in milliseconds of CPU time. Default 500. */
  warmupMs?: number;
  /** Timed samples; the median is reported. Default 31. */
  samples?: number;
  /** Minimum CPU time of one sample, in milliseconds (calls are batched to reach it). Default 20. */
  sampleMs?: number;
}

/**
 * CPU time of this process in microseconds (user + system). Benchmarks run on shared CI and dev
 * machines where other processes take the cores; CPU time measures our work, wall time theirs too.
 */
function cpuNowUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * Median CPU time of one call of each function, in microseconds. Samples of the functions are
 * interleaved so that whatever else disturbs the machine affects all of them alike.
 */
function measure(fns: ReadonlyArray<() => unknown>, options: MeasureOptions = {}): number[] {
  const { warmupMs = 500, samples = 31, sampleMs = 20 } = options;
  let sink: unknown;
  const batches = fns.map((fn) => {
    const warmupEnd = cpuNowUs() + warmupMs * 1000;
    while (cpuNowUs() < warmupEnd) sink = fn();
    // Calibrate a batch size so that one sample takes about sampleMs of CPU.
    let batch = 1;
    for (;;) {
      const t0 = cpuNowUs();
      for (let i = 0; i < batch; i++) sink = fn();
      if (cpuNowUs() - t0 >= sampleMs * 1000 || batch >= 1 << 20) return batch;
      batch *= 2;
    }
  });
  const perCallUs = fns.map((): number[] => []);
  for (let s = 0; s < samples; s++) {
    fns.forEach((fn, f) => {
      const batch = batches[f]!;
      const t0 = cpuNowUs();
      for (let i = 0; i < batch; i++) sink = fn();
      perCallUs[f]!.push((cpuNowUs() - t0) / batch);
    });
  }
  if (sink === Symbol.for('never')) console.log(sink); // keeps results observable
  return perCallUs.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!);
}

/** One printed comparison: ours against a baseline measured in the same run. */
interface Comparison {
  label: string;
  oursUs: number;
  baselineLabel: string;
  baselineUs: number;
  /** Required baseline/ours ratio, if this comparison is a quality bar. */
  bar?: number;
}

function report(c: Comparison): boolean {
  const ratio = c.baselineUs / c.oursUs;
  const pass = c.bar === undefined || ratio >= c.bar;
  const bar = c.bar === undefined ? '' : `  (bar ≥ ${c.bar}×: ${pass ? 'PASS' : 'FAIL'})`;
  console.log(
    `  ${c.label.padEnd(44)} ${c.oursUs.toFixed(1).padStart(9)} µs/op | ${c.baselineLabel.padEnd(26)} ${c.baselineUs
      .toFixed(1)
      .padStart(9)} µs/op | ${ratio.toFixed(2)}× faster${bar}`,
  );
  return pass;
}

// ————————————————————————————————————————————————————————————————— inputs

/** A 1,200-segment fMP4 VOD playlist: MAP, a KEY rotation every 50 segments (FairPlay + Widevine), PDT, DATERANGEs. */
function vodPlaylist(segments: number): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    '#EXT-X-MAP:URI="init-v1080.mp4"',
  ];
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  for (let i = 0; i < segments; i++) {
    if (i % 50 === 0) {
      const kid = (1000 + i / 50).toString(16).padStart(32, '0');
      lines.push(
        `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://keys.example.com/${kid}",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"`,
        `#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;base64,AAAAW3Bzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAADsIARIQ${kid.slice(0, 22)}",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"`,
      );
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(start + i * 6006).toISOString()}`);
    if (i > 0 && i % 200 === 0) {
      lines.push(
        `#EXT-X-DATERANGE:ID="break-${i}",CLASS="com.example.ad",START-DATE="${new Date(start + i * 6006).toISOString()}",PLANNED-DURATION=30,SCTE35-OUT=0xFC302000000000000000FFF00506FE000000000000`,
      );
    }
    lines.push('#EXTINF:6.006,', `seg-v1080-${String(i).padStart(5, '0')}.m4s`);
  }
  lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** A 30-segment live window of TS segments with PDT, AES-128 and a CUE-OUT/CONT/IN break. */
function livePlaylist(): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-MEDIA-SEQUENCE:48211',
    '#EXT-X-DISCONTINUITY-SEQUENCE:12',
    '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/k/77",IV=0x0000000000000000000000000000BC53',
  ];
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  for (let i = 0; i < 30; i++) {
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(start + i * 6000).toISOString()}`);
    if (i === 10) lines.push('#EXT-X-CUE-OUT:DURATION=30');
    else if (i > 10 && i < 15) lines.push(`#EXT-X-CUE-OUT-CONT:ElapsedTime=${(i - 10) * 6},Duration=30`);
    else if (i === 15) lines.push('#EXT-X-CUE-IN');
    lines.push('#EXTINF:6.000,', `https://origin.example.com/live/ch1/720p/${48211 + i}.ts`);
  }
  return lines.join('\n') + '\n';
}

// ————————————————————————————————————————————————————————————————— cases

/** A named bench case: runs its measurements, prints them, returns false when a quality bar fails. */
interface BenchCase {
  name: string;
  run(): boolean;
}

function m3u8ParserParse(text: string): unknown {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest;
}

const CASES: BenchCase[] = [
  {
    name: 'playlist: parse + serialize vs m3u8-parser parse',
    run() {
      const vod = vodPlaylist(1200);
      const live = livePlaylist();
      let ok = true;
      for (const [label, text, bar] of [
        ['1,200-segment fMP4 VOD', vod, 3],
        ['30-segment live window', live, undefined],
      ] as const) {
        const roundTrip = (): string => serializePlaylist(parsePlaylist(text).playlist);
        // Sanity: the round trip re-parses to the same model (so we time real work, not a shortcut).
        if (JSON.stringify(parsePlaylist(roundTrip()).playlist) !== JSON.stringify(parsePlaylist(text).playlist)) {
          throw new Error(`${label}: the round trip changed the model`);
        }
        const [oursParseUs, oursUs, baselineUs] = measure([
          () => parsePlaylist(text),
          roundTrip,
          () => m3u8ParserParse(text),
        ]) as [number, number, number];
        ok =
          report({
            label: `${label}: parse only`,
            oursUs: oursParseUs,
            baselineLabel: 'm3u8-parser parse',
            baselineUs,
          }) && ok;
        ok =
          report({
            label: `${label}: parse + serialize`,
            oursUs,
            baselineLabel: 'm3u8-parser parse',
            baselineUs,
            bar,
          }) && ok;
      }
      return ok;
    },
  },
  {
    name: 'render: live reload (parse, trim 120 → 30, CDN URIs + token, 3-system DRM, serialize) vs m3u8-parser parse',
    run() {
      const origin = liveOrigin(120);
      const reload = (): string =>
        serializePlaylist(
          rewriteMediaPlaylist(parseMediaPlaylist(origin).playlist, {
            baseUrl: 'https://origin.example.com/live/ch1/720p/index.m3u8',
            cdnPrefix: 'https://cdn.example.net/o1',
            query: { session: 'sess-0123456789' },
            window: { maxSegments: 30 },
            drm: {
              method: 'SAMPLE-AES',
              keyId: (p) => (0xabc000 + p).toString(16).padStart(32, '0'),
              rotateEverySegments: 10,
              fairPlay: true,
              widevine: { contentId: 'ch1' },
              playReady: true,
            },
          }),
        );
      const master = (): string =>
        renderMasterPlaylist(
          ladderFromMaster(parseMasterPlaylist(masterText).playlist),
          { maxHeight: 1080 },
          {
            uri: '/v1/play/s1/{id}.m3u8',
            pathways: [
              { id: 'cdn-a', baseUrl: 'https://a.example' },
              { id: 'cdn-b', baseUrl: 'https://b.example' },
            ],
            contentSteering: { serverUri: '/v1/steering/s1.json' },
          },
        ).text;
      const [reloadUs, originBaselineUs, masterUs, masterBaselineUs] = measure([
        reload,
        () => m3u8ParserParse(origin),
        master,
        () => m3u8ParserParse(masterText),
      ]) as [number, number, number, number];
      report({
        label: 'live reload, 120-segment origin',
        oursUs: reloadUs,
        baselineLabel: 'm3u8-parser parse',
        baselineUs: originBaselineUs,
      });
      report({
        label: 'master: parse, ladder, 2 pathways, render',
        oursUs: masterUs,
        baselineLabel: 'm3u8-parser parse',
        baselineUs: masterBaselineUs,
      });
      return true;
    },
  },
  ...ssaiCases({ measure, report }),
];

/** A live origin window for the render case: fMP4, PDT on every segment, AES-128 origin keys. */
function liveOrigin(segments: number): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-MEDIA-SEQUENCE:48211',
    '#EXT-X-MAP:URI="init.mp4"',
  ];
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  for (let i = 0; i < segments; i++) {
    if (i % 10 === 0) lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/k/${i}"`);
    lines.push(
      `#EXT-X-PROGRAM-DATE-TIME:${new Date(start + i * 6000).toISOString()}`,
      '#EXTINF:6.000,',
      `${48211 + i}.m4s?hdnts=exp=1~acl=%2F*~hmac=ab%2Bcd`,
    );
  }
  return lines.join('\n') + '\n';
}

/** A five-rung origin master with one audio group and an I-frame stream. */
const masterText = [
  '#EXTM3U',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/index.m3u8"',
  ...[240, 480, 720, 1080, 2160].flatMap((h, i) => [
    `#EXT-X-STREAM-INF:BANDWIDTH=${[560, 1700, 3300, 5600, 16000][i]! * 1000},CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=${Math.round((h * 16) / 9)}x${h},FRAME-RATE=30,AUDIO="aac"`,
    `${h}p/index.m3u8`,
  ]),
  '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.64001f",RESOLUTION=1280x720,URI="720p/iframes.m3u8"',
].join('\n');

let allPass = true;
console.log(`manifest-core bench (Node ${process.version}; CPU µs per call, medians of interleaved batched samples)`);
for (const c of CASES) {
  console.log(`\n${c.name}`);
  allPass = c.run() && allPass;
}
console.log(allPass ? '\nall quality bars pass' : '\nSOME QUALITY BARS FAIL');
