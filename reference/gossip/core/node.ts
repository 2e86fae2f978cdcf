/**
 * The SWIM gossip node as a pure state machine (sans-IO).
 *
 * The driver feeds it three kinds of events and performs the effects it returns:
 *   - `round(now)`   one protocol round: expire due timers, start one probe, gossip to `fanout` peers,
 *                    and every `pushPullEvery` rounds one push-pull (plus one toward a Dead member);
 *   - `tick(now)`    expire due timers only (free-running mode calls it at `nextDeadline()`);
 *   - `receive(m, now)` one decoded datagram; answers (acks, forwarded pings, push-pull replies) go out
 *                    immediately, whatever the mode.
 * `now` is the driver's clock: milliseconds in free-running mode, the round number in round-driven
 * mode (then probeTimeout = 1 and suspicionTimeout = S rounds). There is no socket, no Date.now and no
 * Math.random in here: randomness comes from a stream seeded by `config.seed`.
 */
import { BroadcastQueue, compareClaims, entryBytes, supersedes, wireSize } from './membership.ts';
import { seededRng } from './random.ts';
import type { Rng } from './random.ts';
import type { CoreConfig, Effects, Member, MemberStatus, Message } from './types.ts';

interface Probe {
  readonly seq: number;
  readonly target: string;
  phase: 'direct' | 'indirect';
  readonly directDeadline: number;
  failDeadline: number;
}

interface Forward {
  readonly requester: string;
  readonly origSeq: number;
  readonly target: string;
  readonly expires: number;
}
interface Suspicion {
  readonly generation: number;
  readonly deadline: number;
  lastRecheck: number;
}

export interface CoreStats {
  probes: {
    started: number;
    directOk: number;
    indirectOk: number;
    failed: number;
    pingReqSent: number;
    pingReqServed: number;
    /** Re-check pings to members held Suspected (they carry the claim, the ack carries the refutation). */
    rechecks: number;
    recheckAcks: number;
  };
  /** Suspicions this node raised from its own failed probes. */
  suspicions: number;
  /** Dead verdicts this node reached (its suspicion timer expired). */
  deaths: number;
  /** Times this node out-bid a claim about itself. */
  refutations: number;
  /** Messages not sent because the destination has no address-book entry. */
  unroutable: number;
  /** Pings addressed to another id, acks matching nothing. */
  ignored: number;
  /** Claims and messages dropped unread because they cannot be true (never stored, spread or answered). */
  rejected: {
    /** Messages whose sender is not in the address book. */
    unknownSender: number;
    /** Claims about an id outside the address book. */
    unknownMember: number;
    /** Claims whose generation is out of range (see MAX_GENERATION). */
    badGeneration: number;
  };
}

/**
 * The highest generation a claim may carry. Generations grow by one per own state change and per
 * refutation, so honest ones stay tiny; a bound keeps every refutation representable. A failure claim
 * (suspected or dead) must stay strictly below it, so the member it names can always out-bid it by one.
 */
export const MAX_GENERATION = 2 ** 32 - 1;

/** True when a claim's generation leaves room for the refutation the contract promises. */
export function generationInRange(m: Member): boolean {
  return (
    Number.isSafeInteger(m.generation) &&
    m.generation >= 0 &&
    (m.status === 'alive' ? m.generation <= MAX_GENERATION : m.generation < MAX_GENERATION)
  );
}

export function retransmitLimit(mult: number, members: number): number {
  return Math.max(1, mult * Math.ceil(Math.log10(members + 1)));
}

export class GossipCore {
  readonly id: string;
  readonly stats: CoreStats = {
    probes: { started: 0, directOk: 0, indirectOk: 0, failed: 0, pingReqSent: 0, pingReqServed: 0, rechecks: 0, recheckAcks: 0 },
    suspicions: 0,
    deaths: 0,
    refutations: 0,
    unroutable: 0,
    ignored: 0,
    rejected: { unknownSender: 0, unknownMember: 0, badGeneration: 0 },
  };

