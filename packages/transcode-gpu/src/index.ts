/** @module @meridian/transcode-gpu — the 6-second ladder on NVENC or CPU. */
export const TRANSCODE_GPU_VERSION = '0.1.0';
