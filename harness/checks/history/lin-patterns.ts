import { interval, quote } from './describe.ts';
import type { AnsweredRead, Operation, WriteOp } from './history.ts';
import { isAcknowledged } from './history.ts';
import type { KeyModel } from './lin-model.ts';

/**
 * Small, sound proofs of non-linearizability for one register, found in O(n log n) before (or
 * instead of) the search. Each names the few operations involved, so the explanation is concrete.
 * Real-time precedence here is strict (`a.completeMs < b.invokeMs`), like the search's tie rule.
 * All but the first rely on unique write values (the kit's convention) and are skipped otherwise.
 *
 * 1. phantom: a read returned a value no write that may have applied ever wrote;
 * 2. future read: a read returned a value whose only write was sent after the read completed;
 * 3. stale read: a read returned v although a write w2 completed before the read started, after v's
 *    write completed (or, for null, after any completed write);
 * 4. inversion: a read returned v after an earlier read returned a value whose write was sent after
 *    v's write completed (or after an earlier read returned anything, for null);
 * 5. ABA: reads r1 < r2 < r3 (real time) return v, u, v with u ≠ v: v would need a second write.
 * Internal to the linearizability checker.
 */
export interface Finding {
  explanation: string;
  /** The operations involved (the read that cannot be placed last). */
  witness: Operation[];
}

/** Prefix maxima over items sorted by a time: "of the items done before t, the one with the largest score". */
class BestBefore<T> {
  private readonly times: number[] = [];
  private readonly best: (T | undefined)[] = [];
  constructor(items: readonly T[], time: (item: T) => number, score: (item: T) => number) {
    const sorted = [...items].sort((a, b) => time(a) - time(b));
    let champion: T | undefined;
    for (const item of sorted) {
      if (champion === undefined || score(item) > score(champion)) champion = item;
      this.times.push(time(item));
      this.best.push(champion);
    }
  }
  /** Best item with time strictly below `t`. */
  before(t: number): T | undefined {
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.times[mid]! < t) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? undefined : this.best[low - 1];
  }
}

const at = (op: Operation): string => `at ${interval(op)}`;

export function findObviousViolation(model: KeyModel): Finding | undefined {
  const { key, reads, writerOf } = model;
  const applicable = new Set(model.writes.map((w) => w.value));
  const isPhantom = (r: AnsweredRead): boolean => r.value !== null && !applicable.has(r.value);
  const writer = (r: AnsweredRead): WriteOp | undefined => (r.value === null ? undefined : writerOf.get(r.value));
  const acked = model.writes.filter(isAcknowledged);
  const lastAcked = new BestBefore(
    acked,
    (w) => w.completeMs,
    (w) => w.completeMs,
  );
  const latestSentAcked = new BestBefore(
    acked,
    (w) => w.completeMs,
    (w) => w.invokeMs,
  );
  const sourced = reads.filter((r) => r.value !== null && !isPhantom(r));
  const newestSourceRead = new BestBefore(
    sourced,
    (r) => r.completeMs,
    (r) => writer(r)!.invokeMs,
  );

  // For ABA: per value, the earliest-answered and the latest-sent read returning it.
  const first = new Map<string | null, AnsweredRead>();
  const last = new Map<string | null, AnsweredRead>();
  for (const r of reads) {
    if (isPhantom(r)) continue;
    const f = first.get(r.value);
    if (!f || r.completeMs < f.completeMs) first.set(r.value, r);
    const l = last.get(r.value);
    if (!l || r.invokeMs > l.invokeMs) last.set(r.value, r);
  }
  const repeated = [...first].filter(([value, f]) => f.completeMs < last.get(value)!.invokeMs);

  for (const r of reads) {
    const said = `read ${r.id} of ${key} returned ${quote(r.value)} ${at(r)}`;
    if (isPhantom(r)) {
      const failed = model.failed.find((w) => w.value === r.value);
      return failed
        ? { explanation: `${said}, but the only write of ${quote(r.value)} (${failed.id}) was reported failed`, witness: [failed, r] }
        : { explanation: `${said}, but no write of ${quote(r.value)} to ${key} exists`, witness: [r] };
    }
    if (!model.uniqueValues) continue;
    const w = writer(r);
    if (w && w.invokeMs > r.completeMs) {
      return {
        explanation: `${said}, but write ${w.id} of ${quote(w.value)} was only sent at ${w.invokeMs} ms, after the read completed`,
        witness: [w, r],
      };
    }

    // 3. stale read
    if (!w) {
      const w2 = lastAcked.before(r.invokeMs);
      if (w2) {
        return {
          explanation: `${said}, but write ${w2.id} of ${quote(w2.value)} had completed at ${w2.completeMs} ms and ${key} is never reset to null`,
          witness: [w2, r],
        };
      }
    } else if (isAcknowledged(w)) {
      const w2 = latestSentAcked.before(r.invokeMs);
      if (w2 && w2.invokeMs > w.completeMs) {
        return {
          explanation:
            `${said}, but write ${w2.id} of ${quote(w2.value)} completed at ${w2.completeMs} ms, after write ${w.id} of ` +
            `${quote(w.value)} had completed at ${w.completeMs} ms, and no later write of ${quote(w.value)} exists`,
          witness: [w, w2, r],
        };
      }
    }

    // 4. inversion
    const r1 = newestSourceRead.before(r.invokeMs);
    const w1 = r1 && writer(r1);
    if (r1 && w1) {
      if (!w) {
        return {
          explanation: `${said}, but the earlier read ${r1.id} had already returned ${quote(r1.value)} ${at(r1)} and ${key} is never reset to null`,
          witness: [w1, r1, r],
        };
      }
      if (isAcknowledged(w) && w1.invokeMs > w.completeMs) {
        return {
          explanation:
            `${said}, but the earlier read ${r1.id} returned ${quote(r1.value)} ${at(r1)}, written by ${w1.id} which was sent at ` +
            `${w1.invokeMs} ms, after write ${w.id} of ${quote(w.value)} had completed at ${w.completeMs} ms: the register went back in time`,
          witness: [w, w1, r1, r],
        };
      }
    }

    // 5. ABA, with r as the middle read
    for (const [value, before] of repeated) {
      if (value === r.value || !(before.completeMs < r.invokeMs)) continue;
      const after = last.get(value)!;
      if (!(after.invokeMs > r.completeMs)) continue;
      const wv = value === null ? undefined : writerOf.get(value);
      const once = wv ? `${quote(value)} is written only once (${wv.id})` : `${key} is never reset to null`;
      return {
        explanation:
          `read ${after.id} of ${key} returned ${quote(value)} ${at(after)}, but the earlier read ${r.id} returned ${quote(r.value)} ` +
          `${at(r)} after read ${before.id} had returned ${quote(value)} ${at(before)}, and ${once}`,
        witness: [...(wv ? [wv] : []), ...(w ? [w] : []), before, r, after],
      };
    }
  }
  return undefined;
}
