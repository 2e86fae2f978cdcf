/**
 * Fan-out of frames to the downstream handlers, each behind its own {@link BroadcastRing}.
 *
 * Publishing never waits on a handler. Each handler consumes its ring asynchronously (scheduled with
 * setImmediate, so a whole event-loop turn's worth of frames is processed in one batch). A handler is
 * only "behind" while it is genuinely busy: when a ring is full and its handler is runnable (not in the
 * middle of its per-frame sleep) the publisher first lets it catch up synchronously, which is what a
 * handler on its own thread would have done meanwhile. When the handler is busy (the slow handler
 * sleeping), the oldest frame is evicted and counted as missed.
 *
 * Frames are reference counted (one reference per handler) so that pooled assembly buffers go back
 * to the {@link BufferPool} exactly when the last handler has processed or evicted the frame, and the
 * frame objects themselves are recycled through a small free list.
 */
import { crc32 } from 'node:zlib';
import { BroadcastRing } from './broadcast-ring.ts';
import type { BufferPool } from './buffer-pool.ts';
import type { EventLog } from './event-log.ts';

export interface Frame {
  /** JSON-encoded station id (shared by every frame of a session). */
  stationJson: string;
  payload: Buffer;
  /** Pooled assembly buffer behind `payload`, or null when `payload` is a view of a socket chunk. */
  backing: Buffer | null;
  /** CRC-32 of the payload once computed (by the first handler that needs it), else -1. */
  crc: number;
  /** Handlers that still hold the frame. */
  refs: number;
}

/** The kit's sampled-probe magic `a8 61 71 54` at the start of a payload (see the kit's `probe-sample.ts`). */
function isSampledProbe(p: Uint8Array): boolean {
  return p.length >= 24 && p[0] === 0xa8 && p[1] === 0x61 && p[2] === 0x71 && p[3] === 0x54;
}

export interface FanoutOptions {
  handlers: number;
  capacity: number;
  /** When > 0, handler 0 waits this many ms (setTimeout) per frame before it counts as processed. */
  slowHandlerMs: number;
  logFrames: boolean;
  /** With `logFrames` off, still log frames whose payload starts with the sampled-probe magic. Default false. */
  logProbes?: boolean;
  pool: BufferPool;
  log: EventLog;
  /** Delay before the first `lagged` line of a quiet period. */
  lagFirstMs?: number;
  /** Minimum spacing between two `lagged` lines of the same handler. */
  lagIntervalMs?: number;
  /** Called whenever a handler runs out of work (shutdown uses it to notice the drain finishing). */
  onIdle?: () => void;
}

const EMPTY = Buffer.alloc(0);
const MAX_FREE_FRAMES = 4096;

/** Rate-limited `lagged` reporting for one handler: prompt first line, then at most one per interval. */
export class LagReporter {
  private pending = 0;
  private lastEmit = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private readonly fireBound = (): void => this.fire();

  constructor(
    private readonly handler: number,
    private readonly log: EventLog,
    private readonly firstMs: number,
    private readonly intervalMs: number,
  ) {}

  note(count: number): void {
    this.pending += count;
    if (this.timer !== null) return;
    // +5 ms: timers and millisecond timestamps round, and two lines must never look < 1 s apart.
    const wait = Math.max(this.firstMs, this.lastEmit + this.intervalMs + 5 - performance.now());
    this.timer = setTimeout(this.fireBound, wait);
    this.timer.unref();
  }

  /** Emits whatever is pending now (used at shutdown, before `drained`). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.fire();
  }

  private fire(): void {
    this.timer = null;
    if (this.pending === 0) return;
    this.log.event('lagged', { handler: this.handler, missed: this.pending });
    this.pending = 0;
    this.lastEmit = performance.now();
  }
}

export class Handler {
  readonly ring: BroadcastRing<Frame>;
  readonly lag: LagReporter;
  /** Frames processed (running total). */
  frames = 0;
  /** Payload bytes processed (running total). */
  bytes = 0;
  private scheduled = false;
  private sleeping = false;
  private current: Frame | null = null;
  private readonly linePrefix: string;
  private readonly runBound = (): void => {
    this.scheduled = false;
    this.run();
  };
  private readonly wakeBound = (): void => this.wake();

