/** @module The public names shared by the Workers and Node builds (each index adds its own createOriginGroup). */

// — origin groups —
/** Builds a group on an explicit transport; the public `createOriginGroup` picks one for you. */
export {
  createOriginGroupWithTransport,
  getAttempts,
  getOriginReport,
  ORIGIN_HEADER,
  ATTEMPTS_HEADER,
  ELAPSED_HEADER,
} from './group.ts';
export type { OriginGroup, OriginRequestInit, OriginReport } from './group.ts';
export { resolveOptions, STRICT_FAILOVER_STATUS_CODES } from './options.ts';
export type {
  OriginConfig,
  OriginGroupOptions,
  FailoverMode,
  RequestClass,
  EjectionOptions,
  HedgingOptions,
  FailoverEvent,
  ResponseEvent,
  ResolvedOptions,
  ResolvedOrigin,
} from './options.ts';
export type { OriginHealthSnapshot, CircuitState } from './memory.ts';

// — errors —
export { OriginError, isOriginError, ORIGIN_ERROR_CODES } from './errors.ts';
export type { OriginErrorCode, Attempt, AttemptOutcome, OriginErrorOptions } from './errors.ts';

// — transports and time —
export { createFetchTransport, type FetchTransportOptions } from './fetch-transport.ts';
export type { Transport, TransportRequest, TransportResponse } from './transport.ts';
export { systemClock, createManualClock, type Clock, type ManualClock, type TimerHandle } from './clock.ts';

// — HLS helpers —
export { scanPlaylistHead, type PlaylistHead } from './hls-scan.ts';
export { classifyPath } from './paths.ts';

// — zone steering (Route 53 semantics) —
export { resolveSteering, validateSteeringTree, isSubtreeHealthy, createSeededRandom } from './steering.ts';
export type {
  SteeringNode,
  EndpointNode,
  GeolocationNode,
  GeoRecord,
  WeightedNode,
  WeightedRecord,
  FailoverNode,
  FailoverRecord,
  RecordHealth,
  SteeringContext,
  ViewerLocation,
} from './steering.ts';
export { createHealthChecker, passiveHealthHook, HEALTH_CHECK_SEARCH_BYTES } from './health-check.ts';
export type { HealthChecker, HealthCheckerOptions, HealthCheckTarget, HealthStatus } from './health-check.ts';
