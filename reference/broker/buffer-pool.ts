/**
 * A small, bounded pool of assembly buffers for frames whose bytes span several socket chunks.
 *
 * Frames that lie entirely inside one chunk never touch the pool: they are `subarray` views of the
 * chunk. Only a frame cut by a chunk boundary needs its own contiguous storage.
 *
 * Lifetime is tracked exactly, not guessed: the fan-out layer reference-counts each frame (one
 * reference per handler ring it sits in) and calls {@link BufferPool.release} when the last handler
 * has processed or dropped it. A buffer is therefore never handed out while a handler can still read it.
 *
 * Bounds: the pool creates at most `maxPooled` buffers of `bufferSize` bytes during its life, so the
 * memory it can pin is `maxPooled * bufferSize` (1 MiB with the defaults). When all of them are out
 * (say a slow handler is sitting on them) `acquire` falls back to an exact-size `Buffer.allocUnsafe`
 * that is simply garbage collected later; `release` ignores such buffers.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly pooled = new WeakSet<Buffer>();
  private created = 0;
  /** Acquisitions served by a fresh exact-size allocation because the pool was exhausted. */
  fallbacks = 0;

  constructor(
    readonly bufferSize: number,
    readonly maxPooled = 16,
  ) {}

  /** Storage for a `length`-byte payload; may be larger than `length`. */
  acquire(length: number): Buffer {
    if (length <= this.bufferSize) {
      const buf = this.free.pop();
      if (buf !== undefined) return buf;
      if (this.created < this.maxPooled) {
        this.created++;
        const fresh = Buffer.allocUnsafeSlow(this.bufferSize);
        this.pooled.add(fresh);
        return fresh;
      }
    }
    this.fallbacks++;
    return Buffer.allocUnsafe(length);
  }

  /** Gives a buffer back once nobody reads it any more. Non-pooled buffers are ignored. */
  release(buf: Buffer): void {
    if (this.pooled.has(buf)) this.free.push(buf);
  }

  /** Buffers currently idle in the pool. */
  get available(): number {
    return this.free.length;
  }

  /** Pooled buffers handed out and not yet released. */
  get outstanding(): number {
    return this.created - this.free.length;
  }
}
