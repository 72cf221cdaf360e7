/** @module A transport driven by a script per origin, for fake-clock tests of the policy core (timing only: real-socket behaviour is tested in test/). */
import { OriginError } from '../../src/errors.ts';
import type { Transport, TransportRequest, TransportResponse } from '../../src/transport.ts';
import type { Clock } from '../../src/clock.ts';

/** What one origin does for one attempt. */
export type Script =
  /** SYNs dropped: never connects. */
  | { kind: 'black-hole' }
  /** Connects, then never answers. */
  | { kind: 'silent' }
  | { kind: 'refused' }
  /** Connects and answers after `delayMs` (on the injected clock). */
  | {
      kind: 'respond';
      status?: number;
      body?: string;
      headers?: Record<string, string>;
      delayMs?: number;
      stallAfterBody?: boolean;
      dripEveryMs?: number;
    };

/** One request the scripted transport saw. */
export interface SeenAttempt {
  originId: string;
  method: string;
  path: string;
  headers: Headers;
  atMs: number;
}

/** A scripted transport and what it saw. */
export interface ScriptedTransport extends Transport {
  seen: SeenAttempt[];
  set(originId: string, script: Script | ((n: number) => Script)): void;
}

function abortable<T>(
  signal: AbortSignal,
  executor: (resolve: (v: T) => void, reject: (e: unknown) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    executor(resolve, reject);
  });
}

/** Creates a transport whose origins follow scripts on the given clock. */
export function createScriptedTransport(
  clock: Clock,
  scripts: Record<string, Script | ((n: number) => Script)>,
): ScriptedTransport {
  const table = new Map(Object.entries(scripts));
  const counts = new Map<string, number>();
  const seen: SeenAttempt[] = [];
  return {
    name: 'scripted',
    reportsConnect: true,
    seen,
    set: (id, script) => void table.set(id, script),
    send(req: TransportRequest): Promise<TransportResponse> {
      const n = (counts.get(req.origin.id) ?? 0) + 1;
      counts.set(req.origin.id, n);
      seen.push({
        originId: req.origin.id,
        method: req.method,
        path: req.url.pathname + req.url.search,
        headers: req.headers,
        atMs: clock.now(),
      });
      const entry = table.get(req.origin.id) ?? { kind: 'refused' };
      const script = typeof entry === 'function' ? entry(n) : entry;
      switch (script.kind) {
        case 'refused':
          return Promise.reject(new OriginError('ORIGIN_REFUSED', { originId: req.origin.id }));
        case 'black-hole':
          return abortable(req.signal, () => undefined);
        case 'silent':
          req.onConnected();
          return abortable(req.signal, () => undefined);
        case 'respond':
          req.onConnected();
          return abortable(req.signal, (resolve) => {
            const answer = (): void => {
              const bytes = new TextEncoder().encode(script.body ?? '');
              const body = new ReadableStream<Uint8Array>({
                start(controller) {
                  if (bytes.length) controller.enqueue(bytes);
                  if (script.dripEveryMs) {
                    // A body that never ends: one byte every dripEveryMs, until cancelled.
                    const drip = (): void => {
                      try {
                        controller.enqueue(new Uint8Array([120]));
                        clock.setTimeout(drip, script.dripEveryMs!);
                      } catch {
                        // cancelled
                      }
                    };
                    clock.setTimeout(drip, script.dripEveryMs);
                  } else if (!script.stallAfterBody) controller.close();
                },
              });
              resolve({ status: script.status ?? 200, headers: new Headers(script.headers), body });
            };
            if (script.delayMs) clock.setTimeout(answer, script.delayMs);
            else answer();
          });
      }
    },
  };
}
