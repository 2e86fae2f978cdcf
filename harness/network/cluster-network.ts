import { createRandom } from '../common/random.ts';
import type { LinkCounters, NetworkTotals, Tally } from './counters.ts';
import { NetErrorCode, NetworkError } from './errors.ts';
import type { Fabric } from './fabric.ts';
import { checkPatch, NO_FAULTS, type LinkFaults, type Transport } from './faults.ts';
import { InFlightTracker, type QuiescentOptions } from './in-flight.ts';
import { Scheduler } from './scheduler.ts';
import { TcpFabric } from './tcp-fabric.ts';
import { FaultTimeline } from './timeline.ts';
import { Topology } from './topology.ts';
import { UdpFabric } from './udp-fabric.ts';

/** Options of {@link ClusterNetwork.create}. */
export interface ClusterNetworkOptions {
  /** Run seed: every random choice (loss, duplication, jitter, reorder) derives from it. */
  readonly seed: number;
  /** `tcp` (store: one endpoint per directed link) or `udp` (gossip: one endpoint per node). */
  readonly transport: Transport;
  /** Interface the kit endpoints bind to. Default `127.0.0.1`. */
  readonly host?: string;
  /** Timeline to record controls into (share one with the process supervisor). Default: a new one. */
  readonly timeline?: FaultTimeline;
}

/**
 * The kit's fault-injecting network for one cluster. Nodes talk to each other only through the
 * endpoints in their address books (see `conformance/CLUSTER.md`); every control is per directed
 * link `a->b` (traffic from a to b), validated, and recorded on {@link timeline}.
 */
export class ClusterNetwork {
  readonly transport: Transport;
  readonly seed: number;
  readonly timeline: FaultTimeline;
  readonly #topology: Topology;
  readonly #tracker = new InFlightTracker();
  readonly #scheduler = new Scheduler();
  readonly #fabric: Fabric;
  #closing: Promise<void> | null = null;

  private constructor(options: ClusterNetworkOptions) {
    this.transport = options.transport;
    this.seed = options.seed >>> 0;
    this.timeline = options.timeline ?? new FaultTimeline();
    const host = options.host ?? '127.0.0.1';
    this.#topology = new Topology(createRandom(this.seed).fork('network'), this.#tracker);
    if (options.transport === 'tcp') this.#fabric = new TcpFabric(this.#topology, this.#scheduler, host);
    else if (options.transport === 'udp') this.#fabric = new UdpFabric(this.#topology, this.#scheduler, host);
    else throw new NetworkError(NetErrorCode.BAD_ARGUMENT, `unknown transport ${String(options.transport)}`);
  }

  /** Creates an empty network (nothing is opened until nodes are added). */
  static async create(options: ClusterNetworkOptions): Promise<ClusterNetwork> {
    return new ClusterNetwork(options);
  }

  // ── nodes and address books ─────────────────────────────────────────────────────────────────

  /**
   * Registers node `id` whose real listener is (or will be) at `realAddress` (`"127.0.0.1:port"`) and
   * opens the kit endpoints it needs. The node's process may start listening later.
   */
  async addNode(id: string, realAddress: string): Promise<void> {
    this.#open();
    const info = this.#topology.add(id, realAddress);
    this.timeline.record('net.add-node', { id, real: info.realText });
    await this.#fabric.addNode(info);
  }