  private readonly cfg: CoreConfig;
  private readonly rng: Rng;
  private readonly book: Set<string>;
  /** Book ids in a fixed order, so random choices depend only on the seed. */
  private readonly peerList: readonly string[];
  private readonly table = new Map<string, Member>();
  private readonly queue = new BroadcastQueue();
  private readonly probes = new Map<number, Probe>();
  private readonly forwards = new Map<number, Forward>();
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly pendingPushPulls = new Map<number, string>();
  private readonly rechecks = new Map<number, { target: string; expires: number }>();
  private probeOrder: string[] = [];
  private probeIndex = 0;
  private seq: number;
  private rounds = 0;
  private readonly pushPullPhase: number;
  private fx: Effects = { out: [], events: [] };

  constructor(config: CoreConfig) {
    this.cfg = config;
    this.id = config.id;
    this.rng = seededRng(config.seed);
    this.peerList = [...new Set(config.peers)].filter((p) => p !== config.id).sort();
    this.book = new Set(this.peerList);
    this.table.set(this.id, { id: this.id, status: 'alive', generation: 0 });
    for (const p of this.peerList) this.table.set(p, { id: p, status: 'alive', generation: 0 });
    this.seq = 1 + this.rng.below(1 << 30);
    this.pushPullPhase = this.rng.below(Math.max(1, config.pushPullEvery));
  }

  // ---- queries -----------------------------------------------------------------------------

  /** Rounds run so far (the round number of the last round). */
  get currentRound(): number {
    return this.rounds;
  }

  get config(): CoreConfig {
    return this.cfg;
  }

  self(): Member {
    return this.table.get(this.id) as Member;
  }

  member(id: string): Member | undefined {
    return this.table.get(id);
  }

