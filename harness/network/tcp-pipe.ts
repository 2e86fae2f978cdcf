import type { Socket } from 'node:net';
import type { Link } from './link.ts';
import { now, SLACK_MS, type Scheduler, type Task } from './scheduler.ts';

/** Above this many queued bytes the pipe pauses its source socket (TCP backpressure, also while held). */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** Bandwidth-capped links deliver in slices of about this many ms of line rate. */
const SLICE_MS = 10;
const MAX_SLICE = 64 * 1024;

interface Chunk {
  readonly buf: Buffer;
  off: number;
  readonly dueAt: number;
}

/** What a pipe needs from its fabric. */
export interface PipeHost {
  readonly scheduler: Scheduler;
  /** The pipe stopped because its link is cut: wake it on the next cut change. */
  blocked(pipe: Pipe): void;
}

export type EndKind = 'fin' | 'rst';

/**
 * One direction of a spliced TCP connection: bytes read from `source` are written to `dest` under the
 * faults of `link`. Order is kept: chunks leave in arrival order, each no earlier than its own due
 * time (arrival + delay + jitter), and the end of stream (FIN or RST) travels behind the last byte.
 * While the link is cut nothing leaves (bytes are held, not dropped).
 */
export class Pipe implements Task {
  /** Where bytes go; `null` until the upstream connection is established. */
  #dest: Socket | null = null;
  /** True while `dest` is missing because a cut defers the upstream connect (counts as held). */
  deferred = false;
  readonly #queue: Chunk[] = [];
  #head = 0;
  #queuedBytes = 0;
  #lastDueAt = 0;
  #end: EndKind | null = null;
  #endDone = false;
  #held = false;
  #waitingDrain = false;
  #dead = false;
  #pumping = false;
  #wakeAt = Infinity;
  #sourcePaused = false;
  // What this pipe currently contributes to the link's inFlight/held counters.
  #flightMsgs = 0;
  #flightBytes = 0;
  #heldMsgs = 0;
  #heldBytes = 0;
  #flightMarker = 0;

