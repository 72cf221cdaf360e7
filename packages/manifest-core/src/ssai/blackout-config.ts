/**
 * @module Blackout rules from configuration: a strict reader of the JSON a zone or the edge takes as
 * its BLACKOUT_RULES setting, giving {@link BlackoutRule}s or a ManifestError INVALID_BLACKOUT_RULES
 * whose `path` names the offending field (`$[2].trigger.startMs`).
 */
import { ManifestError } from '../errors.ts';
import type { Audience, BlackoutRule, BlackoutTrigger } from './blackout.ts';

/** Limits and cross-checks of {@link parseBlackoutRules}. */
export interface ParseBlackoutRulesOptions {
  /** Largest accepted JSON text, in UTF-16 code units. Default 262_144 (256 KiB). */
  maxChars?: number;
  /** Most rules accepted. Default 1_000. */
  maxRules?: number;
  /** When given, every rule's `replacementId` must be one of these filler ids (slate, alternates). Default: not checked. */
  fillerIds?: readonly string[];
}

/** Defaults of {@link ParseBlackoutRulesOptions}. */
export const BLACKOUT_RULES_LIMITS = Object.freeze({ maxChars: 262_144, maxRules: 1_000 });

/** The seven continent codes Cloudflare's request.cf.continent and CloudFront use. */
const CONTINENTS = new Set(['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA']);
const COUNTRY = /^[A-Z]{2}$/;
/** ISO 3166-2: country, hyphen, 1–3 alphanumerics (`US-MA`, `GB-ENG`, `FR-75`). */
const SUBDIVISION = /^[A-Z]{2}-[A-Z0-9]{1,3}$/;
/** Rule, device and filler ids: printable, no spaces or quotes, so they are safe in URIs and logs. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** RFC 3339 date-time with a zone (what EXT-X-PROGRAM-DATE-TIME uses). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function fail(path: string, message: string): never {
  throw new ManifestError('INVALID_BLACKOUT_RULES', `${path}: ${message}`, { path });
}

type Json = Record<string, unknown>;

function object(value: unknown, path: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
  return value as Json;
}

function string(value: unknown, path: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(path, `must be ${what}`);
  return value;
}

function finite(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(path, `must be a number ≥ ${min}`);
  return value;
}

function codes(value: unknown, path: string, check: (code: string, path: string) => string): string[] {
  if (!Array.isArray(value) || value.length === 0) fail(path, 'must be a non-empty array');
  if (value.length > 1_000) fail(path, 'has more than 1000 entries');
  return value.map((v, i) => check(typeof v === 'string' ? v.toUpperCase() : '', `${path}[${i}]`));
}

function readAudience(value: unknown, path: string): Audience {
  const a = object(value, path, ['countries', 'continents', 'subdivisions', 'devices', 'match']);
  if (a.match !== 'ALL' && a.match !== 'ANY' && a.match !== 'NONE')
    fail(`${path}.match`, 'must be "ALL", "ANY" or "NONE"');
  const out: Audience = { match: a.match };
  if (a.countries !== undefined)
    out.countries = codes(a.countries, `${path}.countries`, (c, p) =>
      string(c, p, COUNTRY, 'an ISO 3166-1 alpha-2 code'),
    );
  if (a.continents !== undefined) {
    out.continents = codes(a.continents, `${path}.continents`, (c, p) =>
      CONTINENTS.has(c) ? c : fail(p, `must be one of ${[...CONTINENTS].join(', ')}`),
    );
  }
  if (a.subdivisions !== undefined)
    out.subdivisions = codes(a.subdivisions, `${path}.subdivisions`, (c, p) =>
      string(c, p, SUBDIVISION, 'an ISO 3166-2 code such as US-MA'),
    );
  if (a.devices !== undefined) {
    if (!Array.isArray(a.devices) || a.devices.length === 0) fail(`${path}.devices`, 'must be a non-empty array');
    out.devices = a.devices.map((d, i) => string(d, `${path}.devices[${i}]`, ID, 'a device class such as "tv"'));
  }
  // With no criterion, ALL and NONE would match everybody and ANY nobody: refuse the ambiguity.
  if (
    out.countries === undefined &&
    out.continents === undefined &&
    out.subdivisions === undefined &&
    out.devices === undefined
  ) {
    fail(path, 'needs at least one of countries, continents, subdivisions, devices');
  }
  return out;
}

/** An instant as epoch ms: an integer, or an RFC 3339 date-time with a zone. */
function instant(t: Json, msKey: string, isoKey: string, path: string): number {
  const ms = t[msKey];
  const iso = t[isoKey];
  if ((ms === undefined) === (iso === undefined))
    fail(`${path}.${msKey}`, `give exactly one of ${msKey} (epoch ms) or ${isoKey} (RFC 3339)`);
  if (ms !== undefined) {
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0)
      fail(`${path}.${msKey}`, 'must be a non-negative integer (epoch ms)');
    return ms;
  }
  const text = string(
    iso,
    `${path}.${isoKey}`,
    ISO_DATE,
    'an RFC 3339 date-time with a zone, e.g. 2026-11-22T18:00:00Z',
  );
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) fail(`${path}.${isoKey}`, 'is not a valid date');
  return parsed;
}

