/**
 * A gossip candidate launched as a cluster behind the kit's UDP network, and the round driver.
 *
 * Round-driven mode (conformance/gossip/README.md): one round = `POST /tick` to every host process
 * (concurrently, each answers once its round's datagrams are handed to the OS), then wait until the
 * cluster is quiescent, then read every view. "Quiescent" is decided exactly, not by sleeping: nothing is
 * in flight inside the kit, and every node's own `/stats` counters match the kit's link counters (all it
 * sent has reached the kit, all the kit delivered to it has been read). A candidate whose counters never
 * match gets an idle-window fallback instead (the kit's counters unchanged for a while), noted in the
 * evidence. So datagrams of round r and the answers they provoke are delivered before round r+1 starts.
 * While the ticks run the kit's network holds every datagram (the round barrier) and releases them once
 * every process has answered: a datagram of round r reaches its receiver after the receiver's own tick r.
 */
import type { CheckContext } from '../../harness/checks/check.ts';
import { delay } from '../../harness/common/wait.ts';
import { Cluster, type HostProcess } from '../../harness/cluster/cluster.ts';
import { NoAnswerError, type HttpExchange } from '../../harness/cluster/http-client.ts';
import { BodyTooLargeError, GossipHttpClient } from '../../harness/wire/gossip-http.ts';
import type { LinkCounters, TimelineEntry } from '../../harness/network/index.ts';
import { CandidateError } from '../../harness/process/supervisor.ts';
import { counterMismatch, nodeCountOf, RoundLog, type KitNodeCount, type NodeCount } from './rounds.ts';
import { parseEntry, parseViews, ViewShapeError, type Entry, type NodeView, type Status, type Views } from './views.ts';

export type Mode = 'round' | 'free';

export interface GossipClusterOptions {
  /** Nodes n0…n(size−1). */
  size: number;
  mode: Mode;
  /** Knob values besides `mode` (applied when the manifest declares them). */
  knobs?: Record<string, number | string>;
  label?: string;
}

/** Kit defaults of the contract: fanout 3, K 3, P 5. */
export const DEFAULT_KNOBS: Readonly<Record<string, number>> = { fanout: 3, indirectChecks: 3, pushPullRounds: 5 };

/** How long the exact (stats-confirmed) end of a round may take before the idle window is used. */
const CONFIRM_BUDGET_MS = 4000;
/** The idle window of the fallback: kit counters unchanged this long. */
const IDLE_WINDOW_MS = 60;
/** A counter mismatch is the candidate's when it stays unchanged this long, over this many readings, with nothing moving. */
const STABLE_MS = 800;
const STABLE_READS = 4;
const STATS_CONCURRENCY = 32;

export const nodeIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);

/** Bounded-concurrency map. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** `n0->n1 sent 12 (1.1 KiB), delivered 0, dropped 12`. */
export function describeLink(c: LinkCounters): string {
  return `${c.link}: sent ${c.sent.messages} (${c.sent.bytes} B), delivered ${c.delivered.messages}, dropped ${c.dropped.messages}`;
}

/**
 * The fault timeline for evidence, with runs of the same control (a loss set on 380 links) folded into
 * one row carrying the count.
 */
export function compactTimeline(
  entries: readonly TimelineEntry[],
): Array<{ atMs: number; kind: string; details: Record<string, unknown> }> {
  const out: Array<{ atMs: number; kind: string; details: Record<string, unknown> }> = [];
  for (let i = 0; i < entries.length; ) {
    const e = entries[i] as TimelineEntry;
    let j = i + 1;
    while (j < entries.length && (entries[j] as TimelineEntry).kind === e.kind && e.kind !== 'gossip.mark') j++;
    const run = j - i;
    const atMs = Math.round(e.atMs);
    if (run > 3) {
      const { from: _f, to: _t, id: _i, real: _r, ...common } = e.details as Record<string, unknown>;
      out.push({
        atMs,
        kind: e.kind,
        details: { ...common, count: run, first: e.details, lastAtMs: Math.round((entries[j - 1] as TimelineEntry).atMs) },
      });
    } else {
      for (let k = i; k < j; k++) {
        const x = entries[k] as TimelineEntry;
        out.push({ atMs: Math.round(x.atMs), kind: x.kind, details: x.details as Record<string, unknown> });
      }
    }
    i = j;
  }
  return out;
}

