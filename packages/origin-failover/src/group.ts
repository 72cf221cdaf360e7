/** @module The policy core: strict (CloudFront) and resilient origin groups over any transport, with injected time. */
import type { Clock, TimerHandle } from './clock.ts';
import type { Attempt, AttemptOutcome } from './errors.ts';
import { OriginError, isOriginError } from './errors.ts';
import type { BodyResume, BodySource } from './body.ts';
import { createTimedBody, isStrongEtag, parseContentRange } from './body.ts';
import { StalenessTracker } from './hls-scan.ts';
import { HedgeBudget, LatencyTracker } from './latency.ts';
import type { Candidate, OriginHealthSnapshot } from './memory.ts';
import { OriginMemory, parseRetryAfterMs } from './memory.ts';
import type { FailoverMode, OriginGroupOptions, RequestClass, ResolvedOptions, ResolvedOrigin } from './options.ts';
import { resolveOptions } from './options.ts';
import { classifyPath, joinOrigin, resolveTarget } from './paths.ts';
import type { Transport, TransportRequest, TransportResponse } from './transport.ts';

/** Per-request options of {@link OriginGroup.fetch}. */
export interface OriginRequestInit {
  /** Default GET. */
  method?: string;
  headers?: Headers | Record<string, string> | Array<[string, string]>;
  body?: ReadableStream<Uint8Array> | Uint8Array | string | null;
  /** Aborts every attempt; the request then fails with ABORTED. */
  signal?: AbortSignal;
}

/** What happened for one response: the origin that served it, every attempt, and the time to headers. */
export interface OriginReport {
  mode: FailoverMode;
  originId: string;
  status: number;
  requestClass: RequestClass;
  /** Milliseconds from the request's start to the chosen response's headers. */
  elapsedMs: number;
  /** Every attempt, oldest first (body resumes are appended while the body streams). */
  attempts: readonly Attempt[];
}

/** An origin group: `fetch` a path and get a standard Response from the best origin. */
export interface OriginGroup {
  readonly mode: FailoverMode;
  /** Configured origins in priority order. */
  readonly origins: ReadonlyArray<{ id: string; url: string }>;
  /**
   * Fetches a path (or a URL on a configured origin) with failover.
   * @example
   * const res = await group.fetch('/live/720p.m3u8');
   * res.headers.get('x-meridian-origin'); // "primary"
   */
  fetch(input: string | URL | Request, init?: OriginRequestInit): Promise<Response>;
  /** Failure memory per origin and request class (resilient mode). */
  health(): OriginHealthSnapshot[];
  /** Releases the transport's pooled connections. */
  close(): Promise<void>;
}

/** Header naming the origin that served a response. */
export const ORIGIN_HEADER = 'x-meridian-origin';
/** Header with the number of attempts made for a response. */
export const ATTEMPTS_HEADER = 'x-meridian-attempts';
/** Header with the milliseconds from the request's start to the response's headers. */
export const ELAPSED_HEADER = 'x-meridian-elapsed-ms';

const reports = new WeakMap<object, OriginReport>();

/** The report attached to a Response returned by an origin group, if it came from one. */
export function getOriginReport(response: Response): OriginReport | undefined {
  return reports.get(response);
}

/** The attempts behind a Response returned by an origin group (empty for other responses). */
export function getAttempts(response: Response): readonly Attempt[] {
  return reports.get(response)?.attempts ?? [];
}

// CF6: only these methods fail over.
const FAILOVER_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// CF10: only these are retried on the same origin after a response timeout.
const RETRY_ON_TIMEOUT_METHODS = new Set(['GET', 'HEAD']);
const HOP_BY_HOP = [
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
];
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
// Playlists above this are served unchecked rather than buffered (bounded memory, SPEC §9).
const MAX_PLAYLIST_SCAN_BYTES = 4 * 1024 * 1024;

interface RequestContext {
  method: string;
  path: string;
  cls: RequestClass;
  headers: Headers;
  body: OriginRequestInit['body'];
  startMs: number;
  attempts: Attempt[];
  perOrigin: Map<string, number>;
  completeByMs: number | undefined;
}

type AttemptResult =
  { ok: true; response: TransportResponse } | { ok: false; outcome: AttemptOutcome; error: OriginError };