function readTrigger(value: unknown, path: string): BlackoutTrigger {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  const kind = (value as Json).kind;
  switch (kind) {
    case 'wallClock': {
      const t = object(value, path, ['kind', 'startMs', 'endMs', 'start', 'end']);
      const startMs = instant(t, 'startMs', 'start', path);
      const endMs = instant(t, 'endMs', 'end', path);
      if (!(endMs > startMs)) fail(`${path}.${t.endMs !== undefined ? 'endMs' : 'end'}`, 'must be after the start');
      return { kind, startMs, endMs };
    }
    case 'mediaTime': {
      const t = object(value, path, ['kind', 'startSeconds', 'endSeconds']);
      const startSeconds = finite(t.startSeconds, `${path}.startSeconds`, 0);
      const endSeconds = finite(t.endSeconds, `${path}.endSeconds`, 0);
      if (!(endSeconds > startSeconds)) fail(`${path}.endSeconds`, 'must be greater than startSeconds');
      return { kind, startSeconds, endSeconds };
    }
    case 'scte35': {
      const t = object(value, path, ['kind', 'upid', 'segmentationEventId', 'deviceGroup']);
      const out: BlackoutTrigger = { kind };
      if (t.upid !== undefined) {
        if (typeof t.upid !== 'string' || t.upid.length === 0 || t.upid.length > 512)
          fail(`${path}.upid`, 'must be a non-empty string (as describeScte35Break gives it)');
        out.upid = t.upid;
      }
      if (t.segmentationEventId !== undefined) {
        const id = t.segmentationEventId;
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff)
          fail(`${path}.segmentationEventId`, 'must be a 32-bit unsigned integer');
        out.segmentationEventId = id;
      }
      if (t.deviceGroup !== undefined) {
        if (t.deviceGroup !== 0 && t.deviceGroup !== 1 && t.deviceGroup !== 2)
          fail(`${path}.deviceGroup`, 'must be 0, 1 or 2 (SCTE 35 device_restrictions)');
        out.deviceGroup = t.deviceGroup;
      }
      return out;
    }
    default:
      return fail(`${path}.kind`, 'must be "wallClock", "mediaTime" or "scte35"');
  }
}

/**
 * Reads blackout rules from configuration: JSON text (or an already parsed value) holding an
 * array of rules or `{ "rules": [...] }`. Strict: unknown fields, wrong types, empty audiences,
 * empty windows, duplicate ids and unknown filler ids (with `fillerIds`) are refused with
 * ManifestError INVALID_BLACKOUT_RULES, its `path` naming the field. Country, continent and
 * subdivision codes are upper-cased; wall-clock windows take epoch ms (`startMs`/`endMs`) or
 * RFC 3339 (`start`/`end`).
 *
 * @example
 * const rules = parseBlackoutRules(env.BLACKOUT_RULES ?? '[]', { fillerIds: ['slate', 'alt-feed'] });
 * // [{"id":"nfl-local","audience":{"subdivisions":["US-MA"],"match":"ANY"},
 * //   "trigger":{"kind":"wallClock","start":"2026-11-22T18:00:00Z","end":"2026-11-22T21:00:00Z"},"replacementId":"slate"}]
 */
export function parseBlackoutRules(input: unknown, options: ParseBlackoutRulesOptions = {}): BlackoutRule[] {
  const maxChars = options.maxChars ?? BLACKOUT_RULES_LIMITS.maxChars;
  const maxRules = options.maxRules ?? BLACKOUT_RULES_LIMITS.maxRules;
  let value = input;
  if (typeof input === 'string') {
    if (input.length > maxChars) fail('$', `longer than ${maxChars} characters`);
    try {
      value = JSON.parse(input) as unknown;
    } catch (cause) {
      throw new ManifestError(
        'INVALID_BLACKOUT_RULES',
        `$: not JSON (${cause instanceof Error ? cause.message : 'parse error'})`,
        { path: '$', cause },
      );
    }
  }
  let list = value;
  let base = '$';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    list = object(value, '$', ['rules']).rules;
    base = '$.rules';
  }
  if (!Array.isArray(list)) fail(base, 'must be an array of rules (or {"rules": [...]})');
  if (list.length > maxRules) fail(base, `more than ${maxRules} rules`);
  const fillerIds = options.fillerIds === undefined ? undefined : new Set(options.fillerIds);
  const ids = new Set<string>();
  return list.map((item, i) => {
    const path = `${base}[${i}]`;
    const r = object(item, path, ['id', 'audience', 'trigger', 'replacementId', 'reverse']);
    const id = string(r.id, `${path}.id`, ID, 'an id of 1–128 characters [A-Za-z0-9_.:-]');
    if (ids.has(id)) fail(`${path}.id`, `duplicate rule id "${id}"`);
    ids.add(id);
    const replacementId = string(
      r.replacementId,
      `${path}.replacementId`,
      ID,
      'a filler id of 1–128 characters [A-Za-z0-9_.:-]',
    );
    if (fillerIds !== undefined && !fillerIds.has(replacementId))
      fail(
        `${path}.replacementId`,
        `no filler asset "${replacementId}" (known: ${[...fillerIds].join(', ') || 'none'})`,
      );
    if (r.reverse !== undefined && typeof r.reverse !== 'boolean') fail(`${path}.reverse`, 'must be true or false');
    const rule: BlackoutRule = {
      id,
      audience: readAudience(r.audience, `${path}.audience`),
      trigger: readTrigger(r.trigger, `${path}.trigger`),
      replacementId,
    };
    if (r.reverse === true) rule.reverse = true;
    return rule;
  });
}
