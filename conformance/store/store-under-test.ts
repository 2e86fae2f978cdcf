import type { CheckContext, CheckOutcome } from '../../harness/checks/check.ts';
import { failed, notTestable, pass, unknown } from '../../harness/checks/check.ts';
import { withRunEvidence, type Evidence } from '../../harness/checks/evidence.ts';
import type { History, LogEntry, Operation, ReadMode, ReadOp, WriteOp } from '../../harness/checks/history/history.ts';
import { waitFor } from '../../harness/common/wait.ts';
import { Cluster } from '../../harness/cluster/cluster.ts';
import type { ClusterNetwork } from '../../harness/network/index.ts';
import { CandidateError } from '../../harness/process/supervisor.ts';
import type { Plot } from '../../harness/common/plot.ts';
import {
  appliedLsnOf,
  exchange,
  field,
  MAX_DUMP_BYTES,
  parseReadAnswer,
  parseWriteAnswer,
  readPath,
  StoreHttpError,
  type ExchangeOptions,
  type StoreExchange,
} from '../../harness/wire/store-http.ts';
import { parseDump, type Dump } from './dump.ts';

/** The initial leader of every store check. Followers are n1, n2, … (sync ones first); the router is `router`. */
export const LEADER = 'n0';
export const ROUTER = 'router';

export interface StoreTopology {
  /** Sync follower ids (default ["n1"]). */
  sync?: string[];
  /** Async follower ids (default ["n2"]). */
  async?: string[];
  /** k: how many sync followers must apply a write (default 1 with sync followers, else 0). */
  quorum?: number;
  /** Knob values (applied when the manifest declares them). */
  knobs?: Record<string, number | string>;
}

/** What a write got back. `outcome` follows the store contract: 200 acknowledged, 4xx rejected, else unknown. */
export interface WriteResult {
  op: WriteOp;
  outcome: 'ack' | 'rejected' | 'unknown';
  status?: number;
  code?: string;
  lsn?: number;
  servedBy?: string;
  ms: number;
  /** The contract was broken by the answer itself (a 200 without a numeric lsn…). */
  malformed?: string;
}

export interface ReadResult {
  op: ReadOp;
  ok: boolean;
  status?: number;
  code?: string;
  value?: string | null;
  lsn?: number;
  servedBy?: string;
  ms: number;
  malformed?: string;
}

export interface WriteOptions {
  session?: string;
  client?: string;
  timeoutMs?: number;
}

export interface ReadOptions {
  session?: string;
  via?: string;
  minLsn?: number;
  client?: string;
  timeoutMs?: number;
}

const READY_KEY = '__meridian_ready';
/** The contract allows 10 s to become ready; a loaded 2-core machine gets a margin on top. */
const READY_TIMEOUT_MS = 20_000;
/** Writes may legitimately take the candidate's write timeout (10 s by default) before a 503. */
const WRITE_REQUEST_TIMEOUT_MS = 15_000;
const READ_REQUEST_TIMEOUT_MS = 6_000;
const START_ATTEMPTS = 3;

/** A node exited before listening because its port was taken (EADDRINUSE in any language's words). */
export function isPortCollision(error: unknown): boolean {
  if (!(error instanceof CandidateError) || error.code !== 'CANDIDATE_EXITED') return false;
  const logs = Array.isArray(error.details.logs) ? (error.details.logs as unknown[]).map(String) : [];
  return logs.some((line) => /EADDRINUSE|address already in use/i.test(line));
}

/** Floors an invocation and ceils an answer time to the microsecond: never makes two ops look ordered when they were not. */
const floorUs = (ms: number): number => Math.floor(ms * 1000) / 1000;
const ceilUs = (ms: number): number => Math.ceil(ms * 1000) / 1000;

/**
 * A store cluster under test: leader n0, followers n1… (sync first), the router, all on the kit's network.
 * Every request through the router is recorded as a history operation (harness/checks/history) with
 * kit-side real-time bounds on the same time axis as the fault timeline; every fault and admin call is
 * on the timeline and in `actions`, so a verdict's evidence shows what was sent and what came back.
 */
