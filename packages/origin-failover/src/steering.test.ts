/** @module Route 53 steering semantics: geolocation, weights (statistically), failover records, evaluate-target-health. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isOriginError } from './errors.ts';
import {
  createSeededRandom,
  resolveSteering,
  validateSteeringTree,
  type SteeringNode,
  type WeightedNode,
} from './steering.ts';

const ep = (id: string, healthCheckId?: string): SteeringNode => ({
  type: 'endpoint',
  id,
  ...(healthCheckId ? { healthCheckId } : {}),
});
const healthy = (down: string[] = []) => ({
  isHealthy: (id: string) => !down.includes(id),
  random: createSeededRandom(42),
});

describe('geolocation (R1)', () => {
  const tree: SteeringNode = {
    type: 'geolocation',
    records: [
      { location: { country: 'US', subdivision: 'CA' }, target: ep('us-west'), healthCheckId: 'hc-usw' },
      { location: { country: 'US' }, target: ep('us-east'), healthCheckId: 'hc-use' },
      { location: { continent: 'NA' }, target: ep('na') },
      { location: { continent: 'EU' }, target: ep('eu') },
      { location: 'default', target: ep('global') },
    ],
  };

  it('picks the smallest matching area: subdivision > country > continent > default', () => {
    expect(resolveSteering(tree, { continent: 'NA', country: 'US', subdivision: 'CA' }, healthy())).toBe('us-west');
    expect(resolveSteering(tree, { continent: 'NA', country: 'US', subdivision: 'NY' }, healthy())).toBe('us-east');
    expect(resolveSteering(tree, { continent: 'NA', country: 'CA' }, healthy())).toBe('na');
    expect(resolveSteering(tree, { continent: 'EU', country: 'DE' }, healthy())).toBe('eu');
    expect(resolveSteering(tree, { continent: 'AS', country: 'JP' }, healthy())).toBe('global');
    expect(resolveSteering(tree, {}, healthy())).toBe('global');
  });

  it('moves to the next larger area when the smaller one is unhealthy', () => {
    expect(resolveSteering(tree, { continent: 'NA', country: 'US', subdivision: 'CA' }, healthy(['hc-usw']))).toBe(
      'us-east',
    );
    expect(
      resolveSteering(tree, { continent: 'NA', country: 'US', subdivision: 'CA' }, healthy(['hc-usw', 'hc-use'])),
    ).toBe('na');
  });

  it('gives no answer without a default when nothing matches', () => {
    const noDefault: SteeringNode = {
      type: 'geolocation',
      records: [{ location: { continent: 'EU' }, target: ep('eu') }],
    };
    expect(resolveSteering(noDefault, { continent: 'SA', country: 'BR' }, healthy())).toBeUndefined();
  });

  it('fails open to the smallest match when every matching record is unhealthy (R4)', () => {
    const t: SteeringNode = {
      type: 'geolocation',
      records: [
        { location: { country: 'FR' }, target: ep('fr'), healthCheckId: 'a' },
        { location: 'default', target: ep('global'), healthCheckId: 'b' },
      ],
    };
    expect(resolveSteering(t, { continent: 'EU', country: 'FR' }, healthy(['a', 'b']))).toBe('fr');
  });
});

describe('weighted (R2, R3)', () => {
  const count = (tree: SteeringNode, down: string[], n: number, seed = 7): Record<string, number> => {
    const random = createSeededRandom(seed);
    const out: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const id = resolveSteering(tree, {}, { isHealthy: (h) => !down.includes(h), random }) ?? 'none';
      out[id] = (out[id] ?? 0) + 1;
    }
    return out;
  };

  it('honours weights statistically (seeded RNG, chi-square below the 0.1 % critical value)', () => {
    const tree: WeightedNode = {
      type: 'weighted',
      records: [
        { weight: 10, target: ep('a') },
        { weight: 30, target: ep('b') },
        { weight: 60, target: ep('c') },
        { weight: 0, target: ep('drained') },
      ],
    };
    const n = 20_000;
    const got = count(tree, [], n);
    expect(got.drained).toBeUndefined();
    const expected = { a: 0.1 * n, b: 0.3 * n, c: 0.6 * n };
    const chi2 = Object.entries(expected).reduce((s, [k, e]) => s + ((got[k] ?? 0) - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(13.82); // χ²(2 dof) at p = 0.001
  });

  it('never returns weight 0 while a non-zero record is healthy, but uses it when they are all unhealthy', () => {
    const tree: SteeringNode = {
      type: 'weighted',
      records: [
        { weight: 5, target: ep('a'), healthCheckId: 'ha' },
        { weight: 0, target: ep('spare'), healthCheckId: 'hs' },
      ],
    };
    expect(count(tree, [], 500)).toEqual({ a: 500 });
    expect(count(tree, ['ha'], 500)).toEqual({ spare: 500 });
  });

  it('spreads equally when every weight is 0', () => {
    const tree: SteeringNode = {
      type: 'weighted',
      records: ['a', 'b', 'c', 'd'].map((id) => ({ weight: 0, target: ep(id) })),
    };
    const n = 8_000;
    const got = count(tree, [], n);
    const chi2 = ['a', 'b', 'c', 'd'].reduce((s, k) => s + ((got[k] ?? 0) - n / 4) ** 2 / (n / 4), 0);
    expect(chi2).toBeLessThan(16.27); // χ²(3 dof) at p = 0.001
  });

  it('skips unhealthy records and fails open to all non-zero records when none is healthy (R4)', () => {
    const tree: SteeringNode = {
      type: 'weighted',
      records: [
        { weight: 1, target: ep('a'), healthCheckId: 'ha' },
        { weight: 1, target: ep('b'), healthCheckId: 'hb' },
        { weight: 0, target: ep('z'), healthCheckId: 'hz' },
      ],
    };
    expect(Object.keys(count(tree, ['ha'], 300))).toEqual(['b']);
    expect(Object.keys(count(tree, ['ha', 'hb', 'hz'], 300)).sort()).toEqual(['a', 'b']);
  });

  it('is deterministic for a given seed', () => {
    const tree: SteeringNode = {
      type: 'weighted',
      records: [
        { weight: 1, target: ep('a') },
        { weight: 2, target: ep('b') },
      ],
    };
    expect(count(tree, [], 100, 99)).toEqual(count(tree, [], 100, 99));
  });
});

describe('failover records (R5)', () => {
  const tree: SteeringNode = {
    type: 'failover',
    primary: { target: ep('p'), healthCheckId: 'hp' },
    secondary: { target: ep('s'), healthCheckId: 'hs' },
  };
  it('primary when healthy, secondary when the primary is not, primary when both are down', () => {
    expect(resolveSteering(tree, {}, healthy())).toBe('p');
    expect(resolveSteering(tree, {}, healthy(['hp']))).toBe('s');
    expect(resolveSteering(tree, {}, healthy(['hp', 'hs']))).toBe('p');
  });
  it('a secondary without a health check is always returned when the primary is unhealthy', () => {
    const t: SteeringNode = {
      type: 'failover',
      primary: { target: ep('p'), healthCheckId: 'hp' },
      secondary: { target: ep('s') },
    };
    expect(resolveSteering(t, {}, healthy(['hp']))).toBe('s');
  });
});

describe('evaluate target health through geo → weighted → zone (R6)', () => {
  const zone = (id: string): SteeringNode => ep(id, `hc-${id}`);
  const tree: SteeringNode = {
    type: 'geolocation',
    records: [
      {
        location: { continent: 'EU' },
        evaluateTargetHealth: true,
        target: {
          type: 'weighted',
          records: [
            { weight: 50, target: zone('eu-1'), evaluateTargetHealth: true },
            { weight: 50, target: zone('eu-2'), evaluateTargetHealth: true },
          ],
        },
      },
      {
        location: 'default',
        evaluateTargetHealth: true,
        target: {
          type: 'failover',
          primary: { target: zone('us-1'), evaluateTargetHealth: true },
          secondary: { target: zone('us-2'), evaluateTargetHealth: true },
        },
      },
    ],
  };
  const eu = { continent: 'EU', country: 'DE' };

  it('prunes an unhealthy zone inside the weighted set', () => {
    const ctx = healthy(['hc-eu-1']);
    for (let i = 0; i < 50; i++) expect(resolveSteering(tree, eu, ctx)).toBe('eu-2');
  });

  it('prunes the whole EU branch when both its zones are unhealthy, falling to the default branch', () => {
    expect(resolveSteering(tree, eu, healthy(['hc-eu-1', 'hc-eu-2']))).toBe('us-1');
    expect(resolveSteering(tree, eu, healthy(['hc-eu-1', 'hc-eu-2', 'hc-us-1']))).toBe('us-2');
  });

  it('fails open when nothing at all is healthy (answers rather than nothing)', () => {
    const all = ['hc-eu-1', 'hc-eu-2', 'hc-us-1', 'hc-us-2'];
    expect(['eu-1', 'eu-2']).toContain(resolveSteering(tree, eu, healthy(all)));
  });

  it('always answers with a configured endpoint, for any health and location (property)', () => {
    const ids = ['eu-1', 'eu-2', 'us-1', 'us-2'];
    fc.assert(
      fc.property(
        fc.subarray(ids.map((i) => `hc-${i}`)),
        fc.constantFrom('EU', 'NA', 'AS'),
        fc.integer(),
        (down, continent, seed) => {
          const id = resolveSteering(
            tree,
            { continent },
            { isHealthy: (h) => !down.includes(h), random: createSeededRandom(seed) },
          );
          expect(ids).toContain(id);
          // A healthy answer whenever a zone this viewer may reach is healthy (non-EU viewers only match the default branch).
          const reachable = continent === 'EU' ? ids : ['us-1', 'us-2'];
          if (reachable.some((z) => !down.includes(`hc-${z}`))) expect(down).not.toContain(`hc-${id}`);
        },
      ),
    );
  });
});

describe('validation', () => {
  it('rejects weights outside 0–255 and subdivisions without a country', () => {
    const bad: SteeringNode[] = [
      { type: 'weighted', records: [{ weight: 256, target: ep('a') }] },
      { type: 'weighted', records: [{ weight: 1.5, target: ep('a') }] },
      { type: 'geolocation', records: [{ location: { subdivision: 'CA' }, target: ep('a') }] },
      {
        type: 'geolocation',
        records: [
          { location: 'default', target: ep('a') },
          { location: 'default', target: ep('b') },
        ],
      },
    ];
    for (const tree of bad) {
      let caught: unknown;
      try {
        validateSteeringTree(tree);
      } catch (err) {
        caught = err;
      }
      expect(isOriginError(caught, 'INVALID_CONFIG')).toBe(true);
    }
  });
});
