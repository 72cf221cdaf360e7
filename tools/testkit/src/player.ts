/**
 * @module playInChromium: real playback in Debian's Chromium (through playwright-core) with
 * hls.js, reporting what a viewer would notice (played time, stalls, fatal errors, fragments,
 * interstitials); and probeWithFfmpeg, ffmpeg as a second client.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { TestkitError } from './errors.ts';
import { playerPageHtml } from './player-page.ts';
import { sleep } from './ports.ts';
import { startStaticServer, type StaticServer } from './static-server.ts';

/** Chromium flags for a quiet, sandbox-free, autoplaying headless browser in CI. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** A hook run (once) when the played duration first reaches `atPlayedSeconds`, e.g. to kill an origin. */
export interface PlaybackHook {
  /** Played seconds (see {@link PlayReport.playedSeconds}) at which to run. */
  atPlayedSeconds: number;
  /** Runs while playback continues in the browser; the report waits for it. */
  run(): void | Promise<void>;
}

/** Options for {@link playInChromium}. */
export interface PlayOptions {
  /** Stop after this many seconds of playback; default: play until ENDED (VOD) or the timeout. */
  playSeconds?: number;
  /** Give up after this many ms of wall-clock time, reporting `outcome: 'timeout'`; default 60_000. */
  timeoutMs?: number;
  /** video.playbackRate; default 1. */
  playbackRate?: number;
  /** Seek here (seconds) once playback has started; default none. */
  seekToSeconds?: number;
  /** hls.js config overrides (JSON-serialisable), e.g. `{ enableInterstitialPlayback: false }`; default none. */
  hlsConfig?: Record<string, unknown>;
  /** Hooks at played times; default none. */
  hooks?: PlaybackHook[];
  /** Stop as soon as hls.js reports a fatal error on the primary stream; default true. */
  stopOnFatal?: boolean;
  /** Chromium binary for {@link playInChromium} (a {@link ChromiumPlayer} has its own); default `CHROMIUM_BIN`, else `/usr/bin/chromium`. */
  executablePath?: string;
  /** How often the report is read from the page, in ms; default 200. */
  pollIntervalMs?: number;
  /**
   * Keep hls.js debug lines matching this pattern (a RegExp source, e.g. `interstitial`), the newest 400,
   * in {@link PlayReport.hlsLog} — what hls.js decided, for a failure message; default none (logs off).
   */
  hlsLogPattern?: string;
}

/** An hls.js ERROR event with fatal=true. */
export interface PlayerFatalError {
  type: string;
  details: string;
  reason: string;
  url: string;
  /** Set when an interstitial asset player raised it (the primary playback may go on). */
  assetId: string | null;
  atMs: number;
}

/** One FRAG_LOADED of the primary player or of an interstitial asset player. */
export interface FragmentLoad {
  url: string;
  /** Media sequence number, or `'initSegment'`. */
  sn: number | 'initSegment';
  /** Discontinuity sequence (hls.js `cc`). */
  cc: number;
  level: number;
  /** `main`, `audio` or `subtitle`. */
  type: string;
  startSeconds: number;
  durationSeconds: number;
  /** Present for fragments of an interstitial asset. */
  assetId?: string;
  /** The fragment's PROGRAM-DATE-TIME in epoch ms, when the playlist has one. */
  programDateTimeMs?: number;
  atMs: number;
}

/** One rendition hls.js parsed from the master playlist. */
export interface PlayerLevel {
  bitrateBps: number;
  width: number;
  height: number;
  url: string;
}

