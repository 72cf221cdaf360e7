/**
 * @module Seams to transcode-gpu: the job queue (TranscodeQueue) and job status events
 * (AssetEvents), with in-memory versions and INTERIM Valkey versions to be replaced by
 * transcode-gpu's `enqueueTranscodeJob` and its status-event subscription once exported.
 */
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import type { ValkeyClient } from './valkey.ts';

/** A transcode job request: what to encode and under which asset id. */
export interface TranscodeJobRequest {
  /** Idempotency key: the same job id is one job. */
  jobId: string;
  /** Asset id the output will be published under. */
  assetId: string;
  /** Source location (`s3://bucket/key` for uploads, an http(s) URL for ad creatives). */
  source: string;
  /** Why: an uploaded video or an ad creative seen in a VAST response. */
  kind: 'upload' | 'ad';
  /** Unix ms the request was made. */
  requestedAtMs: number;
}

/** Where transcode jobs go. */
export interface TranscodeQueue {
  /** Publishes a job; must be safe to call twice for the same jobId (the outbox may re-publish). */
  enqueue(job: TranscodeJobRequest): Promise<void>;
}

/** A transcode job status change. */
export interface AssetStatusEvent {
  assetId: string;
  status: 'processing' | 'ready' | 'failed';
}

/** Subscription to job status events. */
export interface AssetEvents {
  /** Calls `listener` on each event; returns an unsubscribe function. */
  subscribe(listener: (event: AssetStatusEvent) => void): () => void;
}

/** An in-memory queue that records jobs (demo and tests); `jobs` holds one entry per jobId. */
export function createMemoryTranscodeQueue(): TranscodeQueue & { jobs: Map<string, TranscodeJobRequest> } {
  const jobs = new Map<string, TranscodeJobRequest>();
  return {
    jobs,
    async enqueue(job) {
      if (!jobs.has(job.jobId)) jobs.set(job.jobId, job);
    },
  };
}

/** An in-memory event bus: `emit` delivers to every subscriber. */
export function createMemoryAssetEvents(): AssetEvents & { emit(event: AssetStatusEvent): void } {
  const listeners = new Set<(event: AssetStatusEvent) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(event) {
      for (const l of listeners) l(event);
    },
  };
}

/**
 * INTERIM — replace with transcode-gpu's `enqueueTranscodeJob`. XADDs the job as JSON to
 * `<prefix>transcode:jobs`; a `<prefix>transcode:job:<jobId>` marker (SET NX, 1 day) makes
 * re-publishing the same job a no-op.
 */
export function createValkeyTranscodeQueue(client: ValkeyClient, keyPrefix: string): TranscodeQueue {
  return {
    async enqueue(job) {
      const fresh = await client.set(`${keyPrefix}transcode:job:${job.jobId}`, '1', 'EX', 86_400, 'NX');
      if (fresh !== 'OK') return;
      try {
        await client.xadd(`${keyPrefix}transcode:jobs`, '*', 'job', JSON.stringify(job));
      } catch (error) {
        // Not published: drop the marker so the outbox's next sweep publishes it.
        await client.del(`${keyPrefix}transcode:job:${job.jobId}`).catch(() => undefined);
        throw error;
      }
    },
  };
}

/**
 * INTERIM — replace with transcode-gpu's status events. Subscribes (on a duplicate
 * connection) to the `<prefix>transcode:status` channel carrying JSON `{assetId, status}`.
 */
export function createValkeyAssetEvents(client: ValkeyClient, keyPrefix: string, log: Logger): AssetEvents & { close(): Promise<void> } {
  const listeners = new Set<(event: AssetStatusEvent) => void>();
  const channel = `${keyPrefix}transcode:status`;
  const subscriber = client.duplicate();
  subscriber.on('error', () => undefined);
  // The offline queue is off, so subscribe on every (re)connection rather than once up front.
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).catch((error: unknown) => log.warn('status subscription failed', describeError(error)));
  });
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      const event = JSON.parse(message) as AssetStatusEvent;
      if (typeof event.assetId !== 'string' || !['processing', 'ready', 'failed'].includes(event.status)) return;
      for (const l of listeners) l(event);
    } catch {
      log.warn('unreadable status event', { message: message.slice(0, 200) });
    }
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close: async () => {
      subscriber.disconnect();
    },
  };
}
