/**
 * Round-driver bookkeeping (pure, unit-tested): when a round is over, what each round looked like, and
 * how the per-round series are shown (the convergence table in `observed`, plots in `data.plots`).
 */
import type { Plot } from '../../harness/common/plot.ts';

/** What the kit counted for one node: datagrams that left it into the kit, datagrams the kit handed to it. */
export interface KitNodeCount {
  sent: number;
  delivered: number;
}

/** What the node says it did (`/stats`: `sent.messages`, `received.messages`). */
export interface NodeCount {
  sent: number;
  received: number;
}

/**
 * True when every node's own counters match the kit's: everything it sent has reached the kit, and
 * everything the kit delivered to it has been read. With nothing in flight inside the kit and the kit's
 * totals unchanged across the reading, the cluster is exactly quiescent: the round is over.
 * Returns the first mismatch as a string (for notes) or undefined when all match.
 */
export function counterMismatch(kit: ReadonlyMap<string, KitNodeCount>, nodes: ReadonlyMap<string, NodeCount>): string | undefined {
  for (const [id, n] of nodes) {
    const k = kit.get(id) ?? { sent: 0, delivered: 0 };
    if (n.sent !== k.sent) return `${id}: sent ${n.sent} by its stats, ${k.sent} reached the kit`;
    if (n.received !== k.delivered) return `${id}: received ${n.received} by its stats, kit delivered ${k.delivered}`;
  }
  return undefined;
}

/** Reads `/stats` message counters; undefined when the fields the kit needs are missing. */
export function nodeCountOf(stats: unknown): NodeCount | undefined {
  const s = stats as { sent?: { messages?: unknown }; received?: { messages?: unknown } } | null;
  const sent = s?.sent?.messages;
  const received = s?.received?.messages;
  if (typeof sent !== 'number' || typeof received !== 'number') return undefined;
  return { sent, received };
}

/** One round boundary as recorded by the driver. */
export interface RoundRecord {
  /** Rounds driven so far (0 = before the first tick). */
  round: number;
  /** Named per-round counts (e.g. "aware" → 12). */
  counts: Record<string, number>;
  /** Kit-counted bytes and datagrams that entered the network during this round. */
  bytes: number;
  messages: number;
  /** Wall time of the round (tick + settle + read), ms. */
  ms: number;
}

/** Per-round series of a check: counts by name, traffic, durations. */
export class RoundLog {
  readonly records: RoundRecord[] = [];

  add(record: RoundRecord): void {
    this.records.push(record);
  }

  /** The series `name` as [round, count] points (rounds that did not record it are skipped). */
  series(name: string): Array<[number, number]> {
    return this.records.filter((r) => name in r.counts).map((r) => [r.round, r.counts[name] as number]);
  }

  /** First recorded round (≥ `from`) where `pred` holds on the series value. */
  firstRound(name: string, pred: (n: number) => boolean, from = 0): number | undefined {
    return this.records.find((r) => r.round >= from && name in r.counts && pred(r.counts[name] as number))?.round;
  }

  /** Mean kit bytes per round over rounds in [from, to]. */
  meanBytes(from = 1, to = Infinity): number {
    const rs = this.records.filter((r) => r.round >= from && r.round <= to);
    return rs.length === 0 ? 0 : rs.reduce((a, r) => a + r.bytes, 0) / rs.length;
  }

  /** `round 0: 1 aware, round 1: 4, round 2: 13, round 3: 20` (the seed's expected output). */
  table(name: string, unit = 'aware', from = 0): string {
    return convergenceLine(
      this.series(name).filter(([r]) => r >= from),
      unit,
    );
  }

  plot(title: string, names: readonly string[], yLabel = 'nodes aware', labels: Record<string, string> = {}): Plot {
    return { title, xLabel: 'round', yLabel, series: names.map((n) => ({ name: labels[n] ?? n, points: this.series(n) })) };
  }
}

