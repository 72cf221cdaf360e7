/** @module Structured JSON logs: one line per event, written by an injected sink. */

/** Fields of one log line (besides time, level and msg). */
export type LogFields = Record<string, unknown>;

/** A structured logger; every call writes one JSON line. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Creates a logger writing JSON lines through `write` (default: stdout); `now` is the clock. */
export function createJsonLogger(
  base: LogFields = {},
  write: (line: string) => void = (l) => void process.stdout.write(`${l}\n`),
  now: () => number = Date.now,
): Logger {
  const emit = (level: string, msg: string, fields?: LogFields): void => {
    write(JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...base, ...fields }));
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** A logger that keeps lines in memory (tests and embedding). */
export function createMemoryLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createJsonLogger({}, (l) => void lines.push(JSON.parse(l) as Record<string, unknown>));
  return Object.assign(logger, { lines });
}

/** Describes an error for a log line without its stack (cause chain by message only). */
export function describeError(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    return {
      errorName: error.name,
      errorMessage: error.message,
      ...(code === undefined ? {} : { errorCode: code }),
      ...(cause ? { errorCause: cause } : {}),
    };
  }
  return { errorMessage: String(error) };
}

/**
 * Wraps `warn` so that each distinct message is written at most once per `intervalMs`, with a
 * count of what was suppressed: a dead dependency fails every request, and one line per
 * request would bury everything else.
 */
export function createThrottledWarn(
  log: Logger,
  intervalMs = 10_000,
  now: () => number = Date.now,
): (msg: string, fields?: LogFields) => void {
  const last = new Map<string, { atMs: number; suppressed: number }>();
  return (msg, fields) => {
    const t = now();
    const entry = last.get(msg);
    if (entry && t - entry.atMs < intervalMs) {
      entry.suppressed++;
      return;
    }
    log.warn(msg, { ...fields, ...(entry?.suppressed ? { suppressed: entry.suppressed } : {}) });
    last.set(msg, { atMs: t, suppressed: 0 });
  };
}