interface Running {
  origin: ResolvedOrigin;
  attemptNo: number;
  startedMs: number;
  hedge: boolean;
  resume: boolean;
  probe: boolean;
  abort(outcome: AttemptOutcome): void;
  result: Promise<AttemptResult>;
}

function outcomeOf(err: unknown): AttemptOutcome {
  if (!isOriginError(err)) return 'network';
  switch (err.code) {
    case 'ORIGIN_REFUSED':
      return 'refused';
    case 'ORIGIN_CONNECT_TIMEOUT':
      return 'connect-timeout';
    case 'ORIGIN_TIMEOUT':
      return 'response-timeout';
    default:
      return 'network';
  }
}

function codeOf(outcome: AttemptOutcome): OriginError['code'] {
  switch (outcome) {
    case 'refused':
      return 'ORIGIN_REFUSED';
    case 'connect-timeout':
      return 'ORIGIN_CONNECT_TIMEOUT';
    case 'response-timeout':
      return 'ORIGIN_TIMEOUT';
    default:
      return 'ORIGIN_NETWORK';
  }
}

function cancelBody(res: TransportResponse): void {
  res.body?.cancel().catch(() => undefined);
}

/**
 * Builds an origin group on an explicit transport (the public `createOriginGroup`
 * picks fetch or undici for you).
 */