/** `round 1: 3 aware, round 2: 9, …` from [round, count] points. */
export function convergenceLine(points: ReadonlyArray<readonly [number, number]>, unit = 'aware'): string {
  return points.map(([r, n], i) => (i === 0 ? `round ${r}: ${n} ${unit}` : `round ${r}: ${n}`)).join(', ');
}

/** `1 → 4 → 13 → 20` (for one-line summaries). */
export function arrowLine(points: ReadonlyArray<readonly [number, number]>): string {
  return points.map(([, n]) => String(n)).join('→');
}

/** Human-readable bytes. */
export function kib(bytes: number): string {
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${Math.round(bytes)} B`;
}

/** Messages and UDP payload bytes one way. */
export interface Traffic {
  messages: number;
  bytes: number;
}

/** One node's traffic as counted by the kit (`sent`: reached the kit from it; `received`: delivered to it) or by its `/stats`. */
export interface NodeTraffic {
  sent: Traffic;
  received: Traffic;
}

/** The kit's per-node totals from its link counters. */
export function kitTraffic(
  links: ReadonlyArray<{ from: string; to: string; sent: Traffic; delivered: Traffic }>,
): Map<string, NodeTraffic> {
  const out = new Map<string, NodeTraffic>();
  const of = (id: string): NodeTraffic => {
    let t = out.get(id);
    if (t === undefined) out.set(id, (t = { sent: { messages: 0, bytes: 0 }, received: { messages: 0, bytes: 0 } }));
    return t;
  };
  for (const l of links) {
    of(l.from).sent.messages += l.sent.messages;
    of(l.from).sent.bytes += l.sent.bytes;
    of(l.to).received.messages += l.delivered.messages;
    of(l.to).received.bytes += l.delivered.bytes;
  }
  return out;
}

/** `/stats` sent/received messages and bytes, or the name of the first missing field. */
export function statsTraffic(stats: unknown): NodeTraffic | string {
  const s = stats as Record<string, Record<string, unknown> | undefined> | null;
  const out: NodeTraffic = { sent: { messages: 0, bytes: 0 }, received: { messages: 0, bytes: 0 } };
  for (const dir of ['sent', 'received'] as const) {
    for (const f of ['messages', 'bytes'] as const) {
      const v = s?.[dir]?.[f];
      if (typeof v !== 'number' || !Number.isFinite(v)) return `${dir}.${f}`;
      out[dir][f] = v;
    }
  }
  return out;
}

/** One field where a node's `/stats` and the kit disagree. */
export interface CounterDiff {
  node: string;
  field: 'sent.messages' | 'sent.bytes' | 'received.messages' | 'received.bytes';
  stats: number;
  kit: number;
}

/** Every field where a node's counters differ from the kit's (nodes missing from `kit` count as zeros). */
export function counterDiffs(kit: ReadonlyMap<string, NodeTraffic>, nodes: ReadonlyMap<string, NodeTraffic>): CounterDiff[] {
  const out: CounterDiff[] = [];
  for (const [node, n] of nodes) {
    const k = kit.get(node) ?? { sent: { messages: 0, bytes: 0 }, received: { messages: 0, bytes: 0 } };
    for (const dir of ['sent', 'received'] as const) {
      for (const f of ['messages', 'bytes'] as const) {
        if (n[dir][f] !== k[dir][f]) out.push({ node, field: `${dir}.${f}`, stats: n[dir][f], kit: k[dir][f] });
      }
    }
  }
  return out;
}

/** `n3 sent.messages: 18 by /stats, 25 by the kit`. */
export function describeDiff(d: CounterDiff): string {
  const kitSide = d.field.startsWith('sent') ? 'reached the kit' : 'delivered by the kit';
  return `${d.node} ${d.field}: ${d.stats} by its /stats, ${d.kit} ${kitSide}`;
}

/**
 * Datagrams a node's own counters show that the kit never carried: more sent than reached the kit (they
 * went to an address outside the book), more received than the kit delivered (they came from outside it).
 */
export function outsideBook(diffs: readonly CounterDiff[]): CounterDiff[] {
  return diffs.filter((d) => d.field.endsWith('.messages') && d.stats > d.kit);
}