export class GossipCluster {
  readonly ids: string[];
  /** Rounds driven so far. */
  round = 0;
  readonly log = new RoundLog();
  /** Nodes whose views are no longer read (their process was crashed). */
  readonly gone = new Set<string>();
  lastViews: Views = new Map();
  /** How rounds ended: exactly (stats matched the kit) or by the idle window. */
  readonly settling = {
    confirmed: 0,
    idle: 0,
    maxMs: 0,
    lastMismatch: undefined as string | undefined,
    stuckMismatch: undefined as string | undefined,
  };
  private confirm = true;
  private readonly notes: string[] = [];
  /** Requests asked once more after a closed keep-alive connection (see `call`). */
  private readonly reasked = { count: 0, last: '' };

  private constructor(
    readonly ctx: CheckContext,
    readonly cluster: Cluster,
    readonly mode: Mode,
    readonly knobs: Record<string, number | string>,
  ) {
    this.ids = [...cluster.nodes.keys()];
  }

  static async start(ctx: CheckContext, options: GossipClusterOptions): Promise<GossipCluster> {
    const knobs = { ...DEFAULT_KNOBS, ...(options.knobs ?? {}), mode: options.mode };
    const cluster = await Cluster.start(ctx, {
      transport: 'udp',
      nodes: nodeIds(options.size).map((id) => ({ id })),
      knobs,
      label: options.label,
    });
    const gc = new GossipCluster(ctx, cluster, options.mode, knobs);
    gc.mark('started', { nodes: options.size, processes: cluster.hosts.length, knobs });
    return gc;
  }

  get net(): Cluster['net'] {
    return this.cluster.net;
  }

  /** Nodes still read (not crashed). */
  get live(): string[] {
    return this.ids.filter((id) => !this.gone.has(id));
  }

  /** Notes about how the cluster was driven (settling fallbacks…). */
  driverNotes(): string[] {
    const s = this.settling;
    const lines = [...this.notes];
    if (this.reasked.count > 0)
      lines.push(
        `${this.reasked.count} request(s) met a kept-alive connection the process had closed while idle and were asked once more on a fresh connection (last: ${this.reasked.last})`,
      );
    if (this.mode === 'round' && this.round > 0) {
      lines.push(
        `${this.round} rounds driven; ${s.confirmed} ended exactly (node /stats counters = kit link counters, nothing in flight), ${s.idle} by a ${IDLE_WINDOW_MS} ms idle window; slowest settle ${Math.round(s.maxMs)} ms`,
      );
      if (s.idle > 0 && s.lastMismatch) lines.push(`a round ended by the idle window after this counter mismatch: ${s.lastMismatch}`);
    }
    return lines;
  }