/** What hls.js did with HLS Interstitials (hls.js ≥ 1.6). */
export interface InterstitialsReport {
  /** False when the loaded hls.js has no interstitials support. */
  supported: boolean;
  /** Interstitial events scheduled (EXT-X-DATERANGE CLASS="com.apple.hls.interstitial"). */
  events: {
    id: string;
    startSeconds: number;
    durationSeconds: number;
    assetCount: number;
    assetListUrl: string | null;
  }[];
  /** Items in the last schedule (primary segments and interstitials). */
  scheduleLength: number;
  /** Distinct breaks (event identifiers) hls.js started; a repeated INTERSTITIAL_STARTED for a break counts once (see `timeline`). */
  started: number;
  /** Distinct breaks hls.js ended. */
  ended: number;
  assetsStarted: number;
  assetsEnded: number;
  assetErrors: number;
  primaryResumed: number;
  /** Identifiers of the assets that started, in order. */
  assetIds: string[];
  /** Every interstitial event hls.js raised, in order, e.g. `started b1 @8.00` (for failure messages). */
  timeline: string[];
}

/** One rebuffer of a playback. */
export interface PlayerStall {
  /** video.currentTime when the element started waiting, seconds. */
  atSeconds: number;
  /** True when an interstitial was playing (hls.js's interstitials manager says its playing item is a break). */
  inInterstitial: boolean;
  /** How many distinct interstitials had started by then (0: before the first). */
  interstitialsStarted: number;
  /** Wall-clock ms until the element played again; null when it was still waiting when the report was taken. */
  ms: number | null;
}

/** What a playback looked like. */
export interface PlayReport {
  /** Why it stopped: played enough, ENDED, a fatal error, or the timeout. */
  outcome: 'played' | 'ended' | 'fatal' | 'timeout';
  /** Sum of forward currentTime steps while playing (seeks and jumps excluded), seconds. */
  playedSeconds: number;
  /** video.currentTime at the end, seconds. */
  currentTime: number;
  /** video.duration (null when unknown or infinite, i.e. live). */
  duration: number | null;
  ended: boolean;
  /** Wall-clock ms from start to first `playing`, or null when it never played. */
  startupMs: number | null;
  fatalErrors: PlayerFatalError[];
  /** Count of non-fatal hls.js errors by `details`. */
  nonFatalErrors: Record<string, number>;
  nonFatalErrorCount: number;
  /** `waiting` events after the first `playing` (rebuffering). */
  stallCount: number;
  /** Each rebuffer: where it began, and how long until the element played again (null: still waiting at the end). */
  stalls: PlayerStall[];
  /** Non-fatal BUFFER_STALLED_ERRORs. */
  bufferStalledErrors: number;
  levels: PlayerLevel[];
  levelSwitches: number;
  fragments: FragmentLoad[];
  interstitials: InterstitialsReport;
  /** HTMLMediaElement error, if any. */
  mediaError: { code: number; message: string } | null;
  /** The hls.js version that played. */
  hlsVersion: string;
  /** PID of the Chromium process that was launched (and is gone now). */
  browserPid: number;
  /** Page console errors and uncaught exceptions. */
  pageErrors: string[];
  /** What the instrumentation noticed on the way (rejected play(), interstitial asset ends, asset errors). */
  notes: string[];
  /** hls.js debug lines matching {@link PlayOptions.hlsLogPattern}, each prefixed with video.currentTime; empty without it. */
  hlsLog: string[];
}

interface PageReport extends Omit<
  PlayReport,
  'outcome' | 'startupMs' | 'browserPid' | 'pageErrors' | 'notes' | 'hlsVersion'
> {
  hlsVersion: string | null;
  supported: boolean;
  state: string;
  firstPlayAtMs: number | null;
  log: string[];
}

declare global {
  interface Window {
    __meridianStart(options: {
      src: string;
      hlsConfig?: Record<string, unknown>;
      playbackRate?: number;
      seekToSeconds?: number;
      hlsLogPattern?: string;
    }): void;
    __meridianReport(): PageReport;
    __meridianStop(): void;
  }
}

const require = createRequire(import.meta.url);

/** The directory of the installed hls.js build and its version. */
export function installedHlsJs(): { distDir: string; version: string } {
  const pkgPath = require.resolve('hls.js/package.json');
  const version = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  return { distDir: join(dirname(pkgPath), 'dist'), version };
}