export class StoreUnderTest {
  readonly history: Operation[] = [];
  /** Human-readable lines: faults, admin calls, milestones (the evidence's `sent`). */
  readonly actions: string[] = [];
  /** Every router exchange as one line, in completion order. */
  readonly lines: string[] = [];
  leader = LEADER;
  readonly followers: string[];
  readonly sync: string[];
  readonly async: string[];
  readonly quorum: number;
  /** performance.now() of the timeline's origin: op times and timeline entries share one axis. */
  private origin = 0;
  private counter = 0;

  private constructor(
    readonly ctx: CheckContext,
    readonly cluster: Cluster,
    topology: Required<Pick<StoreTopology, 'sync' | 'async'>> & { quorum: number },
  ) {
    this.sync = topology.sync;
    this.async = topology.async;
    this.followers = [...topology.sync, ...topology.async];
    this.quorum = topology.quorum;
    this.timeline.record('store.clock', {});
    const entry = this.timeline.entries().at(-1);
    this.origin = performance.now() - (entry?.atMs ?? 0);
  }

  get net(): ClusterNetwork {
    return this.cluster.net;
  }

  get timeline() {
    return this.cluster.timeline;
  }

  get dataNodes(): string[] {
    return [LEADER, ...this.followers];
  }

  /** Milliseconds on the timeline's axis. */
  now(): number {
    return performance.now() - this.origin;
  }

  /**
   * Starts the cluster and waits until it is ready as the contract defines it: a write through the
   * router succeeds and every follower's `/status` shows `appliedLsn` at or past it.
   * @throws CandidateError STORE_NOT_READY (the runner turns it into FAIL with the logs)
   */
  static async launch(ctx: CheckContext, topology: StoreTopology = {}): Promise<StoreUnderTest> {
    const sync = topology.sync ?? ['n1'];
    const async = topology.async ?? ['n2'];
    const quorum = topology.quorum ?? (sync.length > 0 ? 1 : 0);
    const followers = [...sync, ...async];
    const options = {
      transport: 'tcp' as const,
      label: 'store',
      nodes: [{ id: LEADER, role: 'leader' }, ...followers.map((id) => ({ id, role: 'follower' })), { id: ROUTER, role: 'router' }],
      knobs: topology.knobs ?? {},
      placeholders: { leader: LEADER, sync: sync.join(','), quorum: String(quorum), followers: followers.join(',') },
    };
    for (let attempt = 1; ; attempt++) {
      let cluster: Cluster | undefined;
      try {
        cluster = await Cluster.start(ctx, options);
        const sut = new StoreUnderTest(ctx, cluster, { sync, async, quorum });
        sut.act(
          `cluster: leader ${LEADER}, sync [${sync.join(', ')}] (k = ${quorum}), async [${async.join(', ')}], router; knobs ${JSON.stringify(topology.knobs ?? {})}`,
        );
        await sut.waitReady();
        return sut;
      } catch (error) {
        // The kit picks free ports before the candidate binds them; an outgoing connection anywhere on the
        // machine may take one in between (a loopback connect to a port nobody listens on yet can even
        // connect to itself and make the port look ready). That collision is the kit's, not the
        // candidate's: start the cluster again.
        if (attempt >= START_ATTEMPTS || !isPortCollision(error)) throw error;
        await cluster?.close();
        ctx.note(
          `attempt ${attempt}: a node could not bind its port (taken between the kit's pick and the bind: ${String((error as CandidateError).message)}); cluster started again`,
        );
      }
    }
  }

