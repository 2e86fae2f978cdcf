/**
 * One ground-station connection: socket chunks → {@link FrameReader} → fan-out (and decode pool).
 *
 * Never pauses the socket: ingestion does not wait for handlers. Closes the connection on an
 * oversize header (`rejected`), on EOF/errors, and at shutdown (immediately when idle between
 * frames, after the in-progress frame otherwise).
 */
import type { Socket } from 'node:net';
import type { BufferPool } from './buffer-pool.ts';
import type { DecodePool } from './decode-pool.ts';
import type { EventLog } from './event-log.ts';
import type { Fanout } from './fanout.ts';
import { FrameReader } from './frame-reader.ts';
import type { FrameSink } from './frame-reader.ts';

export interface SessionContext {
  fanout: Fanout;
  decode: DecodePool | null;
  log: EventLog;
  pool: BufferPool;
  maxFrame: number;
  onClose(session: Session): void;
}

/** `ip:port`, with brackets for IPv6 (like Rust's `SocketAddr` display). */
export function formatAddress(address: string | undefined, port: number | undefined): string {
  const host = address ?? 'unknown';
  return `${host.includes(':') ? `[${host}]` : host}:${String(port ?? 0)}`;
}

export class Session implements FrameSink {
  readonly station: string;
  readonly stationJson: string;
  readonly reader: FrameReader;
  private closeReason: string | undefined;
  private closed = false;
  private readonly onDataBound = (chunk: Buffer): void => this.onData(chunk);

  constructor(
    readonly socket: Socket,
    readonly id: number,
    private readonly ctx: SessionContext,
  ) {
    this.station = `gs-${id}@${formatAddress(socket.remoteAddress, socket.remotePort)}`;
    this.stationJson = JSON.stringify(this.station);
    this.reader = new FrameReader(ctx.maxFrame, ctx.pool);
    ctx.log.event('connection', { station: this.station });
    socket.on('data', this.onDataBound);
    socket.on('end', () => {
      this.closeReason ??= this.reader.midFrame ? 'eof mid-frame (partial frame discarded)' : 'eof';
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.closeReason ??= `error: ${err.code ?? err.message}`;
    });
    socket.on('close', () => this.finish());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** FrameSink: a complete frame arrived. */
  frame(payload: Buffer, backing: Buffer | null): void {
    // The decode pool copies synchronously, so it needs no reference of its own.
    this.ctx.decode?.submit(this.station, payload);
    this.ctx.fanout.publish(this.stationJson, payload, backing);
  }

  private onData(chunk: Buffer): void {
    const result = this.reader.feed(chunk, this);
    if (result === 'more') return;
    if (result === 'violation') {
      const reason = this.reader.violation?.reason ?? 'protocol violation';
      this.ctx.log.event('rejected', { station: this.station, reason });
      this.close(`rejected: ${reason}`);
    } else {
      this.close('shutdown');
    }
  }

  /**
   * Shutdown request: close now when idle between frames, otherwise let the reader finish the
   * frame in progress (the data handler closes the session when the reader reports `stopped`).
   */
  shutdown(): void {
    if (this.closed) return;
    if (this.reader.requestStop()) this.close('shutdown');
  }

  /** Pauses / resumes socket reads (log backpressure). */
  setPaused(paused: boolean): void {
    if (this.closed) return;
    if (paused) this.socket.pause();
    else this.socket.resume();
  }

  /** Closes the connection now; `reason` ends up in the `closed` event. */
  close(reason: string): void {
    this.closeReason ??= reason;
    this.socket.off('data', this.onDataBound);
    this.socket.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.dispose();
    this.ctx.log.event('closed', { station: this.station, reason: this.closeReason ?? 'closed' });
    this.ctx.onClose(this);
  }
}
