import { connect, type Socket } from 'node:net';
import type { FollowerCore } from '../core/follower.ts';
import type { Logger } from '../log.ts';
import type { HostPort } from '../net/address.ts';
import { readLines, writeLine } from '../net/lines.ts';
import { decodeMessage, historyToWire, type PeerMessage } from '../protocol.ts';

export interface UpstreamOptions {
  readonly selfId: string;
  readonly book: ReadonlyMap<string, HostPort>;
  readonly core: FollowerCore;
  readonly logger: Logger;
  readonly heartbeatMs: number;
  /** Silence on an established stream longer than this means the link is dead. */
  readonly peerTimeoutMs: number;
  /** The leader told us its term (start / heartbeat). */
  onTerm(term: number): void;
  /** The leader's log end and commit LSN, from heartbeats. */
  onLeaderProgress(end: number, commit: number): void;
}

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 500;

interface Conn {
  readonly socket: Socket;
  readonly openedAt: number;
  streaming: boolean;
  gotBytes: boolean;
  ackDue: boolean;
  idle: NodeJS.Timeout;
}

/**
 * The follower's replication link: dial the leader through the book, subscribe with our applied LSN and
 * term history, apply the stream, acknowledge. Any failure (reset, refusal, silence) closes the connection
 * and redials after a backoff growing 50 → 500 ms.
 *
 * Silence detection must tolerate injected lag: a fresh connection may stay quiet for a whole round trip.
 * So the first-byte deadline starts at the peer timeout, doubles after each connection that heard nothing
 * (up to 30 s or the peer timeout if larger) and, after a successful subscription, resets to
 * max(peer timeout, 2 × the round trip that subscription took).
 */
export class Upstream {
  readonly #o: UpstreamOptions;
  #leader: string;
  #conn: Conn | undefined;
  #retry: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #backoff = BACKOFF_MIN_MS;
  #firstByteMs: number;
  #stopped = true;
  #reconnects = 0;

  constructor(options: UpstreamOptions, leader: string) {
    this.#o = options;
    this.#leader = leader;
    this.#firstByteMs = options.peerTimeoutMs;
  }

  get leader(): string {
    return this.#leader;
  }

  get streaming(): boolean {
    return this.#conn?.streaming ?? false;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  start(): void {
    this.#stopped = false;
    this.#keepalive ??= setInterval(() => this.#sendAck(true), this.#o.heartbeatMs);
    this.#connect();
  }

  /** Follow another leader: drop the current link and dial the new one at once. */
  retarget(leader: string): void {
    this.#leader = leader;
    this.#backoff = BACKOFF_MIN_MS;
    this.#firstByteMs = this.#o.peerTimeoutMs;
    this.#close('leader changed', false);
    if (!this.#stopped) this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#keepalive);
    this.#keepalive = undefined;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#close('stopped', false);
  }

  #connect(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#stopped || this.#conn) return;
    const target = this.#o.book.get(this.#leader);
    if (!target) {
      this.#o.logger.event('link-error', { leader: this.#leader, reason: 'leader not in address book' });
      this.#scheduleRetry();
      return;
    }
    const socket = connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    const conn: Conn = {
      socket,
      openedAt: Date.now(),
      streaming: false,
      gotBytes: false,
      ackDue: false,
      idle: setTimeout(() => this.#close(`no bytes from ${this.#leader} within ${this.#firstByteMs} ms`, true, true), this.#firstByteMs),
    };
    this.#conn = conn;
    socket.on('data', () => {
      if (this.#conn !== conn) return;
      conn.gotBytes = true;
      conn.idle.refresh();
    });
    readLines(socket, {
      message: (raw) => this.#onMessage(conn, decodeMessage(raw)),
      chunkEnd: () => this.#sendAck(false),
      protocolError: (reason) => this.#close(`protocol error: ${reason}`, true),
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.#conn === conn) this.#close('connection closed', true);
    });
    const core = this.#o.core;
    writeLine(socket, { t: 'subscribe', from: this.#o.selfId, applied: core.applied, history: historyToWire(core.log.history) });
    this.#o.logger.event('connect', { peer: this.#leader, applied: core.applied, attempt: this.#reconnects });
  }

  #onMessage(conn: Conn, msg: PeerMessage | undefined): void {
    if (this.#conn !== conn) return;
    const core = this.#o.core;
    switch (msg?.t) {
      case 'start': {
        if (msg.leader !== this.#leader) return this.#close(`${msg.leader} answered for ${this.#leader}`, true);
        this.#o.onTerm(msg.term);
        const applied = core.applied;
        const dropped = core.resync(msg.common);
        if (dropped > 0) {
          this.#o.logger.event('rewind', { leader: this.#leader, from: applied, to: msg.common, dropped });
        }
        conn.streaming = true;
        conn.ackDue = true;
        const rtt = Date.now() - conn.openedAt;
        this.#firstByteMs = Math.max(this.#o.peerTimeoutMs, 2 * rtt);
        this.#backoff = BACKOFF_MIN_MS;
        // From now on silence is judged against the steady-state timeout (heartbeats flow).
        clearTimeout(conn.idle);
        conn.idle = setTimeout(() => this.#close(`silent for ${this.#streamTimeoutMs()} ms`, true, true), this.#streamTimeoutMs());
        this.#o.logger.event('subscribed', { leader: this.#leader, term: msg.term, common: msg.common, applied: core.applied, rttMs: rtt });
        return;
      }
      case 'entry': {
        if (!conn.streaming) return this.#close('entry before start', true);
        const outcome = core.offer(msg);
        if (outcome === 'overflow') return this.#close('too many out-of-order entries held', true);
        if (outcome === 'applied') conn.ackDue = true;
        return;
      }
      case 'hb':
        if (msg.leader !== this.#leader) return this.#close(`heartbeat from ${msg.leader}, expected ${this.#leader}`, true);
        this.#o.onTerm(msg.term);
        this.#o.onLeaderProgress(msg.end, msg.commit);
        return;
      case 'refuse':
        this.#o.logger.event('refused', { peer: this.#leader, code: msg.code, reason: msg.message, leader: msg.leader });
        return this.#close(`refused: ${msg.code}`, true);
      default:
        return this.#close(`unexpected message ${msg?.t ?? '(invalid)'}`, true);
    }
  }

  #streamTimeoutMs(): number {
    return Math.max(this.#o.peerTimeoutMs, this.#firstByteMs);
  }

  #sendAck(keepalive: boolean): void {
    const conn = this.#conn;
    if (!conn?.streaming || (!keepalive && !conn.ackDue)) return;
    conn.ackDue = false;
    writeLine(conn.socket, { t: 'ack', from: this.#o.selfId, lsn: this.#o.core.applied });
  }

  /** `silent`: closed because nothing arrived in time (maybe a slow link: be more patient next time). */
  #close(reason: string, retry: boolean, silent = false): void {
    const conn = this.#conn;
    if (!conn) return;
    this.#conn = undefined;
    clearTimeout(conn.idle);
    conn.socket.destroy();
    if (silent && !conn.gotBytes) this.#firstByteMs = Math.min(Math.max(30_000, this.#o.peerTimeoutMs), this.#firstByteMs * 2);
    this.#o.logger.event('disconnect', { peer: this.#leader, reason, streaming: conn.streaming });
    if (retry) this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#retry) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(BACKOFF_MAX_MS, this.#backoff * 2);
    this.#reconnects++;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connect();
    }, delay);
  }
}
