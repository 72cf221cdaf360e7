/** @module Unit tests of the response buffer pool: reuse only after release, never twice, bounded. */
import { describe, expect, it } from 'vitest';
import { createBufferPool } from './buffer-pool.ts';

describe('buffer pool', () => {
  it('hands a released buffer out again, and never one still lent', () => {
    const pool = createBufferPool({ classBytes: 1024 });
    const a = pool.allocate(1000);
    const b = pool.allocate(1000);
    expect(a.length).toBe(1000);
    expect(a.buffer).not.toBe(b.buffer);
    a.fill(1);
    pool.release(a);
    const c = pool.allocate(900); // the same size class
    expect(c.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(b.buffer);
    expect(c.length).toBe(900);
  });

  it('ignores a second release and foreign buffers, so a buffer is never lent to two responses', () => {
    const pool = createBufferPool({ classBytes: 1024 });
    const a = pool.allocate(100);
    pool.release(a);
    pool.release(a);
    pool.release(new Uint8Array(100));
    pool.release(Buffer.allocUnsafeSlow(1024));
    const x = pool.allocate(100);
    const y = pool.allocate(100);
    expect(x.buffer).toBe(a.buffer);
    expect(y.buffer).not.toBe(a.buffer);
    expect(pool.freeBytes()).toBe(0);
  });

  it('keeps at most maxFreeBytes and does not pool oversized buffers', () => {
    const pool = createBufferPool({ classBytes: 1024, maxFreeBytes: 2048, maxPooledBytes: 4096 });
    const lent = [pool.allocate(1024), pool.allocate(1024), pool.allocate(1024)];
    for (const b of lent) pool.release(b);
    expect(pool.freeBytes()).toBe(2048);
    const big = pool.allocate(10_000);
    expect(big.length).toBe(10_000);
    pool.release(big);
    expect(pool.freeBytes()).toBe(2048);
    expect(() => pool.allocate(-1)).toThrow(RangeError);
  });
});
