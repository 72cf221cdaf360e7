/**
 * @module The Meridian edge Worker entry point: wires real dependencies from the bindings
 * (fetch, caches.default, crypto, Date) once per isolate, so that caches and zone health
 * persist across requests, and hands each request to the Hono app.
 */
import type { Hono } from 'hono';
import { createEdgeApp, type EdgeBindings } from './app.ts';
import { EdgeConfigError, loadEdgeConfig, type EdgeEnv } from './config.ts';
import { createForwarder } from './forward.ts';
import { createSourceReader } from './sources.ts';
import { createZoneDirector } from './zones.ts';

let built: { fingerprint: string; app: Hono<EdgeBindings> } | undefined;

/** A stable fingerprint of the bindings, so that a new deployment's configuration rebuilds the app. */
function fingerprintOf(env: EdgeEnv): string {
  return JSON.stringify(
    Object.keys(env)
      .sort()
      .map((k) => [k, env[k]]),
  );
}

/** Builds the app from the Worker's bindings with the runtime's fetch, cache, clock and randomness. */
export function buildEdgeApp(env: EdgeEnv): Hono<EdgeBindings> {
  const config = loadEdgeConfig(env);
  const doFetch = (input: string, init: RequestInit): Promise<Response> => fetch(input, init);
  const director = createZoneDirector({
    zones: config.zones,
    fetch: doFetch,
    nowMs: () => Date.now(),
    random: Math.random,
    failureThreshold: config.zoneFailureThreshold,
    probeIntervalMs: config.probeIntervalMs,
    probeTimeoutMs: config.probeTimeoutMs,
    // A shared mark lasts one probe interval: by then every isolate's own probes have a say.
    shared:
      typeof caches === 'undefined' || config.zoneHealthShareMs === 0
        ? undefined
        : {
            cache: caches.default,
            refreshMs: config.zoneHealthShareMs,
            ttlSeconds: Math.max(1, Math.ceil(config.probeIntervalMs / 1000)),
          },
  });
  const sources = createSourceReader({
    originUrls: config.originUrls,
    originTimeoutMs: config.originTimeoutMs,
    maxOriginBytes: config.maxOriginBytes,
    vodAssetPath: config.vodAssetPath,
    liveMasterPath: config.liveMasterPath,
    vodPlaylistTtlSeconds: config.vodPlaylistTtlSeconds,
    assetTtlSeconds: config.assetTtlSeconds,
    lruMaxEntries: config.lruMaxEntries,
    cache: typeof caches === 'undefined' ? undefined : caches.default,
  });
  const forward = createForwarder({
    director,
    fetch: doFetch,
    zoneTimeoutMs: config.zoneTimeoutMs,
    bodyLimitBytes: config.bodyLimitBytes,
    countryHeader: config.zoneCountryHeader,
  });
  return createEdgeApp({
    config,
    sources,
    director,
    forward,
    nowMs: () => Date.now(),
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    templateCache: typeof caches === 'undefined' ? undefined : caches.default,
  });
}

export default {
  /** Serves one request. */
  fetch(request: Request, env: EdgeEnv, ctx: ExecutionContext): Response | Promise<Response> {
    const fingerprint = fingerprintOf(env);
    if (built?.fingerprint !== fingerprint) {
      try {
        built = { fingerprint, app: buildEdgeApp(env) };
      } catch (error) {
        const message = error instanceof EdgeConfigError ? 'the edge is misconfigured' : 'internal error';
        console.error(
          JSON.stringify({
            msg: 'edge configuration failed',
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        return Response.json(
          { error: { code: 'INTERNAL', message } },
          { status: 500, headers: { 'cache-control': 'no-store' } },
        );
      }
    }
    return built.app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<EdgeEnv>;
