/**
 * @module The app's view of transcode-gpu: a TranscodeQueue (publishing through
 * `enqueueTranscodeJob`) and AssetEvents (its status events), each with an in-memory version.
 */
import { enqueueTranscodeJob, TRANSCODE_QUEUE, type TranscodeStatusEvent } from '@meridian/transcode-gpu';
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
 * Publishes jobs with transcode-gpu's `enqueueTranscodeJob` (Valkey Streams). A
 * `<prefix>transcode:published:<jobId>` marker (SET NX, 1 day) makes re-publishing the same job
 * (the outbox after a crash) a no-op. `outputs` are destination templates with `{assetId}`.
 */
export function createValkeyTranscodeQueue(client: ValkeyClient, keyPrefix: string, outputs: string[]): TranscodeQueue {
  return {
    async enqueue(job) {
      const marker = `${keyPrefix}transcode:published:${job.jobId}`;
      if ((await client.set(marker, '1', 'EX', 86_400, 'NX')) !== 'OK') return;
      try {
        await enqueueTranscodeJob(client, {
          jobId: job.jobId,
          assetId: job.assetId,
          input: job.source,
          output: outputs.map((o) => o.replace('{assetId}', job.assetId)),
          // Ads are short: the priority lane gets them ready while viewers still ask for them.
          ...(job.kind === 'ad' ? { priority: true } : {}),
        });
      } catch (error) {
        // Not published: drop the marker so the outbox's next sweep publishes it.
        await client.del(marker).catch(() => undefined);
        throw error;
      }
    },
  };
}

/** Subscribes (on a duplicate connection) to transcode-gpu's status-event channel. */
export function createValkeyAssetEvents(client: ValkeyClient, log: Logger): AssetEvents & { close(): Promise<void> } {
  const listeners = new Set<(event: AssetStatusEvent) => void>();
  const channel = TRANSCODE_QUEUE.channel;
  const subscriber = client.duplicate();
  subscriber.on('error', () => undefined);
  // The offline queue is off, so subscribe on every (re)connection rather than once up front.
  subscriber.on('ready', () => {
    subscriber
      .subscribe(channel)
      .catch((error: unknown) => log.warn('status subscription failed', describeError(error)));
  });
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      const event = JSON.parse(message) as Partial<TranscodeStatusEvent>;
      if (
        typeof event.assetId !== 'string' ||
        (event.type !== 'processing' && event.type !== 'ready' && event.type !== 'failed')
      )
        return;
      for (const l of listeners) l({ assetId: event.assetId, status: event.type });
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
