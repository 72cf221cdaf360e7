/**
 * @module Reading string settings (environment variables, Worker bindings, flags) into typed
 * values, collecting every problem instead of failing at the first — one reader for both apps.
 */

/** Typed accessors over one settings source; each records a problem line instead of throwing. */
export interface SettingsReader {
  /** Every problem found so far, one line each (`NAME=value: expected …`). */
  readonly problems: string[];
  /** The trimmed value, or undefined when unset or blank. Non-string bindings are JSON-encoded. */
  raw(name: string): string | undefined;
  /** The trimmed value, or `fallback`. */
  str(name: string, fallback: string): string;
  /** An integer within [min, max], or `fallback` (a bad value is a problem). */
  int(name: string, fallback: number, min: number, max: number): number;
  /** `1|true|yes|on` or `0|false|no|off` (any case), or `fallback`. */
  bool(name: string, fallback: boolean): boolean;
  /** One of `allowed`, or `fallback`. */
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T;
  /** `value` when it is an http(s) URL (trailing slashes removed), else undefined (a problem when set). */
  url(name: string, value: string | undefined): string | undefined;
  /** A comma-separated list, trimmed, blanks dropped. */
  list(name: string): string[];
  /** A JSON value (a non-string binding is taken as it is), or undefined. */
  json(name: string): unknown;
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

/**
 * Wraps a settings source (process.env plus flags, or a Worker's env) in typed accessors.
 * @example
 * const s = createSettingsReader(env);
 * const port = s.int('PORT', 8080, 0, 65535);
 * if (s.problems.length > 0) throw new ConfigError(s.problems);
 */
export function createSettingsReader(source: Readonly<Record<string, unknown>>): SettingsReader {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const v = source[name];
    if (v === undefined || v === null) return undefined;
    const s = typeof v === 'string' ? v.trim() : JSON.stringify(v);
    return s === '' ? undefined : s;
  };
  return {
    problems,
    raw,
    str: (name, fallback) => raw(name) ?? fallback,
    int(name, fallback, min, max) {
      const v = raw(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        problems.push(`${name}=${v}: expected an integer from ${min} to ${max}`);
        return fallback;
      }
      return n;
    },
    bool(name, fallback) {
      const v = raw(name);
      if (v === undefined) return fallback;
      if (TRUE.test(v)) return true;
      if (FALSE.test(v)) return false;
      problems.push(`${name}=${v}: expected true or false`);
      return fallback;
    },
    oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
      const v = raw(name);
      if (v === undefined) return fallback;
      if ((allowed as readonly string[]).includes(v)) return v as T;
      problems.push(`${name}=${v}: expected one of ${allowed.join(', ')}`);
      return fallback;
    },
    url(name, value) {
      if (value === undefined) return undefined;
      let ok = false;
      try {
        const u = new URL(value);
        ok = u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        ok = false;
      }
      if (!ok) {
        problems.push(`${name}=${value}: expected an http(s) URL`);
        return undefined;
      }
      return value.replace(/\/+$/, '');
    },
    list: (name) =>
      (raw(name) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    json(name) {
      const v = source[name];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') return v;
      try {
        return JSON.parse(v) as unknown;
      } catch {
        problems.push(`${name}: not valid JSON`);
        return undefined;
      }
    },
  };
}
