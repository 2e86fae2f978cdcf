import { opName, quote } from './describe.ts';
import type { Operation } from './history.ts';
import { isAcknowledged } from './history.ts';
import type { KeyModel } from './lin-model.ts';
import type { Finding } from './lin-patterns.ts';

/**
 * Exact O(n log n) linearizability decision for a register whose writes have unique values (Gibbons &
 * Korach, "Testing shared memories", SIAM J. Comput. 1997: read-mapped register histories).
 *
 * Each written value v forms a cluster: its write and the reads returning v (null: a virtual write
 * before everything, and the reads returning null). In any linearization a cluster is a contiguous
 * block that starts with its write. Let f = the earliest return in the cluster and s = the latest
 * invocation. If f < s the cluster has a *forward zone* (f, s): the register must hold v throughout.
 * Otherwise its *backward zone* [s, f] is an instant window in which the whole cluster can take effect.
 * With no read answered before its write was sent, the history is linearizable iff no two forward
 * zones overlap and no backward zone lies strictly inside a forward zone. Unknown writes return at +∞
 * (an unread one then constrains nothing); equal timestamps count as concurrent, as in the search.
 * Self-contained (phantoms and future reads included), though lin-patterns.ts runs first and
 * explains those better. Internal to the linearizability checker.
 */

interface Cluster {
  value: string | null;
  writer?: Operation;
  /** Earliest return among the cluster's ops (−∞ for the initial value's virtual write). */
  f: number;
  fOp?: Operation;
  /** Latest invocation among the cluster's ops. */
  s: number;
  sOp?: Operation;
  reads: number;
}

const returnOf = (op: Operation): number =>
  op.kind === 'write' ? (isAcknowledged(op) ? op.completeMs : Number.POSITIVE_INFINITY) : (op.completeMs ?? Number.POSITIVE_INFINITY);

/** The clusters, or undefined when a read returned a value no applicable write wrote (a phantom). */
function clustersOf(model: KeyModel): Cluster[] | undefined {
  const initial: Cluster = { value: null, f: Number.NEGATIVE_INFINITY, s: Number.NEGATIVE_INFINITY, reads: 0 };
  const byValue = new Map<string | null, Cluster>([[null, initial]]);
  const widen = (cluster: Cluster, op: Operation): void => {
    const ret = returnOf(op);
    if (ret < cluster.f) Object.assign(cluster, { f: ret, fOp: op });
    if (op.invokeMs > cluster.s) Object.assign(cluster, { s: op.invokeMs, sOp: op });
  };
  for (const { source } of model.ops) {
    if (source.kind !== 'write') continue;
    const cluster: Cluster = { value: source.value, writer: source, f: Number.POSITIVE_INFINITY, s: Number.NEGATIVE_INFINITY, reads: 0 };
    widen(cluster, source);
    byValue.set(source.value, cluster);
  }
  for (const { source } of model.ops) {
    if (source.kind !== 'read') continue;
    const cluster = byValue.get(source.value);
    if (!cluster) return undefined; // a phantom
    cluster.reads++;
    widen(cluster, source);
  }
  return [...byValue.values()];
}

/** `k1 must hold "a" from 20 ms (when read r1 completed) to 30 ms (when read r3 was sent)`. */
function holding(key: string, c: Cluster): string {
  const from = c.fOp ? `${c.f} ms (when ${opName(c.fOp)} completed)` : 'the start';
  return `${key} must hold ${quote(c.value)} from ${from} to ${c.s} ms (when ${opName(c.sOp!)} was sent)`;
}

function witnessOf(...clusters: Cluster[]): Operation[] {
  const ops = clusters.flatMap((c) => [c.writer, c.fOp, c.sOp]).filter((op): op is Operation => op !== undefined);
  return [...new Set(ops)];
}

/** Undefined when linearizable; otherwise the conflicting zones, explained. Requires `model.uniqueValues`. */
export function findZoneConflict(model: KeyModel): Finding | undefined {
  for (const { source } of model.ops) {
    const writer = source.kind === 'read' && source.value !== null ? model.writerOf.get(source.value) : undefined;
    if (writer && returnOf(source) < writer.invokeMs) {
      return {
        explanation: `read ${source.id} of ${model.key} completed before write ${writer.id} of ${quote(writer.value)} was sent`,
        witness: [writer, source],
      };
    }
  }
  const clusters = clustersOf(model);
  if (!clusters) return { explanation: `a read of ${model.key} returned a value no write produced`, witness: [] };
  const forward = clusters.filter((c) => c.f < c.s).sort((a, b) => a.f - b.f);
  for (let i = 1; i < forward.length; i++) {
    const a = forward[i - 1]!;
    const b = forward[i]!;
    if (a.s > b.f) {
      return {
        explanation: `${holding(model.key, a)}, and ${holding(model.key, b)}: the two periods overlap, yet no value is written twice`,
        witness: witnessOf(a, b),
      };
    }
  }
  for (const c of clusters) {
    if (c.f < c.s || c.writer === undefined) continue;
    // The forward zone starting last before c.s (forward zones are disjoint and sorted by now).
    let low = 0;
    let high = forward.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (forward[mid]!.f < c.s) low = mid + 1;
      else high = mid;
    }
    const zone = forward[low - 1];
    if (zone && c.f < zone.s) {
      const who = c.reads > 0 ? `write ${c.writer.id} of ${quote(c.value)} and its reads` : `write ${c.writer.id} of ${quote(c.value)}`;
      return {
        explanation: `${holding(model.key, zone)}, but ${who} must take effect between ${c.s} and ${c.f} ms, inside that period`,
        witness: witnessOf(zone, c),
      };
    }
  }
  return undefined;
}
