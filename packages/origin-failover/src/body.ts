/** @module Response bodies under the read timeout (gaps between chunks), the completion cap, and cross-origin resume with Range + If-Match. */
import type { Clock, TimerHandle } from './clock.ts';
import { OriginError, isOriginError } from './errors.ts';

/** A source of body bytes and a way to stop the attempt that produces them. */
export interface BodySource {
  stream: ReadableStream<Uint8Array>;
  /** Aborts the attempt behind the stream (connection closed, loser cancelled). */
  abort(): void;
  originId: string;
}

/** How a broken body continues elsewhere; absent when the body cannot be resumed. */
export interface BodyResume {
  /** Total length the whole body must have (Content-Length of the first response). */
  totalBytes: number;
  /** Opens the rest of the body from `offset` on another origin, or throws an OriginError. */
  open(offset: number, failed: BodySource, error: OriginError): Promise<BodySource>;
}

/** Options of {@link createTimedBody}. */
export interface TimedBodyOptions {
  clock: Clock;
  /** Longest wait for the next chunk, in ms (CF9 read timeout: gaps between packets). */
  responseTimeoutMs: number;
  /** Epoch ms by which the whole body must have arrived (completion timeout), if any. */
  completeByMs?: number;
  resume?: BodyResume;
  /** Why a body failure cannot be resumed (weak ETag, no length…); the stream then fails with BODY_RESUME_MISMATCH. */
  notResumableReason?: string;
  /** Called when the body breaks on `originId` (passive health). */
  onBroken?(originId: string, error: OriginError): void;
}

function asOriginError(err: unknown, originId: string): OriginError {
  if (isOriginError(err)) return err;
  return new OriginError('ORIGIN_NETWORK', { message: `body from origin ${originId} broke`, cause: err, originId });
}

/**
 * Wraps a response body so that a gap longer than the read timeout fails it, the
 * completion cap ends it, and — when `resume` is given — a break continues from the
 * next origin so that the consumer sees one correct stream.
 */
export function createTimedBody(first: BodySource, options: TimedBodyOptions): ReadableStream<Uint8Array> {
  const { clock } = options;
  let source = first;
  let reader = source.stream.getReader();
  let delivered = 0;
  let completionTimer: TimerHandle | undefined;
  let completionExpired = false;
  let wakeOnCompletion: ((err: OriginError) => void) | undefined;

  if (options.completeByMs !== undefined) {
    completionTimer = clock.setTimeout(
      () => {
        completionExpired = true;
        wakeOnCompletion?.(new OriginError('COMPLETION_TIMEOUT', { originId: source.originId }));
      },
      Math.max(0, options.completeByMs - clock.now()),
    );
  }

  const finish = (): void => {
    if (completionTimer !== undefined) clock.clearTimeout(completionTimer);
  };

  const readWithTimeout = (): Promise<ReadableStreamReadResult<Uint8Array>> =>
    new Promise((resolve, reject) => {
      if (completionExpired) return reject(new OriginError('COMPLETION_TIMEOUT', { originId: source.originId }));
      const timer = clock.setTimeout(() => {
        reject(
          new OriginError('ORIGIN_TIMEOUT', {
            message: `no body bytes from origin ${source.originId} for ${options.responseTimeoutMs} ms`,
            originId: source.originId,
          }),
        );
      }, options.responseTimeoutMs);
      wakeOnCompletion = (err) => {
        clock.clearTimeout(timer);
        reject(err);
      };
      reader.read().then(
        (r) => {
          clock.clearTimeout(timer);
          resolve(r);
        },
        (err: unknown) => {
          clock.clearTimeout(timer);
          reject(asOriginError(err, source.originId));
        },
      );
    });

  const dropSource = (): void => {
    reader.cancel().catch(() => undefined);
    source.abort();
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await readWithTimeout();
          if (result.done && options.resume && delivered < options.resume.totalBytes)
            throw new OriginError('ORIGIN_NETWORK', {
              message: `body from origin ${source.originId} ended after ${delivered} of ${options.resume.totalBytes} bytes`,
              originId: source.originId,
            });
        } catch (err) {
          const error = asOriginError(err, source.originId);
          dropSource();
          if (error.code === 'COMPLETION_TIMEOUT') {
            finish();
            controller.error(error);
            return;
          }
          options.onBroken?.(source.originId, error);
          if (options.notResumableReason !== undefined) {
            finish();
            controller.error(
              new OriginError('BODY_RESUME_MISMATCH', {
                message: `body broke after ${delivered} bytes and cannot be resumed: ${options.notResumableReason}`,
                cause: error,
                originId: source.originId,
              }),
            );
            return;
          }
          if (!options.resume) {
            finish();
            controller.error(error);
            return;
          }
          try {
            source = await options.resume.open(delivered, source, error);
            reader = source.stream.getReader();
            continue;
          } catch (resumeErr) {
            finish();
            controller.error(asOriginError(resumeErr, source.originId));
            return;
          }
        }
        if (result.done) {
          finish();
          controller.close();
          return;
        }
        delivered += result.value.byteLength;
        if (options.resume && delivered > options.resume.totalBytes) {
          finish();
          dropSource();
          controller.error(
            new OriginError('BODY_RESUME_MISMATCH', {
              message: `body longer than its Content-Length (${options.resume.totalBytes})`,
              originId: source.originId,
            }),
          );
          return;
        }
        controller.enqueue(result.value);
        return;
      }
    },
    cancel() {
      finish();
      dropSource();
    },
  });
}

/** Parses `Content-Range: bytes a-b/total`. */
export function parseContentRange(value: string | null): { start: number; end: number; total: number } | undefined {
  const m = value ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: Number(m[3]) };
}

/** True for a strong entity tag (`"x"`, not `W/"x"`), the only kind If-Match may compare (RFC 9110 §13.1.1). */
export function isStrongEtag(etag: string | null): etag is string {
  return !!etag && etag.startsWith('"') && etag.endsWith('"') && etag.length >= 2;
}
