/**
 * UDP driver of one gossip node: owns its socket (bound to the node's own listen address, so the kit
 * recognises the sender), resolves peer ids through the address book only, runs the core's timers in
 * free-running mode or waits for ticks in round-driven mode, and keeps the byte counters.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { DecodeError, decodeMessage, encodeMessage } from './core/codec.ts';
import { GossipCore } from './core/node.ts';
import { MESSAGE_TYPES } from './core/types.ts';
import type { Effects, GossipEvent, Member, MemberStatus, MessageType } from './core/types.ts';
import { coreConfig, parseAddress } from './config.ts';
import type { Knobs, NodeSpec } from './config.ts';

export interface Traffic {
  messages: number;
  bytes: number;
  byType: Record<MessageType, { messages: number; bytes: number }>;
}

function traffic(): Traffic {
  const byType = {} as Record<MessageType, { messages: number; bytes: number }>;
  for (const t of MESSAGE_TYPES) byType[t] = { messages: 0, bytes: 0 };
  return { messages: 0, bytes: 0, byType };
}

export class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Logger = (event: Record<string, unknown>) => void;

export class NodeHost {
  readonly id: string;
  readonly core: GossipCore;
  readonly knobs: Knobs;
  readonly sent = traffic();
  readonly received = traffic();
  decodeErrors = 0;
  sendErrors = 0;

  private readonly socket: Socket;
  private readonly book = new Map<string, { host: string; port: number }>();
  private readonly started = performance.now();
  private readonly waiters = new Map<number, () => void>();
  private interval: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    spec: NodeSpec,
    knobs: Knobs,
    socket: Socket,
    private readonly log: Logger,
  ) {
    this.id = spec.id;
    this.knobs = knobs;
    this.socket = socket;
    for (const [id, addr] of Object.entries(spec.peers)) this.book.set(id, parseAddress(addr));
    this.core = new GossipCore(coreConfig(spec.id, [...this.book.keys()], knobs));
    socket.on('message', (buf) => this.onDatagram(buf));
    socket.on('error', (error) => this.log({ event: 'socket-error', node: this.id, message: error.message }));
  }

  /** Bind the node's UDP socket; free-running nodes start their round timer at once. */
  static async start(spec: NodeSpec, knobs: Knobs, log: Logger = () => {}): Promise<NodeHost> {
    const { host, port } = parseAddress(spec.listen);
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const node = new NodeHost(spec, knobs, socket, log);
    if (knobs.mode === 'free') node.interval = setInterval(() => void node.perform(node.core.round(node.now())), knobs.periodMs);
    return node;
  }

  /** The core's clock: the round number (round mode) or milliseconds since start (free mode). */
  now(): number {
    return this.knobs.mode === 'round' ? this.core.currentRound : performance.now() - this.started;
  }

  /** Round mode: run exactly one round; resolves when its datagrams are handed to the OS. */
  async tick(): Promise<{ round: number; sent: number }> {
    if (this.knobs.mode !== 'round')
      throw new HostError('wrong-mode', 'tick is only available in round-driven mode (GOSSIP_MODE=round)', 409);
    const fx = this.core.round(this.core.currentRound + 1);
    const round = this.core.currentRound;
    const sent = await this.perform(fx);
    return { round, sent };
  }

  /** Round mode, several nodes at once: compute the round now, send later (see HostGroup). */
  roundEffects(): Effects {
    if (this.knobs.mode !== 'round')
      throw new HostError('wrong-mode', 'tick is only available in round-driven mode (GOSSIP_MODE=round)', 409);
    return this.core.round(this.core.currentRound + 1);
  }

  view(): { id: string; round: number; members: Member[] } {
    return { id: this.id, round: this.core.currentRound, members: this.core.view() };
  }

  updateSelf(change: { status?: MemberStatus; meta?: string }): Member {
    return this.core.updateSelf(change);
  }

  debugUpsert(m: Member): Member {
    if (m.id === this.id) throw new HostError('self', 'a node cannot upsert its own entry; use POST /nodes/{id}/state');
    void this.perform(this.core.debugUpsert(m, this.now()));
    return this.core.member(m.id) as Member;
  }

  /** One push-pull exchange with `peer`; resolves when its reply has been merged. */
  async pushPull(peer: string, timeoutMs: number): Promise<{ peer: string; elapsedMs: number }> {
    if (peer === this.id) throw new HostError('self', 'a node cannot push-pull with itself');
    if (!this.book.has(peer)) throw new HostError('unknown-peer', `${peer} is not in ${this.id}'s address book`);
    const t0 = performance.now();
    const { seq, effects } = this.core.startPushPull(peer);
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(seq);
        this.core.forgetPushPull(seq);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(seq, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    await this.perform(effects);
    if (!(await done)) throw new HostError('timeout', `no push-pull reply from ${peer} within ${timeoutMs} ms`, 504);
    return { peer, elapsedMs: Math.round(performance.now() - t0) };
  }

  stats(): Record<string, unknown> {
    const s = this.core.stats;
    return {
      id: this.id,
      round: this.core.currentRound,
      sent: this.sent,
      received: this.received,
      probes: { ...s.probes },
      suspicions: s.suspicions,
      deaths: s.deaths,
      refutations: s.refutations,
      membership: { members: this.core.view().length, bytes: this.core.membershipBytes() },
      pendingBroadcasts: this.core.pendingBroadcasts,
      errors: { decode: this.decodeErrors, send: this.sendErrors, unroutable: s.unroutable, ignored: s.ignored },
      rejected: { ...s.rejected },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.interval);
    clearTimeout(this.deadlineTimer);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /** Send every outbound datagram, report events; resolves with the number sent once all are flushed. */
  perform(fx: Effects): Promise<number> {
    for (const e of fx.events) this.onEvent(e);
    const sends: Promise<void>[] = [];
    for (const o of fx.out) {
      const addr = this.book.get(o.to);
      if (addr === undefined || this.closed) continue;
      const buf = encodeMessage(o.msg);
      this.sent.messages += 1;
      this.sent.bytes += buf.length;
      this.sent.byType[o.msg.type].messages += 1;
      this.sent.byType[o.msg.type].bytes += buf.length;
      sends.push(
        new Promise<void>((resolve) =>
          this.socket.send(buf, addr.port, addr.host, (error) => {
            if (error) this.sendErrors += 1;
            resolve();
          }),
        ),
      );
    }
    this.scheduleDeadline();
    return Promise.all(sends).then(() => sends.length);
  }

  private onDatagram(buf: Buffer): void {
    if (this.closed) return;
    // Every datagram read is counted (the kit compares these with its own counters); a malformed one
    // is then counted as such and dropped, never acted upon.
    this.received.messages += 1;
    this.received.bytes += buf.length;
    let msg;
    try {
      msg = decodeMessage(buf);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.decodeErrors += 1;
      return;
    }
    this.received.byType[msg.type].messages += 1;
    this.received.byType[msg.type].bytes += buf.length;
    void this.perform(this.core.receive(msg, this.now()));
  }

  private onEvent(e: GossipEvent): void {
    if (e.type === 'pushpull-done') {
      this.waiters.get(e.seq)?.();
      this.waiters.delete(e.seq);
      return;
    }
    this.log({
      event: e.type,
      node: this.id,
      ...(e.type === 'refute' ? { generation: e.generation, claim: e.claim } : { member: e.id, generation: e.generation }),
    });
  }

  /** Free mode: wake up when the core's next timer is due. */
  private scheduleDeadline(): void {
    if (this.knobs.mode !== 'free' || this.closed) return;
    clearTimeout(this.deadlineTimer);
    const due = this.core.nextDeadline();
    if (due === undefined) return;
    this.deadlineTimer = setTimeout(() => void this.perform(this.core.tick(this.now())), Math.max(0, Math.ceil(due - this.now())));
  }
}