  constructor(
    readonly id: number,
    private readonly sleepMs: number,
    private readonly fanout: Fanout,
    private readonly log: EventLog,
    private readonly logFrames: boolean,
    private readonly logProbes: boolean,
    capacity: number,
    lagFirstMs: number,
    lagIntervalMs: number,
  ) {
    this.lag = new LagReporter(id, log, lagFirstMs, lagIntervalMs);
    this.ring = new BroadcastRing<Frame>(capacity, (evicted) => {
      this.lag.note(1);
      fanout.release(evicted);
    });
    this.linePrefix = `{"event":"frame","handler":${id},"station":`;
  }

  /** Neither queued nor in-progress work. */
  get idle(): boolean {
    return this.ring.size === 0 && !this.sleeping;
  }

  /** Total frames lost to this handler (evicted from its full ring). */
  get missed(): number {
    return this.ring.missed;
  }

  offer(frame: Frame): void {
    if (this.ring.full && !this.sleeping) this.run();
    this.ring.push(frame);
    if (!this.scheduled && !this.sleeping) {
      this.scheduled = true;
      setImmediate(this.runBound);
    }
  }

  private run(): void {
    if (this.sleeping) return;
    if (this.sleepMs > 0) {
      const frame = this.ring.shift();
      if (frame === undefined) {
        this.fanout.onIdle?.();
        return;
      }
      this.current = frame;
      this.sleeping = true;
      setTimeout(this.wakeBound, this.sleepMs);
      return;
    }
    for (let frame = this.ring.shift(); frame !== undefined; frame = this.ring.shift()) this.process(frame);
    this.fanout.onIdle?.();
  }

  private wake(): void {
    this.sleeping = false;
    const frame = this.current;
    this.current = null;
    if (frame !== null) this.process(frame);
    this.run();
  }

  private process(frame: Frame): void {
    const bytes = frame.payload.length;
    this.frames++;
    this.bytes += bytes;
    if (this.logFrames || (this.logProbes && isSampledProbe(frame.payload))) {
      let crc = frame.crc;
      if (crc < 0) crc = frame.crc = crc32(frame.payload);
      this.log.raw(`${this.linePrefix + frame.stationJson},"bytes":${bytes},"crc32":${crc},"ts":"${this.log.now()}"}\n`);
    }
    this.fanout.release(frame);
  }
}

export class Fanout {
  readonly handlers: Handler[] = [];
  readonly onIdle: (() => void) | undefined;
  private readonly free: Frame[] = [];
  private readonly pool: BufferPool;
  /** Frames published (running total). */
  published = 0;

  constructor(options: FanoutOptions) {
    this.pool = options.pool;
    this.onIdle = options.onIdle;
    const lagFirstMs = options.lagFirstMs ?? 10;
    const lagIntervalMs = options.lagIntervalMs ?? 1000;
    for (let id = 0; id < options.handlers; id++) {
      const sleepMs = id === 0 ? options.slowHandlerMs : 0;
      this.handlers.push(
        new Handler(
          id,
          sleepMs,
          this,
          options.log,
          options.logFrames,
          options.logProbes ?? false,
          options.capacity,
          lagFirstMs,
          lagIntervalMs,
        ),
      );
    }
  }

  /** Hands one frame to every handler. Never waits. */
  publish(stationJson: string, payload: Buffer, backing: Buffer | null): void {
    const frame = this.free.pop() ?? { stationJson: '', payload: EMPTY, backing: null, crc: -1, refs: 0 };
    frame.stationJson = stationJson;
    frame.payload = payload;
    frame.backing = backing;
    frame.crc = -1;
    const handlers = this.handlers;
    frame.refs = handlers.length;
    this.published++;
    for (let i = 0; i < handlers.length; i++) (handlers[i] as Handler).offer(frame);
  }

  /** Drops one handler's reference; the last one returns the buffer and recycles the frame. */
  release(frame: Frame): void {
    if (--frame.refs > 0) return;
    if (frame.backing !== null) this.pool.release(frame.backing);
    frame.backing = null;
    frame.payload = EMPTY;
    if (this.free.length < MAX_FREE_FRAMES) this.free.push(frame);
  }

  get idle(): boolean {
    for (const handler of this.handlers) if (!handler.idle) return false;
    return true;
  }

  /** Reports every pending lag count now. */
  flushLag(): void {
    for (const handler of this.handlers) handler.lag.flush();
  }

  /** Logs one `stats` line per handler (running totals). */
  logStats(log: EventLog): void {
    for (const h of this.handlers) log.event('stats', { handler: h.id, frames: h.frames, bytes: h.bytes, missed: h.missed });
  }
}
