/** @module Tests of session steering: pathway priority from zone health and preference, the player's report, the manifest. */
import { describe, expect, it } from 'vitest';
import {
  buildSteeringManifest,
  readSteeringQuery,
  steeringPathwayPriority,
  type SteeringPriorityInput,
} from './steering.ts';

const pathways = [{ id: 'edge' }, { id: 'zone-eu', zone: 'eu' }, { id: 'zone-us', zone: 'us' }];
const input = (over: Partial<SteeringPriorityInput> = {}): SteeringPriorityInput => ({
  pathways,
  zoneOrder: ['eu', 'us'],
  isHealthy: () => true,
  currentPathway: undefined,
  throughputBps: undefined,
  minThroughputBps: 0,
  ...over,
});

describe('steeringPathwayPriority', () => {
  it("orders zone pathways by the viewer's zone order while CDN pathways keep their places", () => {
    expect(steeringPathwayPriority(input())).toEqual(['edge', 'zone-eu', 'zone-us']);
    expect(steeringPathwayPriority(input({ zoneOrder: ['us', 'eu'] }))).toEqual(['edge', 'zone-us', 'zone-eu']);
  });

  it('leaves unhealthy zones out, and offers everything when nothing is healthy', () => {
    expect(steeringPathwayPriority(input({ isHealthy: (z) => z !== 'eu' }))).toEqual(['edge', 'zone-us']);
    const zonesOnly = pathways.slice(1);
    expect(steeringPathwayPriority(input({ pathways: zonesOnly, isHealthy: () => false }))).toEqual([
      'zone-eu',
      'zone-us',
    ]);
  });

  it('keeps the player on its pathway unless it is slower than the floor', () => {
    expect(steeringPathwayPriority(input({ currentPathway: 'zone-us' }))).toEqual(['zone-us', 'edge', 'zone-eu']);
    expect(
      steeringPathwayPriority(input({ currentPathway: 'edge', throughputBps: 100_000, minThroughputBps: 500_000 })),
    ).toEqual(['zone-eu', 'edge', 'zone-us']);
    expect(steeringPathwayPriority(input({ currentPathway: 'zone-eu', isHealthy: (z) => z !== 'eu' }))).toEqual([
      'edge',
      'zone-us',
    ]);
  });
});

describe('steering query and manifest', () => {
  it('reads well-formed _HLS_pathway and _HLS_throughput only', () => {
    expect(readSteeringQuery({ _HLS_pathway: 'zone-eu', _HLS_throughput: '1500000.5' })).toEqual({
      currentPathway: 'zone-eu',
      throughputBps: 1_500_000.5,
    });
    expect(readSteeringQuery({ _HLS_pathway: 'a b', _HLS_throughput: '1e9' })).toEqual({
      currentPathway: undefined,
      throughputBps: undefined,
    });
  });

  it('builds the Content Steering 1.2 manifest', () => {
    expect(buildSteeringManifest(['a', 'b'], 300, 'https://e/v1/steering/s.json')).toEqual({
      VERSION: 1,
      TTL: 300,
      'RELOAD-URI': 'https://e/v1/steering/s.json',
      'PATHWAY-PRIORITY': ['a', 'b'],
    });
  });
});
