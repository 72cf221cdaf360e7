/** @module @meridian/origin-failover — origin groups and zone steering (fetch transport). */
export const ORIGIN_FAILOVER_VERSION = '0.1.0';
