/**
 * @module Route 53 record types at the edge, inside workerd: geolocation down to subdivisions
 * (`request.cf.regionCode`), smallest area first, and failover records (PRIMARY before SECONDARY,
 * the in-flight request failing over along the tiers before leaving the location).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { FaultyServer } from '@meridian/testkit';
import { PUBLIC_BASE_URL, startEdge, startOrigin, startZone, type Zone } from './helpers.ts';

const PARIS = { country: 'FR', continent: 'EU', regionCode: 'IDF' } as const;
const CALIFORNIA = { country: 'US', continent: 'NA', regionCode: 'CA' } as const;
const NEW_YORK = { country: 'US', continent: 'NA', regionCode: 'NY' } as const;
const TOKYO = { country: 'JP', continent: 'AS', regionCode: '13' } as const;
type Place = typeof PARIS | typeof CALIFORNIA | typeof NEW_YORK | typeof TOKYO;

describe('Route 53 geolocation and failover records (workerd)', () => {
  let origin: FaultyServer;
  let primary: Zone;
  let secondary: Zone;
  let west: Zone;
  let edge: Miniflare;

  /** Opens a live session (a forwarded request) and says which zone served it and after which attempts. */
  const open = async (place: Place): Promise<{ zone: string | null; attempts: string | null }> => {
    const res = await edge.dispatchFetch(`${PUBLIC_BASE_URL}/v1/sessions`, {
      cf: place,
      method: 'POST',
      body: JSON.stringify({ channelId: 'ch1' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    await res.text();
    return { zone: res.headers.get('x-meridian-zone'), attempts: res.headers.get('x-meridian-zone-attempts') };
  };

  beforeAll(async () => {
    origin = await startOrigin();
    primary = await startZone('eu-primary', origin.url);
    secondary = await startZone('eu-secondary', origin.url);
    west = await startZone('us-west', origin.url);
    edge = await startEdge({
      ORIGIN_URLS: origin.url,
      PROBE_INTERVAL_MS: '3600000',
      ZONES: JSON.stringify([
        // Equal weights: only the failover role keeps the secondary out while the primary is up.
        { id: 'eu-primary', url: primary.url, geo: ['continent:EU', 'country:US'], failover: 'PRIMARY' },
        { id: 'eu-secondary', url: secondary.url, geo: ['continent:EU'], failover: 'SECONDARY' },
        { id: 'us-west', url: west.url, geo: ['subdivision:US-CA', '*'] },
      ]),
    });
  });
  afterAll(async () => {
    await edge?.dispose();
    await Promise.all([primary, secondary, west].map((z) => z?.server.shutdown()));
    await origin?.close();
  });

  it('matches the smallest area first: subdivision, then country, then the default', async () => {
    expect(await open(CALIFORNIA)).toMatchObject({ zone: 'us-west' });
    expect(await open(NEW_YORK)).toMatchObject({ zone: 'eu-primary' });
    expect(await open(TOKYO)).toMatchObject({ zone: 'us-west' });
  });

  it('answers from the PRIMARY record while it is healthy, whatever the weights', async () => {
    for (let i = 0; i < 8; i++)
      expect(await open(PARIS)).toMatchObject({ zone: 'eu-primary', attempts: 'eu-primary:201' });
  });

  it('fails over to the SECONDARY when the primary dies, in flight and on later requests; areas without a secondary fall back to the default', async () => {
    await primary.server.shutdown();
    expect(await open(PARIS)).toEqual({ zone: 'eu-secondary', attempts: 'eu-primary:unreachable,eu-secondary:201' });
    expect(await open(PARIS)).toEqual({ zone: 'eu-secondary', attempts: 'eu-secondary:201' });
    // The US country record has only the dead primary: the request goes to the next area that has a healthy zone.
    expect(await open(NEW_YORK)).toEqual({ zone: 'us-west', attempts: 'us-west:201' });
    const health = (await (await edge.dispatchFetch(`${PUBLIC_BASE_URL}/healthz`)).json()) as {
      zones: Array<{ id: string; healthy: boolean }>;
    };
    expect(health.zones.find((z) => z.id === 'eu-primary')).toMatchObject({ healthy: false });
  });

  it('refuses ZONES whose failover roles or subdivisions are malformed, naming no secret', async () => {
    for (const zones of [
      [{ id: 'a', url: primary.url, failover: 'TERTIARY' }],
      [{ id: 'a', url: primary.url, geo: ['subdivision:CA'] }],
      // Route 53 serves a failover set from its primary: a location with only a secondary is a mistake.
      [{ id: 'a', url: primary.url, geo: ['continent:EU'], failover: 'SECONDARY' }],
    ]) {
      const bad = await startEdge({ ORIGIN_URLS: origin.url, ZONES: JSON.stringify(zones) });
      try {
        const res = await bad.dispatchFetch(`${PUBLIC_BASE_URL}/healthz`);
        expect(res.status).toBe(500);
        expect(await res.json()).toEqual({ error: { code: 'INTERNAL', message: 'the edge is misconfigured' } });
      } finally {
        await bad.dispose();
      }
    }
  });
});
