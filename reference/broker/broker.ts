/**
 * Wires the broker together: TCP listener → sessions → fan-out to handlers (+ optional decode pool),
 * periodic stats, and the hooks {@link installShutdown} drives.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { BufferPool } from './buffer-pool.ts';
import type { BrokerConfig } from './config.ts';
import { DecodePool } from './decode-pool.ts';
import type { EventLog } from './event-log.ts';
import { Fanout } from './fanout.ts';
import { Session, formatAddress } from './session.ts';
import type { Drainable } from './shutdown.ts';

export class Broker implements Drainable {
  readonly fanout: Fanout;
  readonly pool: BufferPool;
  readonly decode: DecodePool | null;
  readonly sessions = new Set<Session>();
  private readonly server: Server;
  private accepted = 0;
  private stopping = false;
  private statsTimer: NodeJS.Timeout | null = null;
  /** Set by the shutdown controller; called whenever drain progress may have been made. */
  onProgress: (() => void) | null = null;
  private readonly progress = (): void => {
    this.onProgress?.();
  };

  constructor(
    readonly config: BrokerConfig,
    readonly log: EventLog,
  ) {
    // Up to 16 assembly buffers, and never more than ~1 MiB of them (MAX_FRAME can be raised).
    this.pool = new BufferPool(config.maxFrame, Math.max(1, Math.min(16, Math.floor((1 << 20) / Math.max(1, config.maxFrame)))));
    this.fanout = new Fanout({
      handlers: config.handlers,
      capacity: config.capacity,
      slowHandlerMs: config.slowHandlerMs,
      logFrames: config.logFrames,
      logProbes: config.logProbes,
      pool: this.pool,
      log,
      onIdle: this.progress,
    });
    this.decode = config.decode === 'cbor' ? new DecodePool({ workers: config.workers, log, onProgress: this.progress }) : null;
    this.server = createServer((socket) => this.accept(socket));
    // A log reader slower than the broker: stop reading sockets until the log queue drains
    // (see event-log.ts). Handlers keep working through what is already queued.
    log.onCongestion = (congested) => {
      for (const session of this.sessions) session.setPaused(congested);
    };
  }

  /**
   * Waits for the decode workers (if any) to load, binds and logs `listening`; resolves with the
   * actual `ip:port` (port 0 → the chosen port).
   */
  async listen(): Promise<string> {
    if (this.decode !== null) await this.decode.ready;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.config.host, port: this.config.port }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.log.event('listener-error', { reason: err.message }));
        const address = this.server.address();
        const addr = address !== null && typeof address === 'object' ? formatAddress(address.address, address.port) : String(address);
        this.log.event('listening', { addr });
        if (this.config.statsMs > 0) {
          this.statsTimer = setInterval(() => this.logStats(), this.config.statsMs);
          this.statsTimer.unref();
        }
        resolve(addr);
      });
    });
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const session = new Session(socket, ++this.accepted, {
      fanout: this.fanout,
      decode: this.decode,
      log: this.log,
      pool: this.pool,
      maxFrame: this.config.maxFrame,
      onClose: (closed) => {
        this.sessions.delete(closed);
        this.progress();
      },
    });
    this.sessions.add(session);
    if (this.log.congested) session.setPaused(true);
  }

  logStats(): void {
    this.fanout.logStats(this.log);
    const decode = this.decode;
    if (decode !== null) {
      this.log.event('decode-stats', { decoded: decode.decoded, errors: decode.errors, skipped: decode.skipped });
    }
  }

  /** Stop accepting (the listener closes now, so new connections are refused) and wind sessions down. */
  beginShutdown(): void {
    this.stopping = true;
    this.server.close(() => undefined);
    for (const session of [...this.sessions]) session.shutdown();
  }

  /** Sessions all closed, handlers done with their queues, decode workers done. */
  isDrained(): boolean {
    return this.sessions.size === 0 && this.fanout.idle && (this.decode === null || this.decode.idle);
  }

  /** Last words before `drained`: pending lag counts and final running totals. */
  finalReport(): void {
    this.fanout.flushLag();
    if (this.config.statsMs > 0) this.logStats();
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
  }
}