  /** A kit action on the shared timeline, tagged with the round it happens before. */
  mark(what: string, details: Record<string, unknown> = {}): void {
    this.cluster.timeline.record('gossip.mark', { what, round: this.round, ...details });
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────────────────────────

  private fail(code: string, message: string): never {
    throw new CandidateError(code, message, { logs: this.cluster.logs(8) });
  }

  private async call(run: () => Promise<HttpExchange>, what: string): Promise<HttpExchange> {
    try {
      try {
        return await run();
      } catch (error) {
        // A kept-alive connection the process closed while idle (its keep-alive timeout, e.g. Node's 5 s, runs
        // out during a long round at 1,000 nodes), reused by the kit before it saw the close: the request never
        // reached the process. Once, on a fresh connection; a second failure is the candidate's.
        const cause = error instanceof NoAnswerError ? error.details.cause : undefined;
        if (cause !== 'UND_ERR_SOCKET' && cause !== 'ECONNRESET') throw error;
        this.reasked.count++;
        this.reasked.last = `${what} (${String(cause)}, round ${this.round})`;
        return await run();
      }
    } catch (error) {
      if (error instanceof NoAnswerError) this.fail('GOSSIP_NO_ANSWER', `${what}: ${error.message}`);
      if (error instanceof BodyTooLargeError) this.fail('GOSSIP_BODY_TOO_LARGE', `${what}: ${error.message}`);
      throw error;
    }
  }

  private liveHosts(): HostProcess[] {
    return this.cluster.hosts.filter((h) => h.proc.running && h.nodeIds.some((id) => !this.gone.has(id)));
  }

  private readonly clients = new Map<string, GossipHttpClient>();

  /** The typed client of the process hosting node `id`, or of host process `h`. */
  private client(of: string | HostProcess): GossipHttpClient {
    const base = typeof of === 'string' ? this.cluster.node(of).baseUrl : `http://${of.http}`;
    let c = this.clients.get(base);
    if (c === undefined) this.clients.set(base, (c = new GossipHttpClient(base)));
    return c;
  }

  async nodeRequest(id: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 8000): Promise<HttpExchange> {
    return this.call(() => this.client(id).nodeRequest(id, method, path, body, { timeoutMs }), `${method} /nodes/${id}${path}`);
  }

  private expectOk(x: HttpExchange, what: string): Record<string, unknown> {
    if (x.status !== 200) this.fail('GOSSIP_BAD_ANSWER', `${what} answered ${x.status} ${JSON.stringify(x.response)?.slice(0, 200)}`);
    if (typeof x.response !== 'object' || x.response === null)
      this.fail('GOSSIP_BAD_ANSWER', `${what} answered a non-JSON body ${String(x.response).slice(0, 120)}`);
    return x.response as Record<string, unknown>;
  }

  /** `POST /nodes/{id}/state` → the node's new own entry. */
  async state(id: string, body: { meta?: string; status?: Status }): Promise<Entry> {
    const x = await this.call(() => this.client(id).state(id, body), `POST /nodes/${id}/state`);
    const r = this.expectOk(x, `POST /nodes/${id}/state`);
    this.mark('state', { node: id, ...body });
    try {
      return parseEntry(r, `POST /nodes/${id}/state answer`);
    } catch (error) {
      return this.fail('GOSSIP_BAD_ANSWER', (error as Error).message);
    }
  }

  /** `POST /nodes/{on}/debug/upsert`. */
  async upsert(on: string, entry: Entry): Promise<void> {
    const x = await this.call(() => this.client(on).upsert(on, entry), `POST /nodes/${on}/debug/upsert`);
    this.expectOk(x, `POST /nodes/${on}/debug/upsert ${JSON.stringify(entry)}`);
  }

  /** `POST /nodes/{on}/pushpull {peer}`; resolves when the candidate says the reply was merged. */
  async pushPull(on: string, peer: string, timeoutMs = 5000): Promise<void> {
    const x = await this.call(() => this.client(on).pushPull(on, peer, timeoutMs), `POST /nodes/${on}/pushpull`);
    this.expectOk(x, `POST /nodes/${on}/pushpull {"peer":"${peer}"}`);
  }

  async stats(id: string): Promise<Record<string, unknown>> {
    return this.expectOk(await this.call(() => this.client(id).stats(id), `GET /nodes/${id}/stats`), `GET /nodes/${id}/stats`);
  }

  async view(id: string): Promise<NodeView> {
    const r = this.expectOk(await this.call(() => this.client(id).view(id), `GET /nodes/${id}/view`), `GET /nodes/${id}/view`);
    try {
      return parseViews({ nodes: [r] }, `GET /nodes/${id}/view`)[0] as NodeView;
    } catch (error) {
      return this.fail('GOSSIP_BAD_ANSWER', (error as Error).message);
    }
  }

  /** Every live node's view (one `GET /views` per host process). */
  async readViews(): Promise<Views> {
    const views = new Map<string, NodeView>();
    await Promise.all(
      this.liveHosts().map(async (h) => {
        const what = `GET /views of the process hosting ${h.nodeIds[0]}${h.nodeIds.length > 1 ? `…${h.nodeIds.at(-1)}` : ''}`;
        const r = this.expectOk(await this.call(() => this.client(h).views(), what), what);
        let parsed: NodeView[];
        try {
          parsed = parseViews(r, what);
        } catch (error) {
          if (error instanceof ViewShapeError) this.fail('GOSSIP_BAD_ANSWER', error.message);
          throw error;
        }
        for (const v of parsed) if (h.nodeIds.includes(v.id)) views.set(v.id, v);
        const missing = h.nodeIds.filter((id) => !this.gone.has(id) && !views.has(id));
        if (missing.length > 0) this.fail('GOSSIP_BAD_ANSWER', `${what} lacks the view of ${missing.join(', ')}`);
      }),
    );
    for (const id of this.gone) views.delete(id);
    this.lastViews = views;
    return views;
  }

  // ── round driving ─────────────────────────────────────────────────────────────────────────────

  /** One round on every live host process, concurrently; resolves when every host answered. */
  async tick(): Promise<number> {
    let sent = 0;
    // The round barrier: nothing sent during this tick is delivered until every process has answered,
    // so no node hears of round r before running its own round r (exact boundaries across processes).
    this.net.raiseBarrier();
    try {
      await this.tickAll((n) => (sent += n));
    } finally {
      this.net.releaseBarrier();
    }
    return sent;
  }

  private async tickAll(addSent: (n: number) => void): Promise<void> {
    await Promise.all(
      this.liveHosts().map(async (h) => {
        const what = `POST /tick of the process hosting ${h.nodeIds.join(',').slice(0, 40)}`;
        const x = await this.call(() => this.client(h).tick(), what);
        if (x.status === 409)
          this.fail(
            'GOSSIP_WRONG_MODE',
            `${what} answered 409 ${JSON.stringify(x.response)?.slice(0, 160)} although the kit set the mode knob to "round"`,
          );
        const r = this.expectOk(x, what);
        const nodes = (r as { nodes?: unknown }).nodes;
        if (!Array.isArray(nodes))
          this.fail(
            'GOSSIP_BAD_ANSWER',
            `${what} answered ${JSON.stringify(r).slice(0, 160)}, expected {"nodes": [{"id","round","sent"}]}`,
          );
        for (const n of nodes as Array<{ sent?: unknown }>) if (typeof n?.sent === 'number') addSent(n.sent);
      }),
    );
  }

  private kitCounts(): { perNode: Map<string, KitNodeCount>; signature: string } {
    const perNode = new Map<string, KitNodeCount>();
    let sent = 0;
    let delivered = 0;
    let dropped = 0;
    for (const c of this.net.counters()) {
      const from = perNode.get(c.from) ?? { sent: 0, delivered: 0 };
      from.sent += c.sent.messages;
      perNode.set(c.from, from);
      const to = perNode.get(c.to) ?? { sent: 0, delivered: 0 };
      to.delivered += c.delivered.messages;
      perNode.set(c.to, to);
      sent += c.sent.messages;
      delivered += c.delivered.messages;
      dropped += c.dropped.messages;
    }
    return { perNode, signature: `${sent}/${delivered}/${dropped}/${this.net.inFlight}` };
  }

  /** Every live node's message counters from `/stats`, or undefined when a node does not report them. */
  private async nodeCounts(): Promise<Map<string, NodeCount> | undefined> {
    const ids = this.live.filter((id) => this.cluster.node(id).host.proc.running);
    const got = await mapLimit(ids, STATS_CONCURRENCY, async (id) => {
      const x = await this.call(() => this.client(id).stats(id), `GET /nodes/${id}/stats`);
      return x.status === 200 ? nodeCountOf(x.response) : undefined;
    });
    const out = new Map<string, NodeCount>();
    for (let i = 0; i < ids.length; i++) {
      const c = got[i];
      if (c === undefined) return undefined;
      out.set(ids[i] as string, c);
    }
    return out;
  }

  /**
   * Waits until the round is over (see the file comment). A mismatch between the nodes' counters and the
   * kit's that stays put while nothing moves (same kit counters, same node counters, {@link STABLE_READS}
   * readings over {@link STABLE_MS}) is the candidate's, not the machine's: it is noted (the
   * `gossip.counters` and `gossip.book-only` checks judge it) and later rounds end by the idle window,
   * so a candidate with wrong counters costs about a second, not a 4 s budget per round.
   */
  async settle(): Promise<void> {
    const t0 = performance.now();
    await this.net.quiescent({ timeoutMs: 20_000 });
    let exact = false;
    if (this.confirm) {
      let still: { key: string; since: number; reads: number } | undefined;
      for (;;) {
        const counts = await this.nodeCounts();
        if (counts === undefined) {
          this.confirm = false;
          this.notes.push('some node does not report sent.messages / received.messages in /stats: rounds end by an idle window');
          break;
        }
        const kit = this.kitCounts();
        const mismatch = counterMismatch(kit.perNode, counts);
        if (mismatch === undefined && this.net.inFlight === 0) {
          exact = true;
          break;
        }
        const key = `${kit.signature}|${[...counts].map(([id, n]) => `${id}:${n.sent}/${n.received}`).join(',')}`;
        if (still?.key === key) still.reads++;
        else still = { key, since: performance.now(), reads: 1 };
        if (mismatch !== undefined && still.reads >= STABLE_READS && performance.now() - still.since >= STABLE_MS) {
          this.confirm = false;
          this.settling.stuckMismatch = `round ${this.round}: ${mismatch}`;
          this.notes.push(
            `round ${this.round}: the nodes' /stats counters stayed different from the kit's link counters for ${STABLE_MS} ms with nothing moving (${mismatch}); later rounds end by a ${IDLE_WINDOW_MS} ms idle window`,
          );
          break;
        }
        if (performance.now() - t0 > CONFIRM_BUDGET_MS) {
          this.settling.lastMismatch = mismatch ?? `${this.net.inFlight} datagram(s) still in flight in the kit`;
          break;
        }
        await this.net.quiescent({ timeoutMs: 20_000 });
        await delay(mismatch === undefined ? 3 : STABLE_MS / STABLE_READS);
      }
    }
    if (exact) this.settling.confirmed++;
    else {
      this.settling.idle++;
      await this.idleWindow();
    }
    this.settling.maxMs = Math.max(this.settling.maxMs, performance.now() - t0);
  }

  /** The kit's counters unchanged for IDLE_WINDOW_MS with nothing in flight (at most ~10 s). */
  private async idleWindow(): Promise<void> {
    const deadline = performance.now() + 10_000;
    let last = this.kitCounts().signature;
    while (performance.now() < deadline) {
      await delay(IDLE_WINDOW_MS);
      const now = this.kitCounts().signature;
      if (now === last && this.net.inFlight === 0) return;
      last = now;
    }
  }

  private traffic(): { bytes: number; messages: number } {
    const t = this.net.totals();
    return { bytes: t.sent.bytes, messages: t.sent.messages };
  }

  /** Records the current boundary (round 0 before any tick) with the counts `measure` gives. */
  async record(measure?: (views: Views) => Record<string, number>): Promise<Views> {
    const views = await this.readViews();
    this.log.add({ round: this.round, counts: measure?.(views) ?? {}, bytes: 0, messages: 0, ms: 0 });
    return views;
  }

  /** One full round: tick every host, wait until quiescent, read every view, record the counts. */
  async step(measure?: (views: Views) => Record<string, number>): Promise<Views> {
    if (this.mode !== 'round') throw new Error('step() needs a round-driven cluster');
    const t0 = performance.now();
    const before = this.traffic();
    await this.tick();
    this.round++;
    await this.settle();
    const views = await this.readViews();
    const after = this.traffic();
    this.log.add({
      round: this.round,
      counts: measure?.(views) ?? {},
      bytes: after.bytes - before.bytes,
      messages: after.messages - before.messages,
      ms: performance.now() - t0,
    });
    return views;
  }

  /**
   * Drives rounds until `done(views)` returns true or `maxRounds` more rounds have run. Returns the round
   * at which it held (undefined if never). `each` sees every boundary (e.g. to catch invariants).
   */
  async until(
    done: (views: Views) => boolean,
    maxRounds: number,
    measure?: (views: Views) => Record<string, number>,
    each?: (views: Views) => string | undefined,
  ): Promise<{ round: number | undefined; violation?: string }> {
    for (let i = 0; i < maxRounds; i++) {
      const views = await this.step(measure);
      const violation = each?.(views);
      if (violation !== undefined) return { round: undefined, violation };
      if (done(views)) return { round: this.round };
    }
    return { round: undefined };
  }

  /**
   * Crash a node: kill its process when it hosts only that node, else cut all its links (the contract's
   * rule for shared processes). Either way its view is no longer read.
   */
  async crash(id: string): Promise<'process' | 'isolated'> {
    const host = this.cluster.node(id).host;
    if (host.nodeIds.length === 1) {
      await this.cluster.crash(id);
      this.gone.add(id);
      return 'process';
    }
    this.net.isolate(id);
    this.gone.add(id);
    this.mark('crash-as-isolate', { node: id, sharedWith: host.nodeIds.length - 1 });
    return 'isolated';
  }

  // ── evidence ──────────────────────────────────────────────────────────────────────────────────

  /** Counter lines for the given directed links. */
  links(pairs: ReadonlyArray<readonly [string, string]>): string[] {
    return pairs.map(([a, b]) => describeLink(this.net.linkCounters(a, b)));
  }

  /** Logs, timeline and driver notes for any verdict. */
  evidence(): { logs: string[]; notes: string[]; timeline: ReturnType<typeof compactTimeline> } {
    return { logs: this.cluster.logs(6), notes: this.driverNotes(), timeline: compactTimeline(this.cluster.timeline.entries()) };
  }
}
