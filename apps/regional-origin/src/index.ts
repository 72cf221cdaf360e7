/** @module The Meridian regional zone server. */
export const REGIONAL_ORIGIN_VERSION = '0.1.0';
