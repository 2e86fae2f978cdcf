/**
 * In-memory, round-driven simulation of a gossip cluster: the tests' network.
 *
 * A round = every live node runs `round(r)` (in id order), then every datagram sent is delivered FIFO,
 * including the answers it provokes, until the network is quiet. So messages sent in round r arrive
 * before round r+1 starts, the same promise the kit makes in round-driven mode. Faults: crashed nodes,
 * blocked directed links, partitions and seeded random loss. Every datagram is encoded with the real
 * codec, so byte counts are the wire's.
 */
import { encodeMessage, decodeMessage } from './core/codec.ts';
import { GossipCore } from './core/node.ts';
import { seededRng, subSeed } from './core/random.ts';
import type { Rng } from './core/random.ts';
import type { Member, Message, MessageType } from './core/types.ts';
import { DEFAULT_KNOBS, coreConfig } from './config.ts';
import type { Knobs } from './config.ts';

export interface SimOptions {
  size: number;
  seed: number;
  /** Probability that any datagram is lost. */
  loss?: number;
  knobs?: Partial<Knobs>;
}

export interface RoundTraffic {
  messages: number;
  bytes: number;
  byType: Record<MessageType, { messages: number; bytes: number }>;
}

function emptyTraffic(): RoundTraffic {
  const t = () => ({ messages: 0, bytes: 0 });
  return { messages: 0, bytes: 0, byType: { ping: t(), ack: t(), 'ping-req': t(), gossip: t(), 'push-pull': t() } };
}

export class SimCluster {
  readonly ids: string[];
  readonly nodes = new Map<string, GossipCore>();
  readonly crashed = new Set<string>();
  /** Directed links that drop everything: "from>to". */
  readonly blocked = new Set<string>();
  /** Node id → partition group; nodes in different groups cannot talk. Empty = no partition. */
  readonly group = new Map<string, number>();
  loss: number;
  /** Traffic of every round run so far (index 0 = round 1). */
  readonly traffic: RoundTraffic[] = [];
  private readonly net: Rng;
  private r = 0;

  constructor(opts: SimOptions) {
    this.ids = Array.from({ length: opts.size }, (_, i) => `n${i}`);
    this.loss = opts.loss ?? 0;
    this.net = seededRng(subSeed(opts.seed, 'network'));
    const knobs: Knobs = { ...DEFAULT_KNOBS, ...opts.knobs, mode: 'round', seed: opts.seed };
    for (const id of this.ids)
      this.nodes.set(
        id,
        new GossipCore(
          coreConfig(
            id,
            this.ids.filter((p) => p !== id),
            knobs,
          ),
        ),
      );
  }

  get round(): number {
    return this.r;
  }

  node(id: string): GossipCore {
    const n = this.nodes.get(id);
    if (n === undefined) throw new RangeError(`no node ${id}`);
    return n;
  }

  /** Split into groups (arrays of ids); `heal()` removes it. */
  partition(...groups: string[][]): void {
    this.group.clear();
    groups.forEach((g, i) => g.forEach((id) => this.group.set(id, i)));
  }

  heal(): void {
    this.group.clear();
  }

  /** Run one round on every live node and deliver until quiet. */
  step(): RoundTraffic {
    this.r += 1;
    const traffic = emptyTraffic();
    const queue: { from: string; to: string; msg: Message }[] = [];
    for (const id of this.ids) {
      if (this.crashed.has(id)) continue;
      for (const o of this.node(id).round(this.r).out) queue.push({ from: id, to: o.to, msg: o.msg });
    }
    this.deliver(queue, traffic);
    this.traffic.push(traffic);
    return traffic;
  }

  /** Deliver queued datagrams FIFO (answers appended) until none is left. */
  deliver(queue: { from: string; to: string; msg: Message }[], traffic: RoundTraffic = emptyTraffic()): RoundTraffic {
    for (let i = 0; i < queue.length; i++) {
      const d = queue[i] as (typeof queue)[number];
      const bytes = encodeMessage(d.msg);
      traffic.messages += 1;
      traffic.bytes += bytes.length;
      traffic.byType[d.msg.type].messages += 1;
      traffic.byType[d.msg.type].bytes += bytes.length;
      if (this.dropped(d.from, d.to)) continue;
      const fx = this.node(d.to).receive(decodeMessage(bytes), this.r);
      for (const o of fx.out) queue.push({ from: d.to, to: o.to, msg: o.msg });
    }
    return traffic;
  }

  private dropped(from: string, to: string): boolean {
    if (this.crashed.has(from) || this.crashed.has(to)) return true;
    if (this.blocked.has(`${from}>${to}`)) return true;
    const gf = this.group.get(from);
    const gt = this.group.get(to);
    if (this.group.size > 0 && gf !== gt) return true;
    return this.loss > 0 && this.net.next() < this.loss;
  }

  /** Push-pull from `a` to `b` right now (outside any round), delivered to completion. */
  pushPull(a: string, b: string): boolean {
    const { seq, effects } = this.node(a).startPushPull(b);
    const queue = effects.out.map((o) => ({ from: a, to: o.to, msg: o.msg }));
    let done = false;
    for (let i = 0; i < queue.length; i++) {
      const d = queue[i] as (typeof queue)[number];
      if (this.dropped(d.from, d.to)) continue;
      const fx = this.node(d.to).receive(decodeMessage(encodeMessage(d.msg)), this.r);
      if (fx.events.some((e) => e.type === 'pushpull-done' && e.seq === seq)) done = true;
      for (const o of fx.out) queue.push({ from: d.to, to: o.to, msg: o.msg });
    }
    return done;
  }

  /** What `viewer` believes about `id`. */
  entry(viewer: string, id: string): Member | undefined {
    return this.node(viewer).member(id);
  }

  /** Live nodes (not crashed) whose view of `id` satisfies `pred`. */
  count(id: string, pred: (m: Member | undefined) => boolean, among: readonly string[] = this.ids): number {
    return among.filter((v) => !this.crashed.has(v) && pred(this.entry(v, id))).length;
  }

  /** Step until `cond()` holds; returns the rounds taken, or -1 after `maxRounds`. */
  runUntil(cond: () => boolean, maxRounds: number): number {
    for (let i = 1; i <= maxRounds; i++) {
      this.step();
      if (cond()) return i;
    }
    return -1;
  }
}