  /** Node ids in registration order. */
  nodes(): string[] {
    return [...this.#topology.nodes.keys()];
  }

  /** The real address a node was registered with. */
  realAddress(id: string): string {
    return this.#topology.node(id).realText;
  }

  /** Node `id`'s address book: every other node → the kit endpoint `id` must use to reach it. */
  bookFor(id: string): Record<string, string> {
    this.#topology.node(id);
    const book: Record<string, string> = {};
    for (const peer of this.#topology.nodes.keys()) {
      if (peer !== id) book[peer] = this.#fabric.endpoint(id, peer);
    }
    return book;
  }

  /** The book as `id=host:port,id=host:port` (the `{peers}` placeholder). */
  bookString(id: string): string {
    return Object.entries(this.bookFor(id))
      .map(([peer, address]) => `${peer}=${address}`)
      .join(',');
  }

  /** The kit endpoint `from` uses to reach `to`. */
  endpoint(from: string, to: string): string {
    this.#pair(from, to);
    return this.#fabric.endpoint(from, to);
  }

  // ── per-link faults ─────────────────────────────────────────────────────────────────────────

  /** Every message a→b waits `ms` plus U[0, jitterMs] (TCP keeps order; UDP jitter may reorder). */
  delay(a: string, b: string, ms: number, jitterMs = 0): void {
    this.#configure(a, b, { delayMs: ms, jitterMs }, 'net.delay');
  }

  /** UDP: drop each a→b datagram with probability `p`. */
  loss(a: string, b: string, p: number): void {
    this.#configure(a, b, { loss: p }, 'net.loss');
  }

  /** UDP: deliver each a→b datagram twice with probability `p`. */
  duplicate(a: string, b: string, p: number): void {
    this.#configure(a, b, { duplicate: p }, 'net.duplicate');
  }

  /** UDP: give each a→b datagram `extraMs` (default 20) extra delay with probability `p`. */
  reorder(a: string, b: string, p: number, extraMs = NO_FAULTS.reorderExtraMs): void {
    this.#configure(a, b, { reorder: p, reorderExtraMs: extraMs }, 'net.reorder');
  }

  /** TCP: cap link a→b (all its connections together) at `bytesPerSec`; `null` removes the cap. */
  bandwidth(a: string, b: string, bytesPerSec: number | null): void {
    this.#configure(a, b, { bandwidth: bytesPerSec }, 'net.bandwidth');
  }

  /** Sets any subset of link a→b's faults at once (the named controls are shorthands). */
  configure(a: string, b: string, patch: Partial<LinkFaults>): void {
    this.#configure(a, b, patch, 'net.configure');
  }

  #configure(a: string, b: string, patch: Partial<LinkFaults>, kind: string): void {
    this.#open();
    this.#pair(a, b);
    checkPatch(this.transport, patch);
    const link = this.#topology.link(a, b);
    link.setFaults(Object.freeze({ ...link.faults, ...stripUndefined(patch) }));
    this.timeline.record(kind, { from: a, to: b, ...patch });
    this.#fabric.faultsChanged(link);
  }

  /** Current fault settings of link a→b. */
  faults(a: string, b: string): LinkFaults {
    this.#pair(a, b);
    return this.#topology.links.get(`${a}->${b}`)?.faults ?? NO_FAULTS;
  }

  // ── partitions ──────────────────────────────────────────────────────────────────────────────