async function launchChromium(
  executablePath: string,
  home: string,
): Promise<{ server: BrowserServer; browser: Browser }> {
  if (!existsSync(executablePath)) {
    throw new TestkitError('CHROMIUM_MISSING', `${executablePath} does not exist (apt-get install chromium)`);
  }
  for (const d of ['.config', '.cache', '.local/share', 'runtime']) mkdirSync(join(home, d), { recursive: true });
  let server: BrowserServer;
  try {
    // launchServer, not launch: it tells us the PID, and playwright kills that process group on close.
    server = await chromium.launchServer({
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_CACHE_HOME: join(home, '.cache'),
        XDG_DATA_HOME: join(home, '.local/share'),
        XDG_RUNTIME_DIR: join(home, 'runtime'),
      },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 30_000,
    });
  } catch (cause) {
    throw new TestkitError('CHROMIUM_MISSING', `cannot start ${executablePath}: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    return { server, browser: await chromium.connect(server.wsEndpoint()) };
  } catch (cause) {
    await server.kill();
    throw new TestkitError('PLAYER_FAILED', 'cannot connect to the launched Chromium', { cause });
  }
}

/** Options for {@link startChromium}. */
export interface ChromiumOptions {
  /** Chromium binary; default `CHROMIUM_BIN` from the environment, else `/usr/bin/chromium`. */
  executablePath?: string;
}

/** A running Chromium that can play several streams, each in a fresh browser context. */
export interface ChromiumPlayer {
  /** PID of the launched Chromium (the only process {@link ChromiumPlayer.close} ends). */
  pid: number;
  /** Plays `url` in a new context and reports; see {@link playInChromium}. */
  play(url: string, options?: PlayOptions): Promise<PlayReport>;
  /** Closes the browser (killing its process group if it will not close) and removes its temp HOME. */
  close(): Promise<void>;
}

/**
 * Launches Chromium once for several playbacks (saves a second or two per test); close it in `afterAll`.
 * @example
 * const chromium = await startChromium();
 * const a = await chromium.play(vodUrl);
 * const b = await chromium.play(liveUrl, { playSeconds: 10 });
 * await chromium.close();
 */
export async function startChromium(options: ChromiumOptions = {}): Promise<ChromiumPlayer> {
  const executablePath = options.executablePath ?? process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  const { distDir, version } = installedHlsJs();
  const html = playerPageHtml(`/hls.min.js?v=${version}`);
  const home = mkdtempSync(join(tmpdir(), 'meridian-chromium-'));
  let pageServer: StaticServer | undefined;
  let launched: { server: BrowserServer; browser: Browser } | undefined;
  const close = async (): Promise<void> => {
    if (launched) {
      const { server, browser } = launched;
      launched = undefined;
      await browser.close().catch(() => undefined);
      await server.close().catch(() => server.kill());
    }
    await pageServer?.close();
    pageServer = undefined;
    rmSync(home, { recursive: true, force: true });
  };
  try {
    pageServer = await startStaticServer(distDir, {
      onRequest: (_req, res, { path }) => {
        if (path === '/favicon.ico') {
          res.writeHead(204);
          res.end();
          return true;
        }
        if (path !== '/player.html') return false;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(html);
        return true;
      },
    });
    launched = await launchChromium(executablePath, home);
  } catch (error) {
    await close();
    throw error;
  }
  const pid = launched.server.process().pid ?? -1;
  const pageUrl = `${pageServer.url}/player.html`;
  return {
    pid,
    play: async (url, playOptions = {}) => {
      if (!launched) throw new TestkitError('PLAYER_FAILED', 'this Chromium is closed');
      const context = await launched.browser.newContext();
      try {
        return await playInPage(await context.newPage(), pageUrl, url, playOptions, version, pid);
      } finally {
        await context.close().catch(() => undefined);
      }
    },
    close,
  };
}

async function playInPage(
  page: Page,
  pageUrl: string,
  url: string,
  options: PlayOptions,
  version: string,
  pid: number,
): Promise<PlayReport> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const stopOnFatal = options.stopOnFatal ?? true;
  const hooks = [...(options.hooks ?? [])].sort((a, b) => a.atPlayedSeconds - b.atPlayedSeconds);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(pageUrl, { waitUntil: 'load', timeout: 30_000 });
  const startedAt = Date.now();
  await page.evaluate((o) => window.__meridianStart(o), {
    src: url,
    hlsConfig: options.hlsConfig ?? {},
    playbackRate: options.playbackRate ?? 1,
    ...(options.seekToSeconds !== undefined ? { seekToSeconds: options.seekToSeconds } : {}),
    ...(options.hlsLogPattern !== undefined ? { hlsLogPattern: options.hlsLogPattern } : {}),
  });

  let report: PageReport = await page.evaluate(() => window.__meridianReport());
  if (!report.supported)
    throw new TestkitError('PLAYER_FAILED', 'hls.js reports no MediaSource support in this Chromium');
  let outcome: PlayReport['outcome'] = 'timeout';
  const deadline = startedAt + timeoutMs;
  for (;;) {
    report = await page.evaluate(() => window.__meridianReport());
    while (hooks.length > 0 && report.playedSeconds >= hooks[0]!.atPlayedSeconds) await hooks.shift()!.run();
    if (report.ended) {
      outcome = 'ended';
      break;
    }
    if (stopOnFatal && report.state === 'fatal') {
      outcome = 'fatal';
      break;
    }
    if (options.playSeconds !== undefined && report.playedSeconds >= options.playSeconds) {
      outcome = 'played';
      break;
    }
    if (Date.now() >= deadline) break;
    await sleep(pollIntervalMs);
  }
  await page.evaluate(() => window.__meridianStop()).catch(() => undefined);
  report = await page.evaluate(() => window.__meridianReport());
  return {
    outcome,
    playedSeconds: Math.round(report.playedSeconds * 1000) / 1000,
    currentTime: report.currentTime,
    duration: report.duration,
    ended: report.ended,
    startupMs: report.firstPlayAtMs === null ? null : report.firstPlayAtMs - startedAt,
    fatalErrors: report.fatalErrors,
    nonFatalErrors: report.nonFatalErrors,
    nonFatalErrorCount: report.nonFatalErrorCount,
    stallCount: report.stallCount,
    stalls: report.stalls.map(({ atSeconds, inInterstitial, interstitialsStarted, ms }) => ({
      atSeconds,
      inInterstitial,
      interstitialsStarted,
      ms,
    })),
    bufferStalledErrors: report.bufferStalledErrors,
    levels: report.levels,
    levelSwitches: report.levelSwitches,
    fragments: report.fragments,
    interstitials: report.interstitials,
    mediaError: report.mediaError,
    hlsVersion: report.hlsVersion ?? version,
    browserPid: pid,
    pageErrors,
    notes: report.log,
    hlsLog: report.hlsLog,
  };
}

/**
 * Plays an HLS master URL in a freshly launched Chromium with the installed hls.js and reports
 * what happened. The browser is always closed (also on failure); only the process it launched is
 * ended. Use {@link startChromium} to play several streams in one browser.
 * @example
 * const report = await playInChromium(`${edge.url}/v1/master.m3u8`, {
 *   playSeconds: 20,
 *   hooks: [{ atPlayedSeconds: 8, run: () => primaryOrigin.kill() }],
 * });
 * expect(report.fatalErrors).toEqual([]);
 * expect(report.playedSeconds).toBeGreaterThan(19);
 */
export async function playInChromium(url: string, options: PlayOptions = {}): Promise<PlayReport> {
  const browser = await startChromium(
    options.executablePath !== undefined ? { executablePath: options.executablePath } : {},
  );
  try {
    return await browser.play(url, options);
  } finally {
    await browser.close();
  }
}

/** What ffmpeg made of a stream when decoding it to null. */
export interface FfmpegProbeReport {
  /** ffmpeg's exit code (non-zero on errors; 255 or a signal when killed by the timeout). */
  exitCode: number;
  /** What ffmpeg logged at error level or worse (one line each, the level tag removed). */
  stderr: string;
  /** Media time decoded, seconds (from `-progress` out_time_us). */
  decodedSeconds: number;
  /**
   * The input's duration as ffmpeg's demuxer read it (`Duration:`; for HLS VOD the playlist's EXTINF
   * sum), or null when it printed none (live). A stitched fMP4 playlist's timestamps restart at each
   * discontinuity and ffmpeg 5.1 keeps the first init section ("Found duplicated MOOV Atom"), so
   * there `decodedSeconds` is no duration measure; this and {@link openedUrls} are.
   */
  durationSeconds: number | null;
  /** Every URL ffmpeg opened for reading, in order (playlists, init sections, segments, keys). */
  openedUrls: string[];
  /** True when the timeout ended it. */
  timedOut: boolean;
}

/** Options for {@link probeWithFfmpeg}. */
export interface FfmpegProbeOptions {
  /** Decode at most this many seconds (`-t`), e.g. for live streams; default all. */
  durationSeconds?: number;
  /** Kill ffmpeg (by its PID) after this many ms; default 60_000. */
  timeoutMs?: number;
  /** Extra input options before `-i`, e.g. `['-live_start_index', '0']`; default none. */
  inputArgs?: string[];
}

/**
 * Decodes a URL with ffmpeg to the null muxer, as a second, non-browser client.
 * @example
 * const { exitCode, stderr, decodedSeconds } = await probeWithFfmpeg(`${edge.url}/v1/master.m3u8`);
 * expect(exitCode).toBe(0);
 */
export function probeWithFfmpeg(url: string, options: FfmpegProbeOptions = {}): Promise<FfmpegProbeReport> {
  // level+info: errors are told apart by their tag, and the HLS demuxer's "Opening '…' for reading" lines are kept.
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+info',
    '-progress',
    'pipe:1',
    '-nostats',
    ...(options.inputArgs ?? []),
    '-i',
    url,
  ];
  if (options.durationSeconds !== undefined) args.push('-t', String(options.durationSeconds));
  args.push('-f', 'null', '-');
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new TestkitError('FFMPEG_MISSING', 'ffmpeg is not installed or not on PATH (apt-get install ffmpeg)', {
              cause: err,
            })
          : new TestkitError('FFMPEG_FAILED', `cannot run ffmpeg: ${err.message}`, { cause: err }),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      let outUs = 0;
      for (const m of stdout.matchAll(/^out_time_us=(\d+)$/gm)) outUs = Math.max(outUs, Number(m[1]));
      const errors: string[] = [];
      const openedUrls: string[] = [];
      let durationSeconds: number | null = null;
      for (const line of stderr.split('\n')) {
        const level = /\[(panic|fatal|error|warning|info|verbose|debug|trace)\] /.exec(line);
        if (level === null) continue;
        if (level[1] === 'panic' || level[1] === 'fatal' || level[1] === 'error')
          errors.push(line.replace(level[0], ''));
        const opened = /Opening '(.+)' for reading$/.exec(line);
        if (opened) openedUrls.push(opened[1]!);
        const duration = /^\[info\]\s+Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(line);
        if (duration && durationSeconds === null)
          durationSeconds = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
      }
      resolve({
        exitCode: code ?? (signal ? 128 + 9 : 1),
        stderr: errors.length > 0 ? `${errors.join('\n')}\n` : '',
        decodedSeconds: outUs / 1e6,
        durationSeconds,
        openedUrls,
        timedOut,
      });
    });
  });
}