  /** The whole table (self included), sorted by id. */
  view(): Member[] {
    return [...this.table.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Estimated bytes held for membership state (see ENTRY_OVERHEAD_BYTES). */
  membershipBytes(): number {
    let total = 0;
    for (const m of this.table.values()) total += entryBytes(m);
    return total;
  }

  /** Updates still waiting to be piggybacked. */
  get pendingBroadcasts(): number {
    return this.queue.size;
  }

  /** The earliest instant a timer is due (free-running drivers call `tick` then), if any. */
  nextDeadline(): number | undefined {
    let next = Infinity;
    for (const p of this.probes.values()) next = Math.min(next, p.phase === 'direct' ? p.directDeadline : p.failDeadline);
    for (const f of this.forwards.values()) next = Math.min(next, f.expires);
    for (const c of this.rechecks.values()) next = Math.min(next, c.expires);
    for (const s of this.suspicions.values()) next = Math.min(next, s.deadline);
    return next === Infinity ? undefined : next;
  }

  // ---- commands ----------------------------------------------------------------------------

  /** Run one protocol round. */
  round(now: number): Effects {
    this.begin();
    this.rounds += 1;
    this.expire(now);

    const target = this.nextProbeTarget();
    if (target !== undefined) {
      const seq = this.nextSeq();
      const t = this.cfg.probeTimeout;
      this.probes.set(seq, { seq, target, phase: 'direct', directDeadline: now + t, failDeadline: now + 2 * t });
      this.stats.probes.started += 1;
      this.send(target, (updates) => ({ type: 'ping', from: this.id, seq, to: target, updates }));
    }

    this.recheckSuspects(now);

    if (this.queue.size > 0) {
      for (const peer of this.rng.sample(this.liveOrSuspectPeers(), this.cfg.fanout)) {
        this.send(peer, (updates) => (updates.length > 0 ? { type: 'gossip', from: this.id, updates } : undefined));
      }
    }

    if (this.cfg.pushPullEvery > 0 && (this.rounds + this.pushPullPhase) % this.cfg.pushPullEvery === 0) {
      const live = this.liveOrSuspectPeers();
      if (live.length > 0) this.sendPushPull(live[this.rng.below(live.length)] as string);
      // Reconnect: a member we hold Dead may be back (partition healed). It learns its verdict from
      // our table and refutes; its reply carries the refutation back.
      const dead = this.peerList.filter((p) => this.table.get(p)?.status === 'dead');
      if (dead.length > 0) this.sendPushPull(dead[this.rng.below(dead.length)] as string);
    }
    return this.end();
  }

  /** Expire due timers (probe phases, forwarded pings, suspicions). */
  tick(now: number): Effects {
    this.begin();
    this.expire(now);
    return this.end();
  }

  /** Process one incoming message. */
  receive(msg: Message, now: number): Effects {
    this.begin();
    if (msg.from === this.id) return this.end();
    if (!this.book.has(msg.from)) {
      // Nothing in the book sent this: answering or believing it would let anyone steer the node.
      this.stats.rejected.unknownSender += 1;
      return this.end();
    }
    if (msg.type === 'push-pull') {
      for (const m of msg.members) this.merge(m, now);
    } else {
      for (const m of msg.updates) this.merge(m, now);
    }
    switch (msg.type) {
      case 'ping':
        if (msg.to !== this.id) {
          this.stats.ignored += 1;
          break;
        }
        this.send(msg.from, (updates) => ({ type: 'ack', from: this.id, seq: msg.seq, of: this.id, updates }), true);
        break;
      case 'ack': {
        const probe = this.probes.get(msg.seq);
        if (probe !== undefined && probe.target === msg.of) {
          this.probes.delete(msg.seq);
          if (msg.from === msg.of) this.stats.probes.directOk += 1;
          else this.stats.probes.indirectOk += 1;
          break;
        }
        const check = this.rechecks.get(msg.seq);
        if (check !== undefined && check.target === msg.from) {
          this.rechecks.delete(msg.seq);
          this.stats.probes.recheckAcks += 1;
          break;
        }
        const fwd = this.forwards.get(msg.seq);
        if (fwd !== undefined && msg.from === fwd.target && msg.of === fwd.target) {
          this.forwards.delete(msg.seq);
          this.stats.probes.pingReqServed += 1;
          this.send(fwd.requester, (updates) => ({ type: 'ack', from: this.id, seq: fwd.origSeq, of: fwd.target, updates }), true);
          break;
        }
        this.stats.ignored += 1; // late or duplicate ack
        break;
      }
      case 'ping-req': {
        if (msg.target === this.id) {
          this.send(msg.from, (updates) => ({ type: 'ack', from: this.id, seq: msg.seq, of: this.id, updates }), true);
          break;
        }
        if (!this.book.has(msg.target) || msg.target === msg.from) {
          this.stats.ignored += 1;
          break;
        }
        const seq = this.nextSeq();
        this.forwards.set(seq, { requester: msg.from, origSeq: msg.seq, target: msg.target, expires: now + 2 * this.cfg.probeTimeout });
        this.send(msg.target, (updates) => ({ type: 'ping', from: this.id, seq, to: msg.target, updates }));
        break;
      }
      case 'gossip':
        break;
      case 'push-pull':
        // A split table is merged part by part; the answer (or completion) waits for the last part.
        if (msg.part !== msg.parts - 1) break;
        if (!msg.reply) {
          this.sendTable(msg.from, msg.seq, true);
        } else if (this.pendingPushPulls.get(msg.seq) === msg.from) {
          this.pendingPushPulls.delete(msg.seq);
          this.fx.events.push({ type: 'pushpull-done', seq: msg.seq, peer: msg.from });
        }
        break;
    }
    return this.end();
  }

  /** Start one push-pull with `peer` now; a `pushpull-done` event with this seq reports its reply. */
  startPushPull(peer: string): { seq: number; effects: Effects } {
    this.begin();
    const seq = this.sendPushPull(peer);
    this.pendingPushPulls.set(seq, peer);
    return { seq, effects: this.end() };
  }

  /** Stop waiting for a push-pull reply (the driver gave up). */
  forgetPushPull(seq: number): void {
    this.pendingPushPulls.delete(seq);
  }

  /** This node changes its own state: generation + 1, queued for dissemination. */
  updateSelf(change: { status?: MemberStatus; meta?: string }): Member {
    const me = this.self();
    if (me.generation >= MAX_GENERATION) throw new RangeError(`generation ${me.generation} is already the highest a claim may carry`);
    const next = entry(this.id, change.status ?? me.status, me.generation + 1, change.meta ?? me.meta);
    this.table.set(this.id, next);
    this.queue.push(next);
    return next;
  }

  /**
   * Test hook: set an entry exactly as given (even below the current one), as if this node had come to
   * believe it, without queueing it for dissemination. Suspected entries start a suspicion timer.
   */
  debugUpsert(m: Member, now: number): Effects {
    if (m.id === this.id) throw new RangeError('cannot upsert the node itself');
    this.begin();
    this.apply(entry(m.id, m.status, m.generation, m.meta), now, this.table.get(m.id), false);
    return this.end();
  }

  // ---- internals ---------------------------------------------------------------------------

  private begin(): void {
    this.fx = { out: [], events: [] };
  }

  private end(): Effects {
    return this.fx;
  }

  private nextSeq(): number {
    this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
    return this.seq;
  }

  private limit(): number {
    return retransmitLimit(this.cfg.retransmitMult, this.table.size);
  }

  private liveOrSuspectPeers(): string[] {
    return this.peerList.filter((p) => this.table.get(p)?.status !== 'dead');
  }

  /**
   * Queue `build(updates)` for `to`. Updates carried: the sender's own entry on acks (so a prober learns
   * a refutation at once), what this node believes about `to` when that is not Alive (so a suspect
   * hears of its suspicion from whoever talks to it), then queued broadcasts.
   */
  private send(to: string, build: (updates: Member[]) => Message | undefined, withSelf = false): void {
    if (!this.book.has(to)) {
      this.stats.unroutable += 1;
      return;
    }
    const updates: Member[] = [];
    if (withSelf) updates.push(this.self());
    const about = this.table.get(to);
    if (about !== undefined && about.status !== 'alive') updates.push(about);
    const skip = new Set(updates.map((u) => u.id));
    updates.push(...this.queue.take(this.cfg.maxPiggyback - updates.length, this.limit(), skip, this.cfg.maxPiggybackBytes));
    const msg = build(updates);
    if (msg !== undefined) this.fx.out.push({ to, msg });
  }

  private sendPushPull(peer: string): number {
    const seq = this.nextSeq();
    this.sendTable(peer, seq, false);
    return seq;
  }

  /** The full table to `peer`, in as many datagrams as `maxPushPullBytes` requires. */
  private sendTable(peer: string, seq: number, reply: boolean): void {
    const chunks: Member[][] = [[]];
    let size = 0;
    for (const m of this.view()) {
      const s = wireSize(m);
      const last = chunks[chunks.length - 1] as Member[];
      if (last.length > 0 && size + s > this.cfg.maxPushPullBytes) {
        chunks.push([m]);
        size = s;
      } else {
        last.push(m);
        size += s;
      }
    }
    if (!this.book.has(peer)) {
      this.stats.unroutable += 1;
      return;
    }
    // No piggyback: the table already holds every entry, and queued updates keep their transmit budget.
    chunks.forEach((members, part) =>
      this.fx.out.push({ to: peer, msg: { type: 'push-pull', from: this.id, seq, reply, members, part, parts: chunks.length } }),
    );
  }

  private nextProbeTarget(): string | undefined {
    let reshuffled = false;
    for (;;) {
      if (this.probeIndex >= this.probeOrder.length) {
        if (reshuffled) return undefined;
        reshuffled = true;
        this.probeOrder = this.rng.shuffle(this.liveOrSuspectPeers());
        this.probeIndex = 0;
        if (this.probeOrder.length === 0) return undefined;
      }
      const id = this.probeOrder[this.probeIndex++] as string;
      if (this.table.get(id)?.status === 'dead') continue;
      let busy = false;
      for (const p of this.probes.values()) if (p.target === id) busy = true;
      if (!busy) return id;
    }
  }

  private expire(now: number): void {
    const t = this.cfg.probeTimeout;
    for (const p of [...this.probes.values()]) {
      if (p.phase === 'direct' && now >= p.directDeadline) {
        p.phase = 'indirect';
        p.failDeadline = Math.max(p.failDeadline, now + t);
        this.startIndirect(p);
      } else if (p.phase === 'indirect' && now >= p.failDeadline) {
        this.probes.delete(p.seq);
        this.stats.probes.failed += 1;
        this.suspectAfterProbe(p.target, now);
      }
    }
    for (const [seq, f] of this.forwards) if (now >= f.expires) this.forwards.delete(seq);
    for (const [seq, c] of this.rechecks) if (now >= c.expires) this.rechecks.delete(seq);
    for (const [id, s] of [...this.suspicions]) {
      if (now < s.deadline) continue;
      this.suspicions.delete(id);
      const cur = this.table.get(id);
      if (cur !== undefined && cur.status === 'suspected' && cur.generation === s.generation) {
        this.stats.deaths += 1;
        this.apply(entry(id, 'dead', cur.generation, cur.meta), now, cur, true);
      }
    }
  }

  private startIndirect(p: Probe): void {
    const helpers = this.rng.sample(
      this.peerList.filter((id) => id !== p.target && this.table.get(id)?.status === 'alive'),
      this.cfg.indirectChecks,
    );
    for (const h of helpers) {
      this.stats.probes.pingReqSent += 1;
      this.send(h, (updates) => ({ type: 'ping-req', from: this.id, seq: p.seq, target: p.target, updates }));
    }
    // Second chance on the direct path, with the same seq (a late ack to the first ping also counts).
    this.send(p.target, (updates) => ({ type: 'ping', from: this.id, seq: p.seq, to: p.target, updates }));
  }

  /**
   * Lifeguard-style help for refutation: every round, ping up to `fanout` members this node holds
   * Suspected (least recently re-checked first). The ping carries the claim, so a live suspect learns
   * of it and refutes at once; its ack carries its own entry, so the refutation comes straight back.
   * Re-checks never escalate to ping-req and never change a status by themselves.
   */
  private recheckSuspects(now: number): void {
    if (this.suspicions.size === 0) return;
    const due = [...this.suspicions]
      .filter(([id]) => this.book.has(id))
      .sort(([a, x], [b, y]) => x.lastRecheck - y.lastRecheck || (a < b ? -1 : 1))
      .slice(0, this.cfg.fanout);
    for (const [target, s] of due) {
      s.lastRecheck = now;
      const seq = this.nextSeq();
      this.rechecks.set(seq, { target, expires: now + 2 * this.cfg.probeTimeout });
      this.stats.probes.rechecks += 1;
      this.send(target, (updates) => ({ type: 'ping', from: this.id, seq, to: target, updates }));
    }
  }

  private suspectAfterProbe(target: string, now: number): void {
    const cur = this.table.get(target);
    if (cur === undefined || cur.status !== 'alive' || cur.generation + 1 >= MAX_GENERATION) return;
    this.stats.suspicions += 1;
    this.apply(entry(target, 'suspected', cur.generation + 1, cur.meta), now, cur, true, 'probe');
    // Tell the suspect at once: it can refute before the claim has spread.
    this.send(target, (updates) => ({ type: 'gossip', from: this.id, updates }));
  }

  private merge(claim: Member, now: number): void {
    if (claim.id !== this.id && !this.book.has(claim.id)) {
      // Only book members are tracked: a claim about anyone else is neither stored nor spread.
      this.stats.rejected.unknownMember += 1;
      return;
    }
    if (!generationInRange(claim)) {
      this.stats.rejected.badGeneration += 1;
      return;
    }
    if (claim.id === this.id) {
      const me = this.self();
      if (compareClaims(claim, me) > 0 && claim.generation < MAX_GENERATION) {
        // Refutation: re-assert our own state above the claim's generation.
        const next = entry(this.id, me.status, claim.generation + 1, me.meta);
        this.table.set(this.id, next);
        this.queue.push(next);
        this.stats.refutations += 1;
        this.fx.events.push({ type: 'refute', generation: next.generation, claim });
      }
      return;
    }
    const cur = this.table.get(claim.id);
    if (supersedes(claim, cur)) this.apply(entry(claim.id, claim.status, claim.generation, claim.meta), now, cur, true, 'gossip');
  }

  private apply(next: Member, now: number, prev: Member | undefined, broadcast: boolean, by: 'probe' | 'gossip' = 'gossip'): void {
    this.table.set(next.id, next);
    if (next.status === 'suspected') {
      if (prev?.status !== 'suspected' || prev.generation !== next.generation) {
        this.suspicions.set(next.id, { generation: next.generation, deadline: now + this.cfg.suspicionTimeout, lastRecheck: -Infinity });
      }
    } else {
      this.suspicions.delete(next.id);
    }
    if (next.status !== prev?.status) {
      if (next.status === 'suspected') this.fx.events.push({ type: 'suspect', id: next.id, generation: next.generation, by });
      else if (next.status === 'dead') this.fx.events.push({ type: 'dead', id: next.id, generation: next.generation });
      else if (prev !== undefined) this.fx.events.push({ type: 'alive', id: next.id, generation: next.generation });
    }
    if (broadcast) this.queue.push(next);
  }
}

function entry(id: string, status: MemberStatus, generation: number, meta: string | undefined): Member {
  return meta === undefined ? { id, status, generation } : { id, status, generation, meta };
}