  /**
   * Restarts a node's process (after a crash) with the given placeholder overrides (the current
   * topology), and waits until its own `/status` answers. A port collision at the restart (see launch) is
   * the kit's: the process is started again.
   */
  async restart(node: string, overrides: Record<string, string>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.cluster.restart(node, overrides);
        const host = this.cluster.node(node).host;
        await waitFor(
          async () => {
            if (!host.proc.running)
              throw (
                this.exited() ?? new CandidateError('CANDIDATE_EXITED', `${node} exited after its restart`, { logs: host.proc.tail(20) })
              );
            return (await this.status(node, 1000)) ? true : undefined;
          },
          { timeoutMs: 10_000, intervalMs: 50, signal: this.ctx.scope.signal },
        );
        this.act(
          `restart ${node} with ${Object.entries(overrides)
            .map(([k, v]) => `{${k}}=${v}`)
            .join(' ')}`,
        );
        return;
      } catch (error) {
        if (attempt >= START_ATTEMPTS || !isPortCollision(error)) throw error;
        this.ctx.note(`restart of ${node}, attempt ${attempt}: its port was taken between the kill and the bind; started again`);
      }
    }
  }

  /** A node whose process died: the candidate crashed (or lost its port to a collision, see launch). */
  private exited(): CandidateError | undefined {
    const host = this.cluster.hosts.find((h) => !h.proc.running);
    if (!host) return undefined;
    const info = host.proc.exitInfo;
    const how = info ? (info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`) : 'gone';
    return new CandidateError(
      'CANDIDATE_EXITED',
      `${host.nodeIds.join(', ')} exited (${how}) after its HTTP port answered, before the cluster was ready`,
      { logs: host.proc.tail(20) },
    );
  }

  private async waitReady(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    let last = 'no attempt';
    let lsn: number | undefined;
    while (lsn === undefined && performance.now() < deadline && !this.ctx.scope.signal.aborted) {
      const dead = this.exited();
      if (dead) throw dead;
      try {
        const answer = await this.request(
          ROUTER,
          'POST',
          '/write',
          { key: READY_KEY, value: 'ready' },
          Math.max(500, deadline - performance.now()),
        );
        const got = field(answer.response, 'lsn');
        if (answer.status === 200 && typeof got === 'number') lsn = got;
        else last = `${answer.status} ${JSON.stringify(answer.response).slice(0, 200)}`;
      } catch (error) {
        if (!(error instanceof StoreHttpError)) throw error;
        last = error.message;
      }
      if (lsn === undefined) await waitFor(() => undefined, { timeoutMs: 100, signal: this.ctx.scope.signal });
    }
    if (lsn === undefined) {
      throw new CandidateError(
        'STORE_NOT_READY',
        `no write through the router succeeded within ${READY_TIMEOUT_MS} ms of the HTTP ports answering (last: ${last})`,
        { logs: this.cluster.logs(10) },
      );
    }
    const target = lsn;
    const behind = await waitFor(
      async () => {
        const dead = this.exited();
        if (dead) throw dead;
        const statuses = await Promise.all(this.followers.map(async (f) => [f, await this.appliedLsn(f)] as const));
        return statuses.every(([, a]) => a !== undefined && a >= target) ? true : undefined;
      },
      { timeoutMs: Math.round(Math.max(1000, deadline - performance.now())), intervalMs: 50, signal: this.ctx.scope.signal },
    );
    if (!behind) {
      const statuses = await Promise.all(this.followers.map(async (f) => `${f}: ${(await this.appliedLsn(f)) ?? 'no answer'}`));
      throw new CandidateError(
        'STORE_NOT_READY',
        `the ready write got LSN ${target} but not every follower applied it within ${READY_TIMEOUT_MS} ms (appliedLsn ${statuses.join(', ')})`,
        {
          logs: this.cluster.logs(10),
        },
      );
    }
    this.act(`ready: write ${READY_KEY} acknowledged at LSN ${target}, every follower applied it`);
  }

  /**
   * One exchange with a node's (or the router's) HTTP API through the kit's typed store client: deadline
   * over headers and body, body capped. Throws StoreHttpError when there is no usable answer.
   */
  request(
    node: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    timeoutMs: number,
    options: Omit<ExchangeOptions, 'timeoutMs'> = {},
  ): Promise<StoreExchange> {
    return exchange(method, `${this.cluster.node(node).baseUrl}${path}`, body, {
      ...options,
      timeoutMs: Math.max(1, Math.round(timeoutMs)),
      signal: this.ctx.scope.signal,
    });
  }

  /** Records a kit action (fault, admin call, milestone) with its time. */
  act(text: string): void {
    this.actions.push(`+${this.now().toFixed(0)}ms ${text}`);
  }

  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  /** A write through the router, recorded in the history. Never throws for a missing answer (→ unknown). */
  async write(key: string, value: string, options: WriteOptions = {}): Promise<WriteResult> {
    const op: WriteOp = {
      kind: 'write',
      id: this.nextId('w'),
      client: options.client ?? 'kit',
      key,
      value,
      invokeMs: floorUs(this.now()),
      ok: 'unknown',
    };
    if (options.session !== undefined) op.session = options.session;
    this.history.push(op);
    const body: Record<string, string> = { key, value };
    if (options.session !== undefined) body.session = options.session;
    const started = performance.now();
    let answer: StoreExchange;
    try {
      answer = await this.request(ROUTER, 'POST', '/write', body, options.timeoutMs ?? WRITE_REQUEST_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof StoreHttpError)) throw error;
      const ms = performance.now() - started;
      this.lines.push(
        `${op.id} +${op.invokeMs.toFixed(0)}ms W ${key}=${value}${sess(options.session)} → no answer in ${ms.toFixed(0)} ms (unknown)`,
      );
      return { op, outcome: 'unknown', ms };
    }
    op.completeMs = Math.max(op.invokeMs, ceilUs(this.now()));
    const ms = performance.now() - started;
    const parsed = parseWriteAnswer(answer.status, answer.response);
    const result: WriteResult = { op, ...parsed, ms };
    if (parsed.outcome === 'ack') {
      op.ok = true;
      op.lsn = parsed.lsn as number;
    } else if (parsed.outcome === 'rejected') op.ok = false;
    const what =
      result.outcome === 'ack'
        ? `200 lsn=${result.lsn} served by ${result.servedBy ?? '?'}`
        : `${answer.status} ${result.code ?? ''} (${result.outcome})`;
    this.lines.push(`${op.id} +${op.invokeMs.toFixed(0)}ms W ${key}=${value}${sess(options.session)} → ${what} in ${ms.toFixed(0)} ms`);
    return result;
  }

  /** A read through the router, recorded in the history. */
  async read(key: string, mode: ReadMode, options: ReadOptions = {}): Promise<ReadResult> {
    const op: ReadOp = {
      kind: 'read',
      id: this.nextId('r'),
      client: options.client ?? 'kit',
      key,
      mode,
      value: null,
      invokeMs: floorUs(this.now()),
    };
    if (options.session !== undefined) op.session = options.session;
    this.history.push(op);
    const path = readPath({
      key,
      mode,
      ...(options.session !== undefined ? { session: options.session } : {}),
      ...(options.minLsn !== undefined ? { minLsn: options.minLsn } : {}),
      ...(options.via !== undefined ? { via: options.via } : {}),
    });
    const shown = `R ${key} ${mode}${options.via ? ` via=${options.via}` : ''}${sess(options.session)}${options.minLsn !== undefined ? ` minLsn=${options.minLsn}` : ''}`;
    const started = performance.now();
    let answer: StoreExchange;
    try {
      answer = await this.request(ROUTER, 'GET', path, undefined, options.timeoutMs ?? READ_REQUEST_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof StoreHttpError)) throw error;
      const ms = performance.now() - started;
      this.lines.push(`${op.id} +${op.invokeMs.toFixed(0)}ms ${shown} → no answer in ${ms.toFixed(0)} ms`);
      return { op, ok: false, ms };
    }
    const completeMs = Math.max(op.invokeMs, ceilUs(this.now()));
    const ms = performance.now() - started;
    const parsed = parseReadAnswer(answer.status, answer.response);
    const result: ReadResult = { op, ...parsed, ms };
    if (parsed.ok) {
      op.value = parsed.value;
      op.servedLsn = parsed.lsn;
      op.servedBy = parsed.servedBy;
      op.completeMs = completeMs;
    }
    const what = result.ok
      ? `${JSON.stringify(result.value)} lsn=${result.lsn} served by ${result.servedBy}`
      : `${answer.status} ${result.code ?? ''}${result.malformed ? ' (malformed)' : ''}`;
    this.lines.push(`${op.id} +${op.invokeMs.toFixed(0)}ms ${shown} → ${what} in ${ms.toFixed(0)} ms`);
    return result;
  }

  /** A data node's `/status` body, or undefined when it does not answer. */
  async status(node: string, timeoutMs = 3000): Promise<Record<string, unknown> | undefined> {
    try {
      const answer = await this.request(node, 'GET', '/status', undefined, timeoutMs);
      return answer.status === 200 && typeof answer.response === 'object' && answer.response !== null
        ? (answer.response as Record<string, unknown>)
        : undefined;
    } catch (error) {
      if (error instanceof StoreHttpError) return undefined;
      throw error;
    }
  }

  async appliedLsn(node: string): Promise<number | undefined> {
    return appliedLsnOf(await this.status(node));
  }

  /** Polls `/status` until the node's applied LSN reaches `lsn`; the last value seen (or undefined) otherwise. */
  async waitApplied(node: string, lsn: number, timeoutMs: number): Promise<{ reached: boolean; applied: number | undefined }> {
    let applied: number | undefined;
    const ok = await waitFor(
      async () => {
        applied = await this.appliedLsn(node);
        return applied !== undefined && applied >= lsn ? true : undefined;
      },
      { timeoutMs, intervalMs: 50, signal: this.ctx.scope.signal },
    );
    return { reached: ok === true, applied };
  }

  /** A node's `/dump`, validated (dense, ordered LSNs are checked by the caller with dump.ts). */
  async dump(node: string): Promise<Dump | { problem: string }> {
    try {
      const answer = await this.request(node, 'GET', '/dump', undefined, 10_000, { maxBytes: MAX_DUMP_BYTES });
      if (answer.status !== 200)
        return { problem: `${node} answered /dump with ${answer.status}: ${JSON.stringify(answer.response).slice(0, 200)}` };
      return parseDump(answer.response, node);
    } catch (error) {
      if (error instanceof StoreHttpError) return { problem: `${node} did not answer /dump (${error.message})` };
      throw error;
    }
  }

  /** A POST to a data node or the router's admin API, recorded on the timeline. */
  async admin(node: string, path: string, body: unknown): Promise<StoreExchange | undefined> {
    this.timeline.record('store.admin', { node, path, body });
    try {
      const answer = await this.request(node, 'POST', path, body, 10_000);
      this.act(`POST ${node} ${path} ${JSON.stringify(body)} → ${answer.status} ${JSON.stringify(answer.response).slice(0, 160)}`);
      return answer;
    } catch (error) {
      if (!(error instanceof StoreHttpError)) throw error;
      this.act(`POST ${node} ${path} ${JSON.stringify(body)} → no answer`);
      return undefined;
    }
  }

  /** Delays every byte any other data node sends to `node` (so it lags whoever it replicates from). */
  lagInto(node: string, ms: number, jitterMs = 0): void {
    for (const from of this.dataNodes) if (from !== node) this.net.delay(from, node, ms, jitterMs);
    this.act(`lag: every data node → ${node} delayed ${ms} ms${jitterMs ? ` + U[0, ${jitterMs}] ms` : ''}`);
  }

  /** Resets every connection between two nodes, whichever side opened it. */
  resetPair(a: string, b: string): number {
    const count = this.net.reset(a, b) + this.net.reset(b, a);
    this.act(`reset: ${count} connection(s) between ${a} and ${b} (both directions)`);
    return count;
  }

  /** Acknowledged writes, in LSN order. */
  acknowledged(): Array<WriteOp & { lsn: number }> {
    return this.history
      .filter((op): op is WriteOp & { lsn: number } => op.kind === 'write' && op.ok === true && op.lsn !== undefined)
      .sort((a, b) => a.lsn - b.lsn);
  }

  /** Latency of every answered operation over time, one series per kind (writes, reads by mode). */
  latencyPlot(title: string): Plot {
    const series = new Map<string, Array<[number, number]>>();
    for (const op of this.history) {
      if (op.completeMs === undefined) continue;
      const name = op.kind === 'write' ? 'writes' : `${op.mode} reads`;
      let points = series.get(name);
      if (!points) series.set(name, (points = []));
      points.push([Math.round(op.invokeMs), Math.round((op.completeMs - op.invokeMs) * 10) / 10]);
    }
    return {
      title,
      xLabel: 'ms on the timeline (sent)',
      yLabel: 'latency ms',
      series: [...series].map(([name, points]) => ({ name, points })),
    };
  }

  /** The applied LSN each node served reads at, over time: shows each follower's lag and how resets hit it. */
  servedLsnPlot(title: string): Plot {
    const series = new Map<string, Array<[number, number]>>();
    for (const op of this.history) {
      if (op.kind !== 'read' || op.completeMs === undefined || op.servedBy === undefined || op.servedLsn === undefined) continue;
      let points = series.get(op.servedBy);
      if (!points) series.set(op.servedBy, (points = []));
      points.push([Math.round(op.completeMs), op.servedLsn]);
    }
    return {
      title,
      xLabel: 'ms on the timeline (answered)',
      yLabel: 'served LSN',
      series: [...series].sort(([a], [b]) => a.localeCompare(b)).map(([name, points]) => ({ name, points })),
    };
  }

  /** The recorded history (a snapshot). */
  recorded(): History {
    return [...this.history];
  }

  /** Evidence common to every verdict: what was sent, the timeline, the candidate's last log lines. */
  evidence(rest: Omit<Evidence, 'summary'> & { plots?: Plot[]; withLogs?: boolean } = {}): Omit<Evidence, 'summary'> {
    const { withLogs, ...others } = rest;
    return withRunEvidence(others, {
      sent: this.actions,
      timeline: this.timeline.entries(),
      logs: (withLogs ?? true) ? this.cluster.logs(8) : undefined,
    });
  }

  pass(summary: string, rest: Omit<Evidence, 'summary'> & { plots?: Plot[] } = {}): CheckOutcome {
    return pass(summary, this.evidence({ withLogs: false, ...rest }));
  }

  /**
   * A FAIL. `proof`: the lines that show what the summary names (the first violation and its pair); they
   * go at the END of `observed`, because every report format shows the tail of that list.
   */
  fail(summary: string, rest: Omit<Evidence, 'summary'> & { plots?: Plot[]; proof?: readonly string[] } = {}): CheckOutcome {
    const { proof, ...others } = rest;
    if (proof === undefined || proof.length === 0) return failed(summary, this.evidence(others));
    return failed(
      summary,
      this.evidence({ ...others, observed: [...(others.observed ?? []).filter((l) => !proof.includes(l)), ...proof] }),
    );
  }

  unknown(summary: string, rest: Omit<Evidence, 'summary'> & { plots?: Plot[] } = {}): CheckOutcome {
    return unknown(summary, this.evidence(rest));
  }

  notTestable(summary: string, rest: Omit<Evidence, 'summary'> & { plots?: Plot[] } = {}): CheckOutcome {
    return notTestable(summary, this.evidence(rest));
  }

  /** The leader's log as the history checkers want it. */
  static log(dump: Dump): LogEntry[] {
    return dump.entries.map((e) => ({ lsn: e.lsn, key: e.key, value: e.value }));
  }
}

function sess(session: string | undefined): string {
  return session === undefined ? '' : ` [session ${session}]`;
}

/** Keeps evidence lists readable: the first and last lines of a long list. */
export function clip(lines: readonly string[], head = 15, tail = 15): string[] {
  if (lines.length <= head + tail + 1) return [...lines];
  return [...lines.slice(0, head), `… ${lines.length - head - tail} more …`, ...lines.slice(-tail)];
}
