/** @module @meridian/manifest-core — the pure HLS playlist model: parse, serialize, render, stitch. */
export const MANIFEST_CORE_VERSION = '0.1.0';
