import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.ts';

// One file at a time: each starts a whole system (browsers, workerd, ffmpeg) on a 2-core machine.
export default mergeConfig(
  shared,
  defineConfig({ test: { testTimeout: 180_000, hookTimeout: 240_000, fileParallelism: false } }),
);
