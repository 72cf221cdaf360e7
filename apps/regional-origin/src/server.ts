/**
 * @module Entry point: reads configuration, wires real dependencies (Valkey or in-memory stores,
 * origins, S3, the ADS client), listens, runs the outbox sweeper, and shuts down gracefully.
 */
import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createApp, type ZoneApp } from './app.ts';
import { createJsonLogger, describeError, type Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { createValkeyClient, type ValkeyClient } from './valkey.ts';
import { createOriginFetcher } from './origin.ts';
import { createManifestCoreRenderer } from './render/manifest-core-renderer.ts';
import { createVastClient } from './ads/vast-client.ts';
import { parseVastDocument } from './ads/vast-parser.ts';
import { createMemorySessionStore } from './sessions/memory-store.ts';
import { createValkeySessionStore } from './sessions/valkey-store.ts';
import { createMemoryKeyStore, createValkeyKeyStore } from './keys.ts';
import {
  createMemoryAssetEvents,
  createMemoryTranscodeQueue,
  createValkeyAssetEvents,
  createValkeyTranscodeQueue,
} from './jobs.ts';
import { createMemoryUploadStore, createValkeyUploadStore } from './uploads/store.ts';

/** A running zone server. */
export interface RunningServer {
  zone: ZoneApp;
  /** `http://host:port` it listens on. */
  url: string;
  /** Drains in-flight requests (up to the grace period), then closes Valkey and everything else. */
  shutdown(): Promise<void>;
}

/** Wires real dependencies from `config` and starts listening. */
export async function startServer(
  config: Config,
  log: Logger = createJsonLogger({ service: 'regional-origin', zone: config.zone }),
): Promise<RunningServer> {
  const metrics = createMetrics({ defaults: true });
  const valkey: ValkeyClient | undefined = createValkeyClient(config.valkey, log);
  if (!valkey)
    log.warn('no VALKEY_URL or VALKEY_CLUSTER_NODES: sessions, videos and jobs are kept in memory (demo mode)');
  const prefix = config.valkey.keyPrefix;
  const vast = createVastClient({
    allowedHosts: config.ads.allowedHosts,
    requestTimeoutMs: config.ads.requestTimeoutMs,
    maxWrapperDepth: config.ads.maxWrapperDepth,
    parse: parseVastDocument,
  });
  const events = valkey ? createValkeyAssetEvents(valkey, log) : createMemoryAssetEvents();
  const s3 = config.uploads.bucket
    ? new S3Client({
        region: config.uploads.s3Region,
        forcePathStyle: config.uploads.s3ForcePathStyle,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        ...(config.uploads.s3Endpoint ? { endpoint: config.uploads.s3Endpoint } : {}),
      })
    : undefined;
  const origin = createOriginFetcher({
    originUrls: config.originUrls,
    timeoutMs: config.originTimeoutMs,
    maxBytes: config.maxOriginBytes,
    metrics,
  });
  const zone = createApp({
    config,
    sessionStore: valkey ? createValkeySessionStore(valkey, prefix) : createMemorySessionStore(),
    origin,
    renderer: createManifestCoreRenderer(),
    adClient: vast,
    keys: valkey ? createValkeyKeyStore(valkey) : createMemoryKeyStore(),
    queue: valkey ? createValkeyTranscodeQueue(valkey, prefix, config.transcodeOutputs) : createMemoryTranscodeQueue(),
    uploadStore: valkey ? createValkeyUploadStore(valkey, prefix) : createMemoryUploadStore(),
    s3,
    valkey,
    events,
    metrics,
    log,
    nowMs: Date.now,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  });

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: zone.app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  const sweeper =
    config.role === 'playback'
      ? undefined
      : setInterval(() => {
          zone.uploads.sweepOutbox().catch((error: unknown) => log.warn('outbox sweep failed', describeError(error)));
        }, config.uploads.outboxSweepIntervalMs);
  sweeper?.unref();

  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (closing ??= (async () => {
      log.info('shutting down: draining in-flight requests', { inFlight: zone.inFlight() });
      zone.startDraining();
      if (sweeper) clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open; busy ones finish their response first.
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      const deadline = Date.now() + config.shutdownGraceMs;
      while (zone.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      zone.dispose();
      await vast.close();
      await origin.close();
      if ('close' in events) await events.close();
      if (valkey) await valkey.quit().catch(() => valkey.disconnect());
      s3?.destroy();
      log.info('shut down');
    })());

  log.info('listening', {
    url,
    role: config.role,
    zone: config.zone,
    valkey: valkey ? 'on' : 'memory',
    origins: config.originUrls.length,
  });
  return { zone, url, shutdown };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const running = await startServer(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.shutdown().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
