/**
 * Incremental, zero-copy parser for the length-prefixed wire format (pure: no sockets, no timers).
 *
 * Wire format: 4-byte big-endian unsigned payload length, then that many payload bytes. A length
 * above `maxFrame` is a protocol violation; zero is a legal, empty frame.
 *
 * Feed it socket chunks in order. A frame that lies wholly inside one chunk is delivered as a
 * `subarray` view of that chunk (no copy; the view keeps the chunk alive for as long as it is
 * referenced). A frame cut by a chunk boundary is assembled into a buffer from the {@link BufferPool};
 * it is delivered with `backing` set to that buffer, and whoever ends up owning the frame must call
 * `pool.release(backing)` once nothing reads the payload any more.
 */
import type { BufferPool } from './buffer-pool.ts';

/** Receives frames from {@link FrameReader.feed}, in stream order. */
export interface FrameSink {
  /**
   * `payload` is either a view of the fed chunk (`backing === null`) or a view of a pooled
   * assembly buffer (`backing` is that buffer and must be released to the pool when done).
   */
  frame(payload: Buffer, backing: Buffer | null): void;
}

/**
 * Outcome of a feed:
 * - `more`: keep feeding;
 * - `violation`: an oversize header was seen; see {@link FrameReader.violation}; nothing more is parsed;
 * - `stopped`: a stop was requested and the reader has finished (see {@link FrameReader.requestStop}).
 */
export type FeedResult = 'more' | 'violation' | 'stopped';

export interface Violation {
  /** The announced payload length. */
  length: number;
  /** Stream offset (bytes since the first fed byte) at which the offending header starts. */
  offset: number;
  reason: string;
}

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  private headerHave = 0;
  private headerValue = 0;
  private assembly: Buffer | null = null;
  private need = 0;
  private filled = 0;
  private base = 0;
  private stopRequested = false;
  private state: FeedResult = 'more';
  /** Set once an oversize header has been seen. */
  violation: Violation | null = null;
  /** Frames delivered so far. */
  frames = 0;

  constructor(
    readonly maxFrame: number,
    private readonly pool: BufferPool,
  ) {}

  /** True while a frame has started (some header or payload bytes seen) but is not complete. */
  get midFrame(): boolean {
    return this.headerHave > 0 || this.assembly !== null;
  }

  /** Bytes consumed so far (stream offset of the next byte). */
  get offset(): number {
    return this.base;
  }

  get status(): FeedResult {
    return this.state;
  }

  /**
   * Graceful stop. When idle between frames the reader stops at once (returns true: the caller can
   * close now). When mid-frame it keeps parsing until that frame completes, then also delivers every
   * further frame that is already complete in the same chunk, and stops at the first incomplete one
   * (its bytes are discarded). Returns whether the reader is already stopped.
   */
  requestStop(): boolean {
    if (this.state !== 'more') return true;
    this.stopRequested = true;
    if (!this.midFrame) {
      this.state = 'stopped';
      return true;
    }
    return false;
  }

  feed(chunk: Buffer, sink: FrameSink): FeedResult {
    if (this.state !== 'more') return this.state;
    const end = chunk.length;
    let pos = 0;
    // Becomes true once the frame in progress at requestStop() has completed: from then on only
    // frames wholly present in this chunk are delivered.
    let finishing = false;

    for (;;) {
      const assembly = this.assembly;
      if (assembly !== null) {
        const take = Math.min(this.need - this.filled, end - pos);
        chunk.copy(assembly, this.filled, pos, pos + take);
        this.filled += take;
        pos += take;
        if (this.filled < this.need) break;
        const payload = assembly.subarray(0, this.need);
        this.assembly = null;
        this.frames++;
        sink.frame(payload, assembly);
        if (this.stopRequested) finishing = true;
        continue;
      }

      const left = end - pos;
      if (this.headerHave === 0) {
        if (left === 0) break;
        if (left >= 4) {
          // Fast path: whole header present.
          const length = chunk.readUInt32BE(pos);
          if (length > this.maxFrame) {
            if (finishing) return this.stop(end);
            return this.fail(length, this.base + pos, end);
          }
          if (left - 4 >= length) {
            const start = pos + 4;
            pos = start + length;
            this.frames++;
            sink.frame(length === 0 ? EMPTY : chunk.subarray(start, pos), null);
            if (this.stopRequested) finishing = true;
            continue;
          }
          if (finishing) return this.stop(end);
          pos += 4;
          this.beginAssembly(length);
          continue;
        }
        if (finishing) return this.stop(end);
      }

      // Slow path: header bytes straddle chunks.
      while (this.headerHave < 4 && pos < end) {
        this.headerValue = this.headerValue * 256 + (chunk[pos++] as number);
        this.headerHave++;
      }
      if (this.headerHave < 4) break;
      const length = this.headerValue;
      this.headerHave = 0;
      this.headerValue = 0;
      if (length > this.maxFrame) return this.fail(length, this.base + pos - 4, end);
      if (length === 0) {
        this.frames++;
        sink.frame(EMPTY, null);
        if (this.stopRequested) finishing = true;
        continue;
      }
      this.beginAssembly(length);
    }

    this.base += end;
    if (finishing) return this.stop(0);
    return 'more';
  }

  private beginAssembly(length: number): void {
    this.assembly = this.pool.acquire(length);
    this.need = length;
    this.filled = 0;
  }

  private stop(consumed: number): FeedResult {
    this.base += consumed;
    this.headerHave = 0;
    this.headerValue = 0;
    if (this.assembly !== null) {
      this.pool.release(this.assembly);
      this.assembly = null;
    }
    this.state = 'stopped';
    return 'stopped';
  }

  private fail(length: number, offset: number, consumed: number): FeedResult {
    this.base += consumed;
    this.violation = { length, offset, reason: `frame length ${length} exceeds maximum ${this.maxFrame}` };
    this.state = 'violation';
    return 'violation';
  }

  /** Drops any partial frame (connection gone); its pooled buffer goes back to the pool. */
  dispose(): void {
    if (this.assembly !== null) {
      this.pool.release(this.assembly);
      this.assembly = null;
    }
    this.headerHave = 0;
    this.headerValue = 0;
    if (this.state === 'more') this.state = 'stopped';
  }
}
