/**
 * @module Upload service: presigned S3 multipart uploads, completion through the outbox, and the
 * sweeper that publishes whatever a crash left in the outbox.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { TranscodeJobRequest, TranscodeQueue } from '../jobs.ts';
import type { Logger } from '../log.ts';
import { describeError } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { UploadStore, VideoRecord } from './store.ts';

/** What POST /v1/uploads returns. */
export interface CreatedUpload {
  videoId: string;
  uploadId: string;
  partSize: number;
  parts: Array<{ partNumber: number; url: string }>;
}

/** Options for {@link createUploadService}. */
export interface UploadServiceOptions {
  s3: S3Client | undefined;
  store: UploadStore;
  queue: TranscodeQueue;
  uploads: Config['uploads'];
  nowMs: () => number;
  randomId: () => string;
  metrics: Metrics;
  log: Logger;
}

/** The upload service. */
export interface UploadService {
  create(input: { filename: string; sizeBytes: number; contentType: string }): Promise<CreatedUpload>;
  complete(videoId: string, parts: Array<{ partNumber: number; etag: string }>): Promise<VideoRecord>;
  get(videoId: string): Promise<VideoRecord | undefined>;
  /** Publishes outbox jobs; returns how many were published. */
  sweepOutbox(): Promise<number>;
}

function s3Error(error: unknown): string {
  const e = error as { name?: string; Code?: string } | null;
  return e?.name ?? e?.Code ?? 'Error';
}

/** Creates the upload service. */
export function createUploadService(options: UploadServiceOptions): UploadService {
  const { store, queue, uploads, log, metrics } = options;
  const s3 = (): S3Client => {
    if (!options.s3 || !uploads.bucket)
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'uploads are not configured (UPLOAD_BUCKET)');
    return options.s3;
  };
  const bucket = (): string => uploads.bucket ?? '';

  const publish = async (job: TranscodeJobRequest): Promise<void> => {
    await queue.enqueue(job);
    await store.ackJob(job.jobId);
    metrics.jobsPublished.inc();
  };

  return {
    async create({ filename, sizeBytes, contentType }) {
      const client = s3();
      const videoId = options.randomId();
      const safeName = filename.replace(/[^A-Za-z0-9._-]/g, '_').slice(-128) || 'source';
      const sourceKey = `${uploads.keyPrefix}${videoId}/${safeName}`;
      let uploadId: string | undefined;
      try {
        ({ UploadId: uploadId } = await client.send(
          new CreateMultipartUploadCommand({ Bucket: bucket(), Key: sourceKey, ContentType: contentType }),
        ));
      } catch (error) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', `object storage refused the upload (${s3Error(error)})`, {
          cause: error,
        });
      }
      if (!uploadId) throw new AppError('DEPENDENCY_UNAVAILABLE', 'object storage returned no upload id');
      const now = options.nowMs();
      try {
        await store.create({
          videoId,
          status: 'uploading',
          filename,
          sizeBytes,
          contentType,
          uploadId,
          sourceKey,
          createdAtMs: now,
          updatedAtMs: now,
        });
      } catch (error) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'video store unavailable', { cause: error });
      }
      const count = Math.max(1, Math.ceil(sizeBytes / uploads.partSizeBytes));
      const parts = await Promise.all(
        Array.from({ length: count }, async (_, i) => ({
          partNumber: i + 1,
          url: await getSignedUrl(
            client,
            new UploadPartCommand({ Bucket: bucket(), Key: sourceKey, UploadId: uploadId, PartNumber: i + 1 }),
            {
              expiresIn: uploads.urlTtlSeconds,
            },
          ),
        })),
      );
      return { videoId, uploadId, partSize: uploads.partSizeBytes, parts };
    },

    async complete(videoId, parts) {
      const client = s3();
      let record: VideoRecord | undefined;
      try {
        record = await store.get(videoId);
      } catch (error) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'video store unavailable', { cause: error });
      }
      if (!record) throw new AppError('NOT_FOUND', `video ${videoId} not found`);
      if (record.status !== 'uploading') throw new AppError('CONFLICT', `video ${videoId} is already ${record.status}`);
      try {
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket(),
            Key: record.sourceKey,
            UploadId: record.uploadId,
            MultipartUpload: {
              Parts: [...parts]
                .sort((a, b) => a.partNumber - b.partNumber)
                .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
            },
          }),
        );
      } catch (error) {
        // A retry after a crash that happened after S3 completed: the upload id is gone but the object exists.
        const exists = await client.send(new HeadObjectCommand({ Bucket: bucket(), Key: record.sourceKey })).then(
          () => true,
          () => false,
        );
        if (!exists) {
          const name = s3Error(error);
          if (/InvalidPart|InvalidPartOrder|EntityTooSmall|NoSuchUpload|MalformedXML/.test(name))
            throw new AppError('BAD_REQUEST', `upload cannot be completed: ${name}`);
          throw new AppError('DEPENDENCY_UNAVAILABLE', `object storage failed to complete the upload (${name})`, {
            cause: error,
          });
        }
      }
      const job: TranscodeJobRequest = {
        jobId: videoId,
        assetId: videoId,
        source: `s3://${bucket()}/${record.sourceKey}`,
        kind: 'upload',
        requestedAtMs: options.nowMs(),
      };
      try {
        if (!(await store.completeWithJob(videoId, job, options.nowMs())))
          throw new AppError('CONFLICT', `video ${videoId} is no longer uploading`);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'video store unavailable', { cause: error });
      }
      // Publish now; if this fails (or the process dies here), the sweeper publishes it later.
      await publish(job).catch((error: unknown) =>
        log.warn('job publish deferred to the outbox sweeper', { videoId, ...describeError(error) }),
      );
      return { ...record, status: 'processing' };
    },

    async get(videoId) {
      try {
        return await store.get(videoId);
      } catch (error) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'video store unavailable', { cause: error });
      }
    },

    async sweepOutbox() {
      let published = 0;
      for (const job of await store.pendingJobs(100)) {
        try {
          await publish(job);
          published++;
        } catch (error) {
          log.warn('outbox publish failed', { jobId: job.jobId, ...describeError(error) });
          break;
        }
      }
      return published;
    },
  };
}
