import type { AnsweredRead, Operation, WriteOp } from './history.ts';
import { isAcknowledged, isAnsweredRead } from './history.ts';

/**
 * One key's operations prepared for the linearizability search: a read/write register, initial value
 * null, values interned to small integers (0 is null). Internal to the linearizability checker.
 *
 * Treatment of outcomes (Knossos/Porcupine):
 * - an acknowledged write takes effect inside `[invokeMs, completeMs]`;
 * - an unknown write (no answer, or `ok: 'unknown'`) takes effect at some point after `invokeMs`, or
 *   never: its return is +∞, and since a write linearized after everything else is invisible, "never"
 *   needs no special case. Unknown writes whose value no read returned are dropped (placing one
 *   anywhere but last can only hurt);
 * - a failed write (`ok: false`) never took effect: it is left out (reading its value is a violation);
 * - a read without an answer is left out.
 *
 * When every write value is unique (the kit's convention), a write's return is also capped by the
 * earliest answer of a read returning its value: the write must take effect before that read does.
 */
export interface LinOp {
  source: Operation;
  isWrite: boolean;
  /** Interned value (0 = null). */
  value: number;
  call: number;
  /** Latest time the op can take effect (+∞ for unknown writes). */
  ret: number;
}

export interface KeyModel {
  key: string;
  ops: LinOp[];
  /** Interned value → value. */
  values: (string | null)[];
  /** Answered reads, by invocation time. */
  reads: AnsweredRead[];
  /** Writes that may have taken effect (acknowledged or unknown), by invocation time. */
  writes: WriteOp[];
  /** Writes reported failed. */
  failed: WriteOp[];
  /** True when no two writes (failed ones included) share a value: the patterns rely on it. */
  uniqueValues: boolean;
  /** The write of each value, when values are unique. */
  writerOf: Map<string, WriteOp>;
}

const byInvoke = (a: Operation, b: Operation): number => a.invokeMs - b.invokeMs;

export function buildKeyModel(key: string, ops: readonly Operation[]): KeyModel {
  const reads = ops.filter(isAnsweredRead).sort(byInvoke);
  const allWrites = ops.filter((op): op is WriteOp => op.kind === 'write').sort(byInvoke);
  const writes = allWrites.filter((w) => w.ok !== false);
  const failed = allWrites.filter((w) => w.ok === false);

  const writerOf = new Map<string, WriteOp>();
  let uniqueValues = true;
  for (const w of allWrites) {
    if (writerOf.has(w.value)) uniqueValues = false;
    else writerOf.set(w.value, w);
  }

  const firstReadAnswer = new Map<string | null, number>();
  for (const r of reads) {
    const seen = firstReadAnswer.get(r.value);
    if (seen === undefined || r.completeMs < seen) firstReadAnswer.set(r.value, r.completeMs);
  }

  const values: (string | null)[] = [null];
  const interned = new Map<string | null, number>([[null, 0]]);
  const intern = (value: string | null): number => {
    let id = interned.get(value);
    if (id === undefined) {
      id = values.length;
      values.push(value);
      interned.set(value, id);
    }
    return id;
  };

  const model: LinOp[] = [];
  for (const w of writes) {
    const readBy = firstReadAnswer.get(w.value);
    if (!isAcknowledged(w) && readBy === undefined) continue;
    let ret = isAcknowledged(w) ? w.completeMs : Number.POSITIVE_INFINITY;
    if (uniqueValues && readBy !== undefined) ret = Math.max(w.invokeMs, Math.min(ret, readBy));
    model.push({ source: w, isWrite: true, value: intern(w.value), call: w.invokeMs, ret });
  }
  for (const r of reads) model.push({ source: r, isWrite: false, value: intern(r.value), call: r.invokeMs, ret: r.completeMs });

  return { key, ops: model, values, reads, writes, failed, uniqueValues, writerOf };
}