export function createOriginGroupWithTransport(options: OriginGroupOptions, transport: Transport): OriginGroup {
  const cfg: ResolvedOptions = resolveOptions(options);
  const clock: Clock = cfg.clock;
  const memory = new OriginMemory(cfg.ejection);
  const latency = cfg.hedging ? new LatencyTracker(cfg.hedging) : undefined;
  const budget = cfg.hedging ? new HedgeBudget(cfg.hedging) : undefined;
  const staleness = new StalenessTracker(cfg.stalePlaylistTargetDurations);

  const record = (ctx: RequestContext, run: Running, outcome: AttemptOutcome, status?: number): Attempt => {
    const attempt: Attempt = {
      originId: run.origin.id,
      attempt: run.attemptNo,
      outcome,
      ms: clock.now() - run.startedMs,
      startedAtMs: run.startedMs - ctx.startMs,
      ...(status !== undefined ? { status } : {}),
      ...(run.hedge ? { hedge: true } : {}),
      ...(run.resume ? { resume: true } : {}),
    };
    ctx.attempts.push(attempt);
    options.onAttempt?.(attempt, ctx.cls);
    return attempt;
  };

  /** Starts one attempt with its own connect / first-byte timers. */
  const startAttempt = (
    ctx: RequestContext,
    origin: ResolvedOrigin,
    flags: { hedge?: boolean; resume?: boolean; probe?: boolean; headers?: Headers },
  ): Running => {
    const controller = new AbortController();
    const attemptNo = (ctx.perOrigin.get(origin.id) ?? 0) + 1;
    ctx.perOrigin.set(origin.id, attemptNo);
    const startedMs = clock.now();
    let reason: AttemptOutcome | undefined;
    let timer: TimerHandle | undefined;
    const abort = (outcome: AttemptOutcome): void => {
      if (reason === undefined) reason = outcome;
      controller.abort();
    };
    const arm = (ms: number, outcome: AttemptOutcome): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = clock.setTimeout(() => abort(outcome), ms);
    };
    let connected = false;
    // A transport that cannot see the connect (fetch) gets connect + first byte as one bound.
    if (transport.reportsConnect) arm(cfg.connectionTimeoutMs, 'connect-timeout');
    else arm(cfg.connectionTimeoutMs + cfg.responseTimeoutMs, 'response-timeout');
    const body = FAILOVER_METHODS.has(ctx.method) ? undefined : ctx.body;
    const send = (request: TransportRequest): Promise<TransportResponse> => {
      try {
        return transport.send(request);
      } catch (err) {
        return Promise.reject(err); // a transport that throws synchronously still yields an attempt outcome
      }
    };
    const result = send({
      origin,
      url: joinOrigin(origin, ctx.path),
      method: ctx.method,
      headers: flags.headers ?? new Headers(ctx.headers),
      ...(body !== undefined ? { body } : {}),
      signal: controller.signal,
      connectTimeoutMs: cfg.connectionTimeoutMs,
      responseTimeoutMs: cfg.responseTimeoutMs,
      onConnected: () => {
        if (connected || reason !== undefined) return;
        connected = true;
        arm(cfg.responseTimeoutMs, 'response-timeout');
      },
    }).then(
      (response): AttemptResult => {
        if (timer !== undefined) clock.clearTimeout(timer);
        if (reason !== undefined) {
          cancelBody(response);
          return { ok: false, outcome: reason, error: new OriginError(codeOf(reason), { originId: origin.id }) };
        }
        return { ok: true, response };
      },
      (err: unknown): AttemptResult => {
        if (timer !== undefined) clock.clearTimeout(timer);
        const outcome = reason ?? outcomeOf(err);
        const error =
          isOriginError(err) && reason === undefined
            ? err
            : new OriginError(codeOf(outcome), {
                originId: origin.id,
                cause: err,
                message: `origin ${origin.id}: ${outcome}`,
              });
        return { ok: false, outcome, error };
      },
    );
    return {
      origin,
      attemptNo,
      startedMs,
      hedge: !!flags.hedge,
      resume: !!flags.resume,
      probe: !!flags.probe,
      abort,
      result,
    };
  };

  const buildResponse = (
    ctx: RequestContext,
    run: Running,
    res: TransportResponse,
    body: ReadableStream<Uint8Array> | string | null,
  ): Response => {
    const headers = new Headers(res.headers);
    headers.set(ORIGIN_HEADER, run.origin.id);
    headers.set(ATTEMPTS_HEADER, String(ctx.attempts.length));
    const elapsedMs = clock.now() - ctx.startMs;
    headers.set(ELAPSED_HEADER, String(Math.round(elapsedMs)));
    const nullBody = ctx.method === 'HEAD' || NULL_BODY_STATUSES.has(res.status);
    if (nullBody && typeof body !== 'string') body?.cancel().catch(() => undefined);
    const response = new Response(nullBody ? null : body, {
      status: res.status,
      ...(res.statusText ? { statusText: res.statusText } : {}),
      headers,
    });
    const report: OriginReport = {
      mode: cfg.mode,
      originId: run.origin.id,
      status: res.status,
      requestClass: ctx.cls,
      elapsedMs,
      attempts: ctx.attempts,
    };
    reports.set(response, report);
    options.onResponse?.({
      originId: run.origin.id,
      status: res.status,
      elapsedMs,
      attempts: ctx.attempts,
      requestClass: ctx.cls,
    });
    return response;
  };

  const timedBody = (
    ctx: RequestContext,
    run: Running,
    res: TransportResponse,
    resume?: BodyResume,
    notResumableReason?: string,
  ): ReadableStream<Uint8Array> | null => {
    if (!res.body) return null;
    const source: BodySource = { stream: res.body, abort: () => run.abort('aborted'), originId: run.origin.id };
    return createTimedBody(source, {
      clock,
      responseTimeoutMs: cfg.responseTimeoutMs,
      ...(ctx.completeByMs !== undefined ? { completeByMs: ctx.completeByMs } : {}),
      ...(resume ? { resume } : {}),
      ...(notResumableReason !== undefined ? { notResumableReason } : {}),
      onBroken: (originId) => {
        if (cfg.mode === 'resilient') memory.failure(originId, ctx.cls, false, clock.now());
      },
    });
  };

  /** A CloudFront-style error answer when the last origin failed (CF8: its timeout → 504). */
  const exhaustedResponse = (ctx: RequestContext, run: Running, outcome: AttemptOutcome): Response => {
    const status = outcome === 'connect-timeout' || outcome === 'response-timeout' || outcome === 'aborted' ? 504 : 502;
    const code = outcome === 'aborted' ? 'COMPLETION_TIMEOUT' : 'ORIGIN_EXHAUSTED';
    const body = JSON.stringify({ error: { code, message: `origin ${run.origin.id}: ${outcome}` } });
    const headers = new Headers({ 'content-type': 'application/json', 'x-meridian-error': code });
    return buildResponse(ctx, run, { status, headers, body: null }, body);
  };

  // ——— strict: CloudFront origin groups (CF1–CF11) ———
  const fetchStrict = async (ctx: RequestContext, signal: AbortSignal | undefined): Promise<Response> => {
    const failoverable = FAILOVER_METHODS.has(ctx.method);
    // CF6/CF7: no memory, primary first every time; other methods only ever reach the primary.
    const order = failoverable ? cfg.origins : cfg.origins.slice(0, 1);
    let completionTimer: TimerHandle | undefined;
    let current: Running | undefined;
    let completionExpired = false;
    if (ctx.completeByMs !== undefined) {
      completionTimer = clock.setTimeout(() => {
        completionExpired = true;
        current?.abort('aborted');
      }, ctx.completeByMs - clock.now());
    }
    const onCallerAbort = (): void => current?.abort('aborted');
    signal?.addEventListener('abort', onCallerAbort);
    try {
      for (let oi = 0; oi < order.length; oi++) {
        const origin = order[oi] as ResolvedOrigin;
        const isLast = oi === order.length - 1;
        let last: { run: Running; outcome: AttemptOutcome } | undefined;
        for (let n = 1; n <= cfg.connectionAttempts; n++) {
          if (signal?.aborted) throw new OriginError('ABORTED', { attempts: ctx.attempts });
          const run = startAttempt(ctx, origin, {});
          current = run;
          const result = await run.result;
          if (result.ok) {
            const res = result.response;
            // CF4: listed codes from the primary go to the secondary; everything else is returned (3xx not followed).
            if (!isLast && cfg.failoverStatusCodes.has(res.status)) {
              record(ctx, run, 'failover-status', res.status);
              cancelBody(res);
              last = { run, outcome: 'failover-status' };
              break;
            }
            record(ctx, run, 'ok', res.status);
            return buildResponse(ctx, run, res, timedBody(ctx, run, res));
          }
          record(ctx, run, result.outcome);
          last = { run, outcome: result.outcome };
          if (signal?.aborted) throw new OriginError('ABORTED', { attempts: ctx.attempts, cause: result.error });
          if (completionExpired) return exhaustedResponse(ctx, run, 'aborted');
          // CF9: failures to connect use up ConnectionAttempts for every method (the request never left);
          // CF10: once the request was sent (response timeout, connection broken), only GET/HEAD are retried.
          const neverSent = result.outcome === 'refused' || result.outcome === 'connect-timeout';
          const retry = neverSent || RETRY_ON_TIMEOUT_METHODS.has(ctx.method);
          if (!retry) break;
        }
        if (!last) break;
        const next = order[oi + 1];
        if (next) {
          options.onFailover?.({
            fromOriginId: origin.id,
            toOriginId: next.id,
            reason: last.outcome,
            requestClass: ctx.cls,
          });
          continue;
        }
        // CF8: the secondary's failure is the answer: 504 on timeout, 502 otherwise.
        return exhaustedResponse(ctx, last.run, last.outcome);
      }
      throw new OriginError('ORIGIN_EXHAUSTED', { attempts: ctx.attempts });
    } finally {
      signal?.removeEventListener('abort', onCallerAbort);
      // The body (if any) carries its own completion timer.
      if (completionTimer !== undefined) clock.clearTimeout(completionTimer);
    }
  };

  // ——— resilient: memory, hedging, resume, Retry-After, HLS staleness ———
  const makeResume = (
    ctx: RequestContext,
    res: TransportResponse,
    first: Running,
  ): { resume?: BodyResume; notResumableReason?: string } => {
    if (!cfg.resumeBodies || ctx.method !== 'GET' || res.status !== 200 || !res.body || ctx.headers.has('range'))
      return {};
    const etag = res.headers.get('etag');
    const length = Number(res.headers.get('content-length') ?? NaN);
    const encoding = res.headers.get('content-encoding');
    if (!isStrongEtag(etag)) return { notResumableReason: etag ? `weak ETag ${etag}` : 'no ETag to send as If-Match' };
    if (!Number.isSafeInteger(length) || length < 0) return { notResumableReason: 'no Content-Length' };
    if (encoding && encoding !== 'identity') return { notResumableReason: `Content-Encoding ${encoding}` };
    let lastRun = first;
    const broken = new Set<string>(); // origins whose body broke during this response: tried last
    const resume: BodyResume = {
      totalBytes: length,
      open: async (offset, failed, error) => {
        // The attempt that was streaming is recorded again with how its body ended.
        record(ctx, lastRun, outcomeOf(error));
        // Continue from the next origin in priority order; origins that already broke are the last resort.
        broken.add(failed.originId);
        const order = memory.candidates(cfg.origins, ctx.cls, clock.now()).map((c) => c.origin);
        const others = [...order.filter((o) => !broken.has(o.id)), ...order.filter((o) => broken.has(o.id))];
        for (const origin of others) {
          const headers = new Headers(ctx.headers);
          headers.set('range', `bytes=${offset}-`);
          headers.set('if-match', etag);
          const run = startAttempt(ctx, origin, { resume: true, headers });
          const result = await run.result;
          if (!result.ok) {
            record(ctx, run, result.outcome);
            memory.failure(origin.id, ctx.cls, false, clock.now());
            continue;
          }
          const r = result.response;
          const range = parseContentRange(r.headers.get('content-range'));
          const rEtag = r.headers.get('etag');
          let mismatch: string | undefined;
          if (r.status === 412) mismatch = `origin ${origin.id} answered 412: ETag ${etag} no longer matches`;
          else if (r.status === 200) mismatch = `origin ${origin.id} ignored Range and sent 200`;
          else if (
            r.status === 206 &&
            (!range || range.start !== offset || range.end !== length - 1 || range.total !== length)
          )
            mismatch = `origin ${origin.id} sent Content-Range ${r.headers.get('content-range')}, expected bytes ${offset}-${length - 1}/${length}`;
          else if (r.status === 206 && rEtag !== null && rEtag !== etag)
            mismatch = `origin ${origin.id} sent ETag ${rEtag}, expected ${etag}`;
          if (mismatch !== undefined) {
            record(ctx, run, 'ok', r.status);
            cancelBody(r);
            throw new OriginError('BODY_RESUME_MISMATCH', {
              message: mismatch,
              attempts: ctx.attempts,
              originId: origin.id,
              cause: error,
            });
          }
          if (r.status !== 206 || !r.body) {
            record(ctx, run, 'failover-status', r.status);
            cancelBody(r);
            continue;
          }
          record(ctx, run, 'ok', r.status);
          options.onFailover?.({
            fromOriginId: failed.originId,
            toOriginId: origin.id,
            reason: outcomeOf(error),
            requestClass: ctx.cls,
          });
          lastRun = run;
          return { stream: r.body, abort: () => run.abort('aborted'), originId: origin.id };
        }
        throw new OriginError('ORIGIN_EXHAUSTED', {
          message: `no origin could resume the body at byte ${offset}`,
          attempts: ctx.attempts,
          cause: error,
        });
      },
    };
    return { resume };
  };

  /**
   * Buffers a playlist for the staleness check, up to MAX_PLAYLIST_SCAN_BYTES; a larger body
   * is passed on unchecked as one stream (what was read, then the rest), so memory stays bounded.
   */
  const readPlaylist = async (
    stream: ReadableStream<Uint8Array> | null,
  ): Promise<{ text: string } | { stream: ReadableStream<Uint8Array> }> => {
    if (!stream) return { text: '' };
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
      total += r.value.byteLength;
      if (total > MAX_PLAYLIST_SCAN_BYTES) {
        const rest = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const head = chunks.shift();
            if (head) return controller.enqueue(head);
            const next = await reader.read();
            if (next.done) controller.close();
            else controller.enqueue(next.value);
          },
          cancel: (reason) => reader.cancel(reason),
        });
        return { stream: rest };
      }
    }
    const all = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      all.set(c, offset);
      offset += c.byteLength;
    }
    return { text: new TextDecoder().decode(all) };
  };

  const fetchResilient = (ctx: RequestContext, signal: AbortSignal | undefined): Promise<Response> => {
    const failoverable = FAILOVER_METHODS.has(ctx.method);
    let candidates: Candidate[] = memory.candidates(cfg.origins, ctx.cls, clock.now());
    if (candidates.length === 0)
      return Promise.reject(
        new OriginError('ORIGIN_EXHAUSTED', {
          message: 'every origin asked for a pause (Retry-After)',
          attempts: ctx.attempts,
        }),
      );
    if (!failoverable) candidates = candidates.slice(0, 1);
    const requestDone = budget?.requestStarted();

    return new Promise<Response>((resolve, reject) => {
      const running = new Set<Running>();
      const releases = new Map<Running, () => void>();
      let next = 0;
      let settled = false;
      let hedged = false;
      let hedgeTimer: TimerHandle | undefined;
      let winnerStartedMs = Infinity;
      let evaluating = 0; // attempts whose playlist body is being read
      let lastFailover: { res: TransportResponse; run: Running; text?: string } | undefined;

      const cleanup = (): void => {
        settled = true;
        clock.clearTimeout(deadlineTimer);
        if (hedgeTimer !== undefined) clock.clearTimeout(hedgeTimer);
        signal?.removeEventListener('abort', onCallerAbort);
        requestDone?.();
      };
      const fail = (error: OriginError): void => {
        if (settled) return;
        cleanup();
        for (const r of running) r.abort('aborted');
        reject(error);
      };
      const completionFirst = ctx.completeByMs !== undefined && ctx.completeByMs - clock.now() < cfg.deadlineMs;
      const deadlineTimer = clock.setTimeout(
        () =>
          fail(
            completionFirst
              ? new OriginError('COMPLETION_TIMEOUT', { attempts: ctx.attempts })
              : new OriginError('DEADLINE_EXCEEDED', {
                  message: `no usable response within ${cfg.deadlineMs} ms`,
                  attempts: ctx.attempts,
                }),
          ),
        completionFirst ? (ctx.completeByMs as number) - clock.now() : cfg.deadlineMs,
      );
      const onCallerAbort = (): void => fail(new OriginError('ABORTED', { attempts: ctx.attempts }));
      signal?.addEventListener('abort', onCallerAbort);

      const win = (run: Running, res: TransportResponse, body?: string | ReadableStream<Uint8Array>): void => {
        cleanup();
        winnerStartedMs = run.startedMs;
        for (const other of running) if (other !== run) other.abort('hedge-lost');
        if (body !== undefined) {
          resolve(buildResponse(ctx, run, res, body));
          return;
        }
        const { resume, notResumableReason } = makeResume(ctx, res, run);
        resolve(buildResponse(ctx, run, res, timedBody(ctx, run, res, resume, notResumableReason)));
      };

      const launchNext = (hedge: boolean): boolean => {
        const candidate = candidates[next];
        if (!candidate) return false;
        next += 1;
        if (candidate.probe) memory.probeStarted(candidate.origin.id, ctx.cls);
        const run = startAttempt(ctx, candidate.origin, { hedge, probe: candidate.probe });
        running.add(run);
        void run.result
          .then((result) => onResult(run, result))
          .catch((err: unknown) =>
            fail(isOriginError(err) ? err : new OriginError('ORIGIN_NETWORK', { cause: err, attempts: ctx.attempts })),
          );
        return true;
      };

      const exhaustedOrNext = (from: Running, outcome: AttemptOutcome): void => {
        if (settled) return;
        const nextCandidate = candidates[next];
        if (nextCandidate) {
          options.onFailover?.({
            fromOriginId: from.origin.id,
            toOriginId: nextCandidate.origin.id,
            reason: outcome,
            requestClass: ctx.cls,
          });
          launchNext(false);
          return;
        }
        if (running.size > 0 || evaluating > 0) return; // a hedge is still in flight
        if (lastFailover) {
          // The last origin's answer is returned whatever it is (CF8), like a real 404 for a missing segment.
          const { run, res, text } = lastFailover;
          win(run, res, text);
          return;
        }
        fail(
          new OriginError('ORIGIN_EXHAUSTED', {
            message: `every origin failed for ${ctx.path}`,
            attempts: ctx.attempts,
          }),
        );
      };

      const onResult = async (run: Running, result: AttemptResult): Promise<void> => {
        running.delete(run);
        releases.get(run)?.();
        const nowMs = (): number => clock.now();
        if (!result.ok) {
          record(ctx, run, result.outcome);
          // A loser overtaken by a later request (it had more time and still lost) counts as a failure: that is how a black hole is found while hedges hide it.
          if (result.outcome === 'hedge-lost' ? run.startedMs < winnerStartedMs : result.outcome !== 'aborted')
            memory.failure(run.origin.id, ctx.cls, run.probe, nowMs());
          else if (run.probe) memory.probeAbandoned(run.origin.id, ctx.cls);
          exhaustedOrNext(run, result.outcome);
          return;
        }
        const res = result.response;
        if (settled) {
          cancelBody(res);
          return;
        }
        if (res.status === 503 || res.status === 429) {
          const delayMs = parseRetryAfterMs(res.headers.get('retry-after'), nowMs());
          if (delayMs !== undefined) memory.blockUntil(run.origin.id, nowMs() + Math.min(delayMs, cfg.maxRetryAfterMs));
        }
        if (failoverable && cfg.failoverStatusCodes.has(res.status)) {
          record(ctx, run, 'failover-status', res.status);
          // A listed 4xx (a replica without the object yet) says the origin is up; 5xx, 408 and 429 count against it.
          if (res.status >= 500 || res.status === 408 || res.status === 429)
            memory.failure(run.origin.id, ctx.cls, run.probe, nowMs());
          else memory.success(run.origin.id, ctx.cls, run.probe);
          if (lastFailover) cancelBody(lastFailover.res);
          lastFailover = { res, run };
          exhaustedOrNext(run, 'failover-status');
          return;
        }
        if (ctx.method === 'GET' && ctx.cls === 'playlist' && res.status === 200) {
          let read: { text: string } | { stream: ReadableStream<Uint8Array> };
          evaluating += 1;
          try {
            read = await readPlaylist(timedBody(ctx, run, res));
          } catch (err) {
            evaluating -= 1;
            if (settled) return;
            const outcome = outcomeOf(err);
            record(ctx, run, outcome, res.status); // the timed body already told the memory (onBroken)
            if (run.probe) memory.probeAbandoned(run.origin.id, ctx.cls);
            exhaustedOrNext(run, outcome);
            return;
          }
          evaluating -= 1;
          if (settled) {
            if ('stream' in read) read.stream.cancel().catch(() => undefined);
            return;
          }
          const text = 'text' in read ? read.text : undefined;
          if (text !== undefined && staleness.observe(run.origin.id, ctx.path, text, nowMs())) {
            record(ctx, run, 'stale-playlist', res.status);
            memory.failure(run.origin.id, ctx.cls, run.probe, nowMs());
            if (lastFailover) cancelBody(lastFailover.res);
            lastFailover = { res, run, text };
            exhaustedOrNext(run, 'stale-playlist');
            return;
          }
          record(ctx, run, 'ok', res.status);
          memory.success(run.origin.id, ctx.cls, run.probe);
          latency?.record(run.origin.id, ctx.cls, nowMs() - run.startedMs);
          if (lastFailover) cancelBody(lastFailover.res);
          win(run, res, 'text' in read ? read.text : read.stream);
          return;
        }
        record(ctx, run, 'ok', res.status);
        memory.success(run.origin.id, ctx.cls, run.probe);
        latency?.record(run.origin.id, ctx.cls, nowMs() - run.startedMs);
        if (lastFailover) cancelBody(lastFailover.res);
        win(run, res);
      };

      launchNext(false);
      const first = candidates[0];
      if (latency && budget && first && ctx.method === 'GET' && candidates.length > 1) {
        hedgeTimer = clock.setTimeout(
          () => {
            hedgeTimer = undefined;
            if (settled || hedged || running.size === 0 || next >= candidates.length) return;
            const release = budget.tryAcquire();
            if (!release) return;
            hedged = true;
            const before = new Set(running);
            launchNext(true);
            for (const r of running) if (!before.has(r)) releases.set(r, release);
          },
          latency.hedgeDelayMs(first.origin.id, ctx.cls),
        );
      }
    });
  };

  const group: OriginGroup = {
    mode: cfg.mode,
    origins: cfg.origins.map((o) => ({ id: o.id, url: o.url.href })),
    fetch: async (input, init = {}) => {
      const isRequest = typeof input === 'object' && !(input instanceof URL);
      const target = resolveTarget(isRequest ? input.url : input, cfg.origins);
      const method = (init.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
      const headers = new Headers(init.headers ?? (isRequest ? input.headers : undefined));
      for (const h of HOP_BY_HOP) headers.delete(h);
      const body = init.body !== undefined ? init.body : isRequest ? input.body : undefined;
      const startMs = clock.now();
      const ctx: RequestContext = {
        method,
        path: target.path,
        cls: classifyPath(target.path),
        headers,
        body,
        startMs,
        attempts: [],
        perOrigin: new Map(),
        completeByMs: cfg.completionTimeoutMs !== undefined ? startMs + cfg.completionTimeoutMs : undefined,
      };
      const signal = init.signal ?? (isRequest ? input.signal : undefined);
      if (signal?.aborted) throw new OriginError('ABORTED', { attempts: ctx.attempts });
      return cfg.mode === 'strict' ? fetchStrict(ctx, signal) : fetchResilient(ctx, signal);
    },
    health: () => memory.snapshot(clock.now()),
    close: async () => {
      await transport.close?.();
    },
  };
  return group;
}
