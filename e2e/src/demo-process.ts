/** @module Runs `npm run demo`'s script as a child process and waits for its READY line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/demo/stack.ts';

/** The READY line's JSON (the fields the tests read). */
export interface ReadyInfo {
  player: string;
  master: string;
  regionalMaster: string;
  edge: string;
  zones: { id: string; url: string }[];
  cdn: string;
  contentSeconds: number;
  /** Seconds of each stitched ad. */
  adSeconds: number;
  /** Where the VOD breaks are (one ad each). */
  breakOffsetsSeconds: number[];
  [key: string]: unknown;
}

/** A running demo process. */
export interface DemoProcess {
  child: ChildProcess;
  ready: ReadyInfo;
  /** Every line the demo wrote to stdout. */
  stdoutLines: string[];
  /** Everything it wrote to stderr. */
  stderr(): string;
  /** Resolves with the exit code and signal once it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node --import tsx scripts/demo.ts` (what `npm run demo` runs) and resolves at READY. */
export function startDemoProcess(timeoutMs = 240_000): Promise<DemoProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', 'demo.ts')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VALKEY_URL: '' },
  });
  let stderr = '';
  const stdoutLines: string[] = [];
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`no READY line after ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        stdoutLines.push(line);
        if (line.startsWith('READY ')) {
          clearTimeout(timer);
          resolve({ child, ready: JSON.parse(line.slice(6)) as ReadyInfo, stdoutLines, stderr: () => stderr, exited });
        }
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code ?? signal}) before READY; stderr:\n${stderr}`));
    });
  });
}