  constructor(
    readonly link: Link,
    private readonly source: Socket,
    private readonly host: PipeHost,
  ) {}

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** A chunk read from the source. */
  push(buf: Buffer): void {
    const link = this.link;
    link.sentMsgs++;
    link.sentBytes += buf.length;
    if (this.#dead || this.#end !== null) {
      link.droppedMsgs++;
      link.droppedBytes += buf.length;
      return;
    }
    const dest = this.#dest;
    if (link.plain && dest !== null && this.#head === this.#queue.length && !this.#waitingDrain) {
      link.deliveredMsgs++;
      link.deliveredBytes += buf.length;
      if (!dest.write(buf)) this.#waitingDrain = true;
      return;
    }
    const f = link.faults;
    let dueAt = 0;
    if (f.delayMs > 0 || f.jitterMs > 0) dueAt = Math.max(now() + link.sampleDelay(), this.#lastDueAt);
    this.#lastDueAt = dueAt;
    this.#queue.push({ buf, off: 0, dueAt });
    this.#queuedBytes += buf.length;
    this.#sync();
    if (this.#queuedBytes > HIGH_WATER && !this.#sourcePaused) {
      this.#sourcePaused = true;
      this.source.pause();
    }
    this.pump();
  }

  /** The source ended (`fin`) or broke (`rst`): forward that after the queued bytes. */
  finish(kind: EndKind): void {
    if (this.#dead || this.#end !== null) return;
    this.#end = kind;
    this.#sync();
    this.pump();
  }

  /** The destination socket is connected: start delivering. */
  attach(dest: Socket): void {
    this.#dest = dest;
    this.deferred = false;
    this.pump();
  }

  /** The destination is gone (or the connection is being torn down): drop everything queued. */
  discard(): void {
    if (this.#dead) return;
    this.#dead = true;
    const link = this.link;
    link.droppedMsgs += this.#queue.length - this.#head;
    link.droppedBytes += this.#queuedBytes;
    this.#queue.length = 0;
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#endDone = true;
    this.#sync();
    this.#resumeSource();
  }

  /** The destination drained its write buffer. */
  drained(): void {
    this.#waitingDrain = false;
    this.pump();
  }

  fire(): void {
    this.#wakeAt = Infinity;
    this.pump();
  }

  /** Delivers whatever may leave now, then schedules the next wake-up or waits for a heal. */
  pump(): void {
    if (this.#pumping || this.#dead) return;
    this.#pumping = true;
    try {
      this.#pumpLoop();
    } finally {
      this.#pumping = false;
    }
    this.#sync();
    if (this.#sourcePaused && this.#queuedBytes < LOW_WATER) this.#resumeSource();
  }

  #pumpLoop(): void {
    const link = this.link;
    const queue = this.#queue;
    for (;;) {
      const pending = this.#head < queue.length;
      if (!pending && (this.#end === null || this.#endDone)) {
        this.#held = false;
        return;
      }
      const dest = this.#dest;
      if (dest === null) {
        this.#held = this.deferred;
        return;
      }
      if (link.cut) {
        if (!this.#held) {
          this.#held = true;
          this.#sync();
        }
        this.host.blocked(this);
        return;
      }
      this.#held = false;
      if (this.#waitingDrain) return;
      if (!pending) {
        this.#endDone = true;
        this.#sync();
        if (this.#end === 'fin') dest.end();
        else resetSocket(dest);
        return;
      }
      const head = queue[this.#head] as Chunk;
      const t = now();
      if (head.dueAt > t + SLACK_MS) return this.#wake(head.dueAt);
      let n = head.buf.length - head.off;
      const rate = link.faults.bandwidth;
      if (rate !== null) {
        if (link.wireFreeAt > t + SLACK_MS) return this.#wake(link.wireFreeAt);
        n = Math.min(n, Math.max(1, Math.min(MAX_SLICE, Math.floor((rate * SLICE_MS) / 1000))));
        link.wireFreeAt = Math.max(link.wireFreeAt, t) + (n * 1000) / rate;
      }
      const piece = head.off === 0 && n === head.buf.length ? head.buf : head.buf.subarray(head.off, head.off + n);
      head.off += n;
      this.#queuedBytes -= n;
      link.deliveredBytes += n;
      if (head.off === head.buf.length) {
        link.deliveredMsgs++;
        this.#head++;
        if (this.#head === queue.length) {
          queue.length = 0;
          this.#head = 0;
        } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
          queue.splice(0, this.#head);
          this.#head = 0;
        }
      }
      this.#sync();
      if (!dest.write(piece)) this.#waitingDrain = true;
    }
  }

  #wake(at: number): void {
    if (at >= this.#wakeAt) return;
    this.#wakeAt = at;
    this.host.scheduler.schedule(at, this);
  }

  #resumeSource(): void {
    if (!this.#sourcePaused) return;
    this.#sourcePaused = false;
    if (!this.source.destroyed) this.source.resume();
  }

  /**
   * Moves this pipe's contribution between the link's inFlight and held counters (and the network's
   * in-flight tracker) to match its current state. A pending end marker counts for the tracker only.
   */
  #sync(): void {
    const msgs = this.#queue.length - this.#head;
    const bytes = this.#queuedBytes;
    const marker = this.#end !== null && !this.#endDone ? 1 : 0;
    const link = this.link;
    const held = this.#held || (this.#dest === null && this.deferred);
    const flightMsgs = held ? 0 : msgs;
    const flightBytes = held ? 0 : bytes;
    const heldMsgs = held ? msgs : 0;
    const heldBytes = held ? bytes : 0;
    const flightMarker = held ? 0 : marker;
    const dMsgs = flightMsgs - this.#flightMsgs;
    const dBytes = flightBytes - this.#flightBytes;
    const dMarker = flightMarker - this.#flightMarker;
    if (dMsgs !== 0 || dBytes !== 0) {
      link.inFlightMsgs += dMsgs;
      link.inFlightBytes += dBytes;
    }
    if (dMsgs + dMarker > 0) link.track(dMsgs + dMarker);
    else if (dMsgs + dMarker < 0) link.untrack(-(dMsgs + dMarker));
    link.enterHeld(heldMsgs - this.#heldMsgs, heldBytes - this.#heldBytes);
    this.#flightMsgs = flightMsgs;
    this.#flightBytes = flightBytes;
    this.#flightMarker = flightMarker;
    this.#heldMsgs = heldMsgs;
    this.#heldBytes = heldBytes;
  }
}

/** RST if the socket is connected, plain destroy if it is still connecting or already gone. */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting || socket.pending) socket.destroy();
  else socket.resetAndDestroy();
}
