/**
 * Where the pacer writes frames: an abstract, drain-aware byte sink, with two implementations, a TCP
 * socket (the real thing) and an in-memory sink (tests: captures frames with their delivery time and
 * can stall on demand to emulate a full pipe).
 *
 * @module
 */
import type { Socket } from 'node:net';
import { KitError } from '../common/errors.ts';
import { nowUs } from './clock.ts';
import type { ClockUs } from './clock.ts';
import { FrameDecoder } from '../wire/frame.ts';

/**
 * A byte sink with `stream.Writable` backpressure semantics. `write` always accepts the chunk; `false`
 * means "buffer full: wait for `waitDrain()` before writing more". Either may throw/reject `SINK_CLOSED`.
 * Writers hand over ownership of `chunk`: they must not mutate it afterwards.
 */
export interface FrameSink {
  write(chunk: Uint8Array): boolean;
  /** Resolves when writable again (at once if not full); rejects if the sink closes first. */
  waitDrain(): Promise<void>;
}

/** A sink over a connected TCP socket. */
export function socketSink(socket: Socket): FrameSink {
  return {
    write(chunk) {
      if (socket.destroyed || !socket.writable) {
        throw new KitError('SINK_CLOSED', 'socket is closed', { remotePort: socket.remotePort });
      }
      return socket.write(chunk);
    },
    waitDrain() {
      if (!socket.writableNeedDrain) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const done = (error?: KitError): void => {
          socket.off('drain', onDrain);
          socket.off('close', onClose);
          if (error) reject(error);
          else resolve();
        };
        const onDrain = (): void => done();
        const onClose = (): void => done(new KitError('SINK_CLOSED', 'socket closed while waiting for drain'));
        socket.on('drain', onDrain);
        socket.on('close', onClose);
      });
    },
  };
}

/** A frame as delivered to a {@link MemorySink}. */
export interface DeliveredFrame {
  readonly payload: Buffer;
  /** When the sink received the write carrying it, or the end of the stall it was written during (µs). */
  readonly deliveredUs: number;
}

/** Options of {@link memorySink}. */
export interface MemorySinkOptions {
  /** Split writes into frames and keep them in `frames`. Default true (false: count bytes only). */
  readonly capture?: boolean;
  /** Called for each delivered frame (after a stall: when the stall ends). */
  readonly onFrame?: (frame: DeliveredFrame) => void;
  /** Clock. Default `nowUs`. */
  readonly clock?: ClockUs;
}

/** An in-memory sink for tests. */
export interface MemorySink extends FrameSink {
  readonly frames: DeliveredFrame[];
  readonly bytes: number;
  readonly writes: number;
  /**
   * Emulate a full pipe for `ms` from now: writes during the stall are accepted but return `false`,
   * their frames are delivered (timestamped) when the stall ends, and `waitDrain` resolves then.
   */
  stall(ms: number): void;
  /** True while stalled. */
  readonly stalled: boolean;
  /** Make every later write throw and pending `waitDrain` reject `SINK_CLOSED`. */
  close(): void;
}

export function memorySink(options: MemorySinkOptions = {}): MemorySink {
  const clock = options.clock ?? nowUs;
  const capture = options.capture ?? true;
  const decoder = new FrameDecoder();
  const frames: DeliveredFrame[] = [];
  let bytes = 0;
  let writes = 0;
  let stalledUntil = -Infinity;
  let closed = false;
  let held: Buffer[] = [];
  const waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  const deliver = (payloads: Buffer[], at: number): void => {
    for (const payload of payloads) {
      const frame = { payload, deliveredUs: at };
      if (capture) frames.push(frame);
      options.onFrame?.(frame);
    }
  };
  const endStall = (): void => {
    timer = undefined;
    const at = clock();
    deliver(held, at);
    held = [];
    for (const waiter of waiters.splice(0)) waiter.resolve();
  };

  return {
    frames,
    get bytes() {
      return bytes;
    },
    get writes() {
      return writes;
    },
    get stalled() {
      return clock() < stalledUntil;
    },
    write(chunk) {
      if (closed) throw new KitError('SINK_CLOSED', 'memory sink is closed');
      writes++;
      bytes += chunk.length;
      const decode = capture || options.onFrame !== undefined;
      const payloads = decode ? decoder.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)) : [];
      if (timer !== undefined) {
        held.push(...payloads);
        return false;
      }
      deliver(payloads, clock());
      return true;
    },
    waitDrain() {
      if (closed) return Promise.reject(new KitError('SINK_CLOSED', 'memory sink is closed'));
      if (timer === undefined) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    stall(ms) {
      stalledUntil = clock() + ms * 1000;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(endStall, ms);
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const waiter of waiters.splice(0)) waiter.reject(new KitError('SINK_CLOSED', 'memory sink is closed'));
    },
  };
}
