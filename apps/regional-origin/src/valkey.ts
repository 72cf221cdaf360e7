/** @module Valkey clients (standalone or Cluster) tuned to fail fast, so a dead Valkey never stalls playback. */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

/** A standalone or Cluster ioredis client; both speak the commands the server uses. */
export type ValkeyClient = Redis | Cluster;

/**
 * Creates the Valkey client from configuration, or undefined when neither VALKEY_URL
 * nor VALKEY_CLUSTER_NODES is set (the demo then runs on in-memory stores).
 * Commands fail at once while disconnected (no offline queue) and time out after
 * `commandTimeoutMs`; reconnection continues in the background with capped backoff.
 */
export function createValkeyClient(valkey: Config['valkey'], log: Logger): ValkeyClient | undefined {
  const common: RedisOptions = {
    commandTimeout: valkey.commandTimeoutMs,
    connectTimeout: Math.max(1_000, valkey.commandTimeoutMs * 4),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Reconnect forever: 100 ms, 200 ms, … capped at 2 s (Valkey coming back must heal by itself).
    retryStrategy: (times: number) => Math.min(times * 100, 2_000),
  };
  let client: ValkeyClient;
  if (valkey.clusterNodes) {
    client = new Cluster(valkey.clusterNodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: (times: number) => Math.min(times * 100, 2_000),
      redisOptions: common,
    });
  } else if (valkey.url) {
    client = new Redis(valkey.url, common);
  } else {
    return undefined;
  }
  let down = false;
  client.on('error', (error: Error) => {
    // ioredis emits an error per failed reconnect; log the transition, not every retry.
    if (!down) log.warn('valkey unavailable', { errorMessage: error.message });
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info('valkey available again');
    down = false;
  });
  return client;
}

/** A second connection for SUBSCRIBE (a subscribed connection can run no other commands). */
export function duplicateForSubscribe(client: ValkeyClient): ValkeyClient {
  return client.duplicate();
}
