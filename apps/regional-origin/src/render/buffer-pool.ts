/**
 * @module Response buffers reused across requests. A personalised media playlist is ~100 KB of
 * fresh bytes per request; allocating them anew each time (zeroed or not) roughly halves the
 * zone's playlist throughput (V8 ArrayBuffer bookkeeping and cold memory on the socket write:
 * `npm run bench`). Buffers come back only once their response has been handed to the kernel
 * (the response's `finish`), never twice, so two viewers never share bytes in flight.
 */

/** A pool of byte buffers in size classes. */
export interface BufferPool {
  /** A buffer of exactly `size` bytes (contents undefined: the caller writes every byte). */
  allocate(size: number): Uint8Array;
  /** Gives a buffer from {@link allocate} back; a second release, or one of a foreign buffer, is ignored. */
  release(bytes: Uint8Array): void;
  /** Bytes held by free buffers. */
  freeBytes(): number;
}

/** Options of {@link createBufferPool}. */
export interface BufferPoolOptions {
  /** Size classes are multiples of this many bytes. Default 16 KiB. */
  classBytes?: number;
  /** Free buffers kept at most, in bytes over all classes. Default 32 MiB. */
  maxFreeBytes?: number;
  /** Requests above this size get an unpooled buffer. Default 16 MiB. */
  maxPooledBytes?: number;
}

/**
 * Creates a pool. Buffers are Node Buffers from `Buffer.allocUnsafeSlow` (outside the shared
 * small-buffer slab, not zero-filled: every byte is written by the caller before use).
 * @example
 * const pool = createBufferPool();
 * const bytes = pool.allocate(n); fill(bytes);
 * response.once('finish', () => pool.release(bytes));
 */
export function createBufferPool(options: BufferPoolOptions = {}): BufferPool {
  const classBytes = options.classBytes ?? 16 * 1024;
  const maxFreeBytes = options.maxFreeBytes ?? 32 * 1024 * 1024;
  const maxPooledBytes = options.maxPooledBytes ?? 16 * 1024 * 1024;
  const free = new Map<number, Buffer[]>();
  /** Buffers handed out (the view the caller holds → its whole backing buffer); deleted on release. */
  const lent = new WeakMap<Uint8Array, Buffer>();
  let freeBytes = 0;
  return {
    allocate(size) {
      if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`buffer size ${size}`);
      if (size > maxPooledBytes) return Buffer.allocUnsafeSlow(size);
      const cls = Math.max(1, Math.ceil(size / classBytes)) * classBytes;
      const whole = free.get(cls)?.pop();
      if (whole) freeBytes -= whole.length;
      const buffer = whole ?? Buffer.allocUnsafeSlow(cls);
      const view = buffer.subarray(0, size);
      lent.set(view, buffer);
      return view;
    },
    release(bytes) {
      const buffer = lent.get(bytes);
      if (buffer === undefined) return;
      lent.delete(bytes);
      if (freeBytes + buffer.length > maxFreeBytes) return;
      let list = free.get(buffer.length);
      if (!list) free.set(buffer.length, (list = []));
      list.push(buffer);
      freeBytes += buffer.length;
    },
    freeBytes: () => freeBytes,
  };
}
