import type { Socket } from 'node:net';
import { commonPrefix } from '../core/history.ts';
import type { LeaderCore } from '../core/leader.ts';
import type { Logger } from '../log.ts';
import { writeLine } from '../net/lines.ts';
import { historyFromWire, type SubscribeMsg } from '../protocol.ts';

export interface DownstreamOptions {
  readonly logger: Logger;
  readonly heartbeatMs: number;
  /** A subscriber silent this long is dropped (resource cleanup only; it re-subscribes when it can). */
  readonly sessionIdleMs: number;
  /** A follower's applied LSN moved (or was established by a subscription). */
  onProgress(): void;
}

/** Most entries written to a socket in one go before yielding to other work. */
const BATCH = 512;

class Session {
  readonly follower: string;
  readonly socket: Socket;
  /** Next LSN to send. */
  next: number;
  lastHeard = Date.now();
  #waitingDrain = false;

  constructor(follower: string, socket: Socket, next: number) {
    this.follower = follower;
    this.socket = socket;
    this.next = next;
  }

  /** Sends entries until the log end or until the socket asks us to wait. */
  pump(core: LeaderCore): void {
    while (!this.#waitingDrain && !this.socket.destroyed && this.next <= core.log.end) {
      const batch = core.log.slice(this.next, BATCH);
      let text = '';
      for (const e of batch) text += `${JSON.stringify({ t: 'entry', lsn: e.lsn, key: e.key, value: e.value, term: e.term, by: e.by })}\n`;
      this.next += batch.length;
      if (!this.socket.write(text)) {
        this.#waitingDrain = true;
        this.socket.once('drain', () => {
          this.#waitingDrain = false;
          this.pump(core);
        });
      }
    }
  }
}

/**
 * The leader's side of replication: one session per subscribed follower (a new subscription from the same
 * follower replaces the old one), entries streamed from the agreed common prefix, heartbeats, acks fed to
 * the quorum tracker.
 */
export class Downstream {
  readonly #o: DownstreamOptions;
  readonly #sessions = new Map<string, Session>();
  #core: LeaderCore | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: DownstreamOptions) {
    this.#o = options;
  }

  /** Start serving as leader with this core. */
  lead(core: LeaderCore): void {
    this.#core = core;
    this.#timer ??= setInterval(() => this.#tick(), this.#o.heartbeatMs);
  }

  /** Stop serving (demotion, shutdown): every subscriber is disconnected. */
  stop(reason: string): void {
    this.#core = undefined;
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const session of [...this.#sessions.values()]) this.#end(session, reason);
  }

  /** Handles a subscribe on `socket`; returns the session, or undefined when refused. */
  subscribe(socket: Socket, msg: SubscribeMsg, selfId: string, leaderHint: string | null): Session | undefined {
    const core = this.#core;
    if (!core) {
      writeLine(socket, { t: 'refuse', code: 'NOT_LEADER', message: `${selfId} is not the leader`, leader: leaderHint });
      socket.end();
      return undefined;
    }
    const theirs = historyFromWire(msg.history);
    const theirTerm = theirs.at(-1)?.term ?? 0;
    if (theirTerm > core.term) {
      // The subscriber has entries from a newer leader: we are a stale leader and must not rewind it.
      writeLine(socket, { t: 'refuse', code: 'STALE_LEADER', message: `${selfId} leads term ${core.term} < ${theirTerm}`, leader: null });
      socket.end();
      this.#o.logger.event('refused-subscriber', { follower: msg.from, reason: 'stale leader', ourTerm: core.term, theirTerm });
      return undefined;
    }
    const common = commonPrefix(theirs, msg.applied, core.log.history, core.log.end);
    const previous = this.#sessions.get(msg.from);
    if (previous) this.#end(previous, 'replaced by a new subscription');
    const session = new Session(msg.from, socket, common + 1);
    this.#sessions.set(msg.from, session);
    socket.on('close', () => {
      if (this.#sessions.get(msg.from) === session) {
        this.#sessions.delete(msg.from);
        this.#o.logger.event('subscriber-gone', { follower: msg.from });
      }
    });
    writeLine(socket, { t: 'start', leader: selfId, term: core.term, common });
    this.#o.logger.event('subscriber', { follower: msg.from, applied: msg.applied, common, end: core.log.end });
    core.subscribed(msg.from, common);
    this.#o.onProgress();
    session.pump(core);
    return session;
  }

  ack(session: Session, lsn: number): void {
    const core = this.#core;
    session.lastHeard = Date.now();
    if (!core || this.#sessions.get(session.follower) !== session) return;
    core.ack(session.follower, lsn);
    this.#o.onProgress();
  }

  /** New entries were appended: ship them. */
  pumpAll(): void {
    const core = this.#core;
    if (!core) return;
    for (const session of this.#sessions.values()) session.pump(core);
  }

  connected(): string[] {
    return [...this.#sessions.keys()];
  }

  #tick(): void {
    const core = this.#core;
    if (!core) return;
    const now = Date.now();
    const hb = { t: 'hb', leader: core.id, term: core.term, end: core.log.end, commit: core.commitLsn };
    for (const session of [...this.#sessions.values()]) {
      if (now - session.lastHeard > this.#o.sessionIdleMs) this.#end(session, `silent for ${this.#o.sessionIdleMs} ms`);
      else writeLine(session.socket, hb);
    }
  }

  #end(session: Session, reason: string): void {
    if (this.#sessions.get(session.follower) === session) this.#sessions.delete(session.follower);
    session.socket.destroy();
    this.#o.logger.event('subscriber-dropped', { follower: session.follower, reason });
  }
}

export type { Session };
