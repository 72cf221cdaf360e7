/**
 * @module @meridian/manifest-core — the pure HLS playlist model: parse, serialize, render,
 * stitch ads, sequence live windows, apply blackouts. No I/O and no Node built-ins: it runs
 * unchanged in workerd, Node and browsers.
 */
export { ManifestError, isManifestError, MANIFEST_ERROR_CODES } from './errors.ts';
export type { ManifestErrorCode, ManifestErrorOptions, ManifestWarning } from './errors.ts';
export * from './playlist/index.ts';
export * from './scte35/index.ts';
export * from './vast/index.ts';
export * from './render/index.ts';
export * from './ssai/index.ts';
export * from './signing/index.ts';
export * from './asset/index.ts';
export * from './session/index.ts';
