/**
 * @module `npm run demo`: starts the whole system on loopback (see scripts/demo/README.md), prints
 * one `READY {json}` line on stdout, and serves until SIGINT/SIGTERM, then stops everything it started.
 */

import { startStack, type Stack } from './demo/stack.ts';

/** The demo's blackout example: Germany, 6–12 s of media time, slate. */
const DEMO_BLACKOUT_RULES = JSON.stringify({
  rules: [
    {
      id: 'demo-de',
      audience: { countries: ['DE'], match: 'ANY' },
      trigger: { kind: 'mediaTime', startSeconds: 6, endSeconds: 12 },
      replacementId: 'slate',
    },
  ],
});

const log = (line: string): void => {
  process.stderr.write(`[demo] ${line}\n`);
};

let stack: Stack | undefined;
let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  if (!stack) {
    // Mid-startup: startStack finishes (or fails and cleans up), then the main flow stops it.
    log(`${signal}: stopping once startup finishes`);
    return;
  }
  log(`${signal}: stopping`);
  await stack.stop();
  log('stopped');
  process.exit(0);
};
const onSigint = (): void => void stop('SIGINT');
const onSigterm = (): void => void stop('SIGTERM');
process.on('SIGINT', onSigint);
process.on('SIGTERM', onSigterm);

/**
 * Miniflare's exit hook answers SIGINT/SIGTERM with an immediate process.exit(130/143), before
 * anything is stopped in order; the demo stops every part itself (workerd through mf.dispose()).
 */
function ownSignals(): void {
  for (const [signal, ours] of [
    ['SIGINT', onSigint],
    ['SIGTERM', onSigterm],
  ] as const) {
    for (const listener of process.listeners(signal)) if (listener !== ours) process.off(signal, listener);
  }
}

try {
  // A blackout example by default: viewers in Germany get the slate over 6–12 s of the VOD
  // (pick DE on the player page). BLACKOUT_RULES overrides it; BLACKOUT_RULES= (empty) turns it off.
  const blackoutRules = process.env.BLACKOUT_RULES ?? DEMO_BLACKOUT_RULES;
  stack = await startStack({ log, live: true, ...(blackoutRules ? { blackoutRules } : {}) });
  ownSignals();
  if (stopping) {
    await stack.stop();
    log('stopped');
    process.exit(0);
  } else {
    const ready = {
      player: stack.player,
      master: stack.master,
      regionalMaster: stack.regionalMaster,
      liveMaster: stack.liveMaster,
      edge: stack.edge,
      zones: stack.zones.map((z) => ({ id: z.id, url: z.url })),
      regions: stack.regions.map((r) => ({ id: r.id, endpoint: r.endpoint })),
      cdn: stack.cdn,
      vast: stack.vast,
      sessions: stack.valkeyUrl ? 'valkey' : 'memory',
      contentSeconds: stack.contentSeconds,
      adSeconds: stack.adSeconds,
      breakOffsetsSeconds: stack.breakOffsetsSeconds,
      pid: process.pid,
    };
    process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
  }
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
}
