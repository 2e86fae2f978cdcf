/**
 * Round-driver bookkeeping (pure, unit-tested): when a round is over, what each round looked like, and
 * how the per-round series are shown (the convergence table in `observed`, plots in `data.plots`).
 */
import type { Plot } from '../../harness/report/plot.ts';

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
    return convergenceLine(this.series(name).filter(([r]) => r >= from), unit);
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