  /** Cuts every link between the groups, both directions. Cuts accumulate until {@link heal}. */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    this.#open();
    for (const id of [...groupA, ...groupB]) this.#topology.node(id);
    for (const a of groupA) {
      for (const b of groupB) {
        this.#topology.cut(a, b);
        this.#topology.cut(b, a);
      }
    }
    this.#cutsChanged('net.partition', { groupA: [...groupA], groupB: [...groupB] });
  }

  /** Cuts a→b only; b→a keeps flowing. */
  oneWay(a: string, b: string): void {
    this.#open();
    this.#pair(a, b);
    this.#topology.cut(a, b);
    this.#cutsChanged('net.one-way', { from: a, to: b });
  }

  /** Cuts every link to and from `node`, including links to nodes added later. */
  isolate(node: string): void {
    this.#open();
    this.#topology.node(node);
    this.#topology.isolate(node);
    this.#cutsChanged('net.isolate', { node });
  }

  /**
   * Removes every partition, one-way cut and isolation; held TCP bytes and deferred connections are
   * released in order. Delay, loss and other link faults stay (use {@link clearFaults} for those).
   */
  heal(): void {
    this.#open();
    this.#topology.clearCuts();
    this.#cutsChanged('net.heal', {});
  }

  /** `heal()` plus every link fault back to none. */
  clearFaults(): void {
    this.#open();
    this.#topology.clearCuts();
    this.#topology.refreshCuts();
    for (const link of this.#topology.links.values()) {
      if (link.faults !== NO_FAULTS) {
        link.setFaults(NO_FAULTS);
        this.#fabric.faultsChanged(link);
      }
    }
    this.timeline.record('net.clear-faults', {});
    this.#fabric.cutsChanged();
  }

  /** True when a→b is currently cut. */
  isCut(a: string, b: string): boolean {
    this.#pair(a, b);
    return this.#topology.isCut(a, b);
  }

  /** TCP: resets (RST) the current connections a opened to b through the kit; returns how many. */
  reset(a: string, b: string): number {
    this.#open();
    this.#pair(a, b);
    const count = this.#fabric.reset(a, b);
    this.timeline.record('net.reset', { from: a, to: b, connections: count });
    return count;
  }

  // ── round barrier (UDP) ─────────────────────────────────────────────────────────────────────

  /**
   * UDP: makes a round boundary exact across processes. While the barrier is up every datagram that
   * reaches the kit is counted as sent and held; {@link releaseBarrier} forwards them all (through the
   * links' faults, in arrival order). A round driver raises it before ticking every process and releases
   * it once every process has answered, so no node receives a datagram of round r before it has run its
   * own round r. Held datagrams show in the `held` counters, not in {@link inFlight}.
   */
  raiseBarrier(): void {
    this.#open();
    if (this.#fabric.raiseBarrier === undefined)
      throw new NetworkError(NetErrorCode.UNSUPPORTED_FAULT, 'a round barrier is a UDP control', { fault: 'barrier' });
    this.#fabric.raiseBarrier();
  }

  /** Lowers the barrier; returns how many datagrams it held. No-op (0) when none is up or closed. */
  releaseBarrier(): number {
    if (this.#closing !== null) return 0;
    return this.#fabric.releaseBarrier?.() ?? 0;
  }

  // ── counters ────────────────────────────────────────────────────────────────────────────────

  /** Counters of every link that carried traffic or had a fault set, sorted by `"a->b"`. */
  counters(): LinkCounters[] {
    return [...this.#topology.links.values()]
      .map((link) => link.snapshot())
      .sort((x, y) => (x.link < y.link ? -1 : x.link > y.link ? 1 : 0));
  }

  /** Counters of link a→b (zeros if it never carried anything). */
  linkCounters(a: string, b: string): LinkCounters {
    this.#pair(a, b);
    return this.#topology.link(a, b).snapshot();
  }

  /** Sums over every link, plus unattributed datagrams. */
  totals(): NetworkTotals {
    const zero = (): { messages: number; bytes: number } => ({ messages: 0, bytes: 0 });
    const t = { sent: zero(), delivered: zero(), dropped: zero(), duplicated: zero(), held: zero(), inFlight: zero() };
    const connections = { opened: 0, failed: 0, reset: 0, active: 0 };
    for (const link of this.#topology.links.values()) {
      const s = link.snapshot();
      for (const key of Object.keys(t) as Array<keyof typeof t>) {
        t[key].messages += s[key].messages;
        t[key].bytes += s[key].bytes;
      }
      connections.opened += s.connections.opened;
      connections.failed += s.connections.failed;
      connections.reset += s.connections.reset;
      connections.active += s.connections.active;
    }
    return { ...t, connections, unattributed: this.#fabric.unattributed() };
  }

  /** UDP datagrams from unknown sources (dropped). */
  unattributed(): Tally {
    return this.#fabric.unattributed();
  }

  /**
   * Resolves when nothing is in flight: no delayed datagram, no TCP byte waiting for its due time,
   * bandwidth, an upstream connect or receiver backpressure. Traffic held by an active cut is
   * excluded (it only moves on heal). Rejects with `NET_QUIESCENT_TIMEOUT` at the deadline.
   */
  async quiescent(options: QuiescentOptions = {}): Promise<void> {
    await this.#tracker.quiescent(options, () => ({
      busyLinks: this.counters()
        .filter((c) => c.inFlight.messages > 0)
        .map((c) => c.link),
    }));
  }

  /** Pending work units (messages plus TCP end markers) counted by {@link quiescent}. */
  get inFlight(): number {
    return this.#tracker.count;
  }

  /** Closes every endpoint and destroys every spliced connection. Idempotent. */
  close(): Promise<void> {
    if (this.#closing === null) {
      this.timeline.record('net.close', {});
      this.#scheduler.close();
      this.#closing = this.#fabric.close();
    }
    return this.#closing;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  #open(): void {
    if (this.#closing !== null) throw new NetworkError(NetErrorCode.CLOSED, 'the network is closed');
  }

  #pair(a: string, b: string): void {
    this.#topology.node(a);
    this.#topology.node(b);
  }

  #cutsChanged(kind: string, details: Record<string, unknown>): void {
    this.#topology.refreshCuts();
    this.timeline.record(kind, details);
    this.#fabric.cutsChanged();
  }
}

function stripUndefined<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}
