/**
 * @module Video records and the transcode outbox. `complete` writes the record's new status and
 * the job into the outbox together (MULTI in Valkey), so a crash between "completed" and
 * "enqueued" leaves the job in the outbox for the sweeper instead of losing it.
 */
import type { TranscodeJobRequest } from '../jobs.ts';
import type { ValkeyClient } from '../valkey.ts';

/** Lifecycle of an uploaded video. */
export type VideoStatus = 'uploading' | 'processing' | 'ready' | 'failed';

/** What GET /v1/videos/{id} reports. */
export interface VideoRecord {
  videoId: string;
  status: VideoStatus;
  filename: string;
  sizeBytes: number;
  contentType: string;
  /** S3 multipart upload id. */
  uploadId: string;
  /** S3 key of the source. */
  sourceKey: string;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Persistence of video records and the outbox. */
export interface UploadStore {
  create(record: VideoRecord): Promise<void>;
  get(videoId: string): Promise<VideoRecord | undefined>;
  /** Atomically sets status `processing` and puts the job in the outbox; false when the video was not `uploading`. */
  completeWithJob(videoId: string, job: TranscodeJobRequest, nowMs: number): Promise<boolean>;
  /** Sets a status (from transcode events). */
  setStatus(videoId: string, status: VideoStatus, nowMs: number): Promise<void>;
  /** Jobs still in the outbox, oldest first. */
  pendingJobs(limit: number): Promise<TranscodeJobRequest[]>;
  /** Removes a published job from the outbox. */
  ackJob(jobId: string): Promise<void>;
}

/** An in-memory upload store (demo and tests). */
export function createMemoryUploadStore(): UploadStore {
  const videos = new Map<string, VideoRecord>();
  const outbox = new Map<string, TranscodeJobRequest>();
  return {
    async create(record) {
      videos.set(record.videoId, { ...record });
    },
    async get(videoId) {
      const r = videos.get(videoId);
      return r ? { ...r } : undefined;
    },
    async completeWithJob(videoId, job, nowMs) {
      const r = videos.get(videoId);
      if (!r || r.status !== 'uploading') return false;
      r.status = 'processing';
      r.updatedAtMs = nowMs;
      outbox.set(job.jobId, job);
      return true;
    },
    async setStatus(videoId, status, nowMs) {
      const r = videos.get(videoId);
      if (r) Object.assign(r, { status, updatedAtMs: nowMs });
    },
    async pendingJobs(limit) {
      return [...outbox.values()].slice(0, limit);
    },
    async ackJob(jobId) {
      outbox.delete(jobId);
    },
  };
}

/**
 * A Valkey upload store. Every key carries the `{uploads}` hash tag so that the MULTI of
 * record + outbox stays in one Cluster slot. Records are hashes; the outbox is a hash
 * jobId → job JSON plus a sorted set ordering it by time.
 */
export function createValkeyUploadStore(
  client: ValkeyClient,
  keyPrefix: string,
  recordTtlSeconds = 30 * 86_400,
): UploadStore {
  const videoKey = (id: string): string => `${keyPrefix}{uploads}:video:${id}`;
  const outboxKey = `${keyPrefix}{uploads}:outbox`;
  const outboxOrder = `${keyPrefix}{uploads}:outbox:order`;
  const toRecord = (h: Record<string, string>): VideoRecord | undefined =>
    h.videoId
      ? {
          videoId: h.videoId,
          status: h.status as VideoStatus,
          filename: h.filename ?? '',
          sizeBytes: Number(h.sizeBytes),
          contentType: h.contentType ?? '',
          uploadId: h.uploadId ?? '',
          sourceKey: h.sourceKey ?? '',
          createdAtMs: Number(h.createdAtMs),
          updatedAtMs: Number(h.updatedAtMs),
        }
      : undefined;
  return {
    async create(record) {
      const flat = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)]));
      await client
        .multi()
        .hset(videoKey(record.videoId), flat)
        .expire(videoKey(record.videoId), recordTtlSeconds)
        .exec();
    },
    async get(videoId) {
      return toRecord(await client.hgetall(videoKey(videoId)));
    },
    async completeWithJob(videoId, job, nowMs) {
      const key = videoKey(videoId);
      // No WATCH (it is per connection, and this connection is shared): a racing second complete
      // writes the same jobId, and both the outbox and the queue are idempotent by jobId.
      const status = await client.hget(key, 'status');
      if (status !== 'uploading') return false;
      const result = await client
        .multi()
        .hset(key, { status: 'processing', updatedAtMs: String(nowMs) })
        .hset(outboxKey, job.jobId, JSON.stringify(job))
        .zadd(outboxOrder, nowMs, job.jobId)
        .exec();
      return result !== null;
    },
    async setStatus(videoId, status, nowMs) {
      const key = videoKey(videoId);
      if ((await client.exists(key)) === 1) await client.hset(key, { status, updatedAtMs: String(nowMs) });
    },
    async pendingJobs(limit) {
      const ids = await client.zrange(outboxOrder, 0, limit - 1);
      if (ids.length === 0) return [];
      const jsons = await client.hmget(outboxKey, ...ids);
      return jsons.filter((j): j is string => typeof j === 'string').map((j) => JSON.parse(j) as TranscodeJobRequest);
    },
    async ackJob(jobId) {
      await client.multi().hdel(outboxKey, jobId).zrem(outboxOrder, jobId).exec();
    },
  };
}
