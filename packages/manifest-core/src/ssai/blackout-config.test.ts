/** @module Tests of parseBlackoutRules: the JSON a zone takes as BLACKOUT_RULES, read strictly with error paths. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { parseBlackoutRules } from './blackout-config.ts';
import { ruleApplies } from './blackout.ts';

/** The code and path of what parseBlackoutRules throws for `input`. */
function refusal(
  input: unknown,
  options?: Parameters<typeof parseBlackoutRules>[1],
): { code: string; path: string | undefined } | undefined {
  try {
    parseBlackoutRules(input, options);
  } catch (e) {
    if (!isManifestError(e)) return { code: 'untyped', path: undefined };
    return { code: e.code, path: e.path };
  }
  return undefined;
}

const good = {
  rules: [
    {
      id: 'nfl-local',
      audience: { subdivisions: ['us-ma'], match: 'ANY' },
      trigger: { kind: 'wallClock', start: '2026-11-22T18:00:00Z', end: '2026-11-22T21:00:00+00:00' },
      replacementId: 'slate',
    },
    {
      id: 'rights',
      audience: { countries: ['US', 'ca'], match: 'ANY' },
      reverse: true,
      trigger: { kind: 'scte35', upid: 'EP012345670001', deviceGroup: 1 },
      replacementId: 'alt-feed',
    },
    {
      id: 'vod',
      audience: { continents: ['EU'], devices: ['tv'], match: 'ALL' },
      trigger: { kind: 'mediaTime', startSeconds: 60, endSeconds: 90.5 },
      replacementId: 'slate',
    },
    {
      id: 'epoch',
      audience: { countries: ['FR'], match: 'NONE' },
      trigger: { kind: 'wallClock', startMs: 1_000, endMs: 2_000 },
      replacementId: 'slate',
    },
  ],
};

describe('parseBlackoutRules', () => {
  it('reads every trigger kind, reverse rules and both wall-clock forms, upper-casing geographic codes', () => {
    const rules = parseBlackoutRules(JSON.stringify(good), { fillerIds: ['slate', 'alt-feed'] });
    expect(rules).toEqual([
      {
        id: 'nfl-local',
        audience: { subdivisions: ['US-MA'], match: 'ANY' },
        trigger: { kind: 'wallClock', startMs: Date.UTC(2026, 10, 22, 18), endMs: Date.UTC(2026, 10, 22, 21) },
        replacementId: 'slate',
      },
      {
        id: 'rights',
        audience: { countries: ['US', 'CA'], match: 'ANY' },
        reverse: true,
        trigger: { kind: 'scte35', upid: 'EP012345670001', deviceGroup: 1 },
        replacementId: 'alt-feed',
      },
      {
        id: 'vod',
        audience: { continents: ['EU'], devices: ['tv'], match: 'ALL' },
        trigger: { kind: 'mediaTime', startSeconds: 60, endSeconds: 90.5 },
        replacementId: 'slate',
      },
      {
        id: 'epoch',
        audience: { countries: ['FR'], match: 'NONE' },
        trigger: { kind: 'wallClock', startMs: 1_000, endMs: 2_000 },
        replacementId: 'slate',
      },
    ]);
    // A bare array and an already parsed value are read the same way.
    expect(parseBlackoutRules(good.rules)).toEqual(rules);
    expect(parseBlackoutRules('[]')).toEqual([]);
    expect(ruleApplies(rules[0]!, { country: 'US', subdivision: 'us-ma' })).toBe(true);
    expect(ruleApplies(rules[1]!, { country: 'CA' })).toBe(false);
  });

  it('names the offending field of a bad rule', () => {
    const withRule = (patch: Record<string, unknown>, i = 1) => ({
      rules: good.rules.map((r, k) => (k === i ? { ...r, ...patch } : r)),
    });
    const cases: [unknown, string][] = [
      ['{"rules": [', '$'],
      ['"rules"', '$'],
      [{ rules: {} }, '$.rules'],
      [{ rule: [] }, '$.rule'],
      [withRule({ colour: 'red' }), '$.rules[1].colour'],
      [withRule({ id: '../x' }), '$.rules[1].id'],
      [withRule({ id: 'nfl-local' }), '$.rules[1].id'],
      [withRule({ reverse: 'yes' }), '$.rules[1].reverse'],
      [withRule({ replacementId: 7 }), '$.rules[1].replacementId'],
      [withRule({ audience: { countries: ['USA'], match: 'ANY' } }), '$.rules[1].audience.countries[0]'],
      [withRule({ audience: { countries: ['US', 3], match: 'ANY' } }), '$.rules[1].audience.countries[1]'],
      [withRule({ audience: { continents: ['XX'], match: 'ANY' } }), '$.rules[1].audience.continents[0]'],
      [withRule({ audience: { subdivisions: ['MA'], match: 'ANY' } }), '$.rules[1].audience.subdivisions[0]'],
      [withRule({ audience: { countries: ['US'], match: 'any' } }), '$.rules[1].audience.match'],
      [withRule({ audience: { countries: [], match: 'ANY' } }), '$.rules[1].audience.countries'],
      [withRule({ audience: { match: 'ALL' } }), '$.rules[1].audience'],
      [withRule({ trigger: { kind: 'cron' } }), '$.rules[1].trigger.kind'],
      [withRule({ trigger: { kind: 'mediaTime', startSeconds: 30, endSeconds: 30 } }), '$.rules[1].trigger.endSeconds'],
      [
        withRule({ trigger: { kind: 'mediaTime', startSeconds: -1, endSeconds: 30 } }),
        '$.rules[1].trigger.startSeconds',
      ],
      [
        withRule({ trigger: { kind: 'wallClock', start: '2026-11-22 18:00', end: '2026-11-22T21:00:00Z' } }),
        '$.rules[1].trigger.start',
      ],
      [
        withRule({ trigger: { kind: 'wallClock', startMs: 5, start: '2026-11-22T18:00:00Z', endMs: 9 } }),
        '$.rules[1].trigger.startMs',
      ],
      [withRule({ trigger: { kind: 'wallClock', startMs: 9, endMs: 5 } }), '$.rules[1].trigger.endMs'],
      [withRule({ trigger: { kind: 'scte35', deviceGroup: 3 } }), '$.rules[1].trigger.deviceGroup'],
      [
        withRule({ trigger: { kind: 'scte35', segmentationEventId: 2 ** 32 } }),
        '$.rules[1].trigger.segmentationEventId',
      ],
      [withRule({ trigger: { kind: 'scte35', upid: 'x', extra: 1 } }), '$.rules[1].trigger.extra'],
    ];
    for (const [input, path] of cases)
      expect(refusal(input), JSON.stringify(input)).toEqual({ code: 'INVALID_BLACKOUT_RULES', path });
  });

  it('checks filler ids and size limits when asked', () => {
    expect(refusal(good, { fillerIds: ['slate'] })).toEqual({
      code: 'INVALID_BLACKOUT_RULES',
      path: '$.rules[1].replacementId',
    });
    expect(refusal(good, { maxRules: 3 })).toEqual({ code: 'INVALID_BLACKOUT_RULES', path: '$.rules' });
    expect(refusal(JSON.stringify(good), { maxChars: 100 })).toEqual({ code: 'INVALID_BLACKOUT_RULES', path: '$' });
  });

  it('never throws anything but INVALID_BLACKOUT_RULES for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = refusal(value);
        return r === undefined || r.code === 'INVALID_BLACKOUT_RULES';
      }),
      { numRuns: 300 },
    );
  });
});
