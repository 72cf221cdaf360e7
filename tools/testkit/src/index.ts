/** @module Test helpers that start real parts on loopback: redis-server, s3rver, faulty HTTP servers. */
export { getFreePort, waitForPort, sleep } from './ports.ts';
export { startRedis, type RedisHandle, type StartRedisOptions } from './redis.ts';
export { startS3, s3ClientConfig, type S3Handle, type StartS3Options } from './s3.ts';
export {
  startFaultyServer,
  refusedUrl,
  startBlackHole,
  type Behaviour,
  type FaultyServer,
  type SeenRequest,
  type BlackHole,
} from './faulty-server.ts';
