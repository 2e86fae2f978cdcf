import { KitError } from '../../common/errors.ts';

/**
 * The history model shared by the history checkers: what the kit recorded while it talked to a
 * replicated key-value store, with kit-side real-time bounds (monotonic milliseconds).
 *
 * An operation's effect happened somewhere inside `[invokeMs, completeMs]`. When no answer came back
 * (`completeMs` undefined) the outcome is unknown: a write may or may not have taken effect (now or
 * later), and a read with no answer carries no information and is dropped by every checker.
 */

/** The router's read modes (conformance/store/README.md §4 and §9): one definition, the store's wire client's. */
export { READ_MODES, type ReadMode } from '../../wire/store-http.ts';
import type { ReadMode } from '../../wire/store-http.ts';

/**
 * A write of `value` to `key`. The kit writes distinct values per key, so a value names its write.
 *
 * `ok`: `true` acknowledged (200); `false` definitely not applied (a 4xx: "nothing was applied");
 * `'unknown'` no answer, 503, or cut off by a crash: it may appear in the log now, later or never.
 * A write with no `completeMs` is treated as unknown whatever `ok` says.
 */
export interface WriteOp {
  kind: 'write';
  id: string;
  client: string;
  session?: string;
  key: string;
  value: string;
  invokeMs: number;
  completeMs?: number;
  ok: true | false | 'unknown';
  /** The LSN the leader answered with (acknowledged writes). Informative: the checkers order writes by the log. */
  lsn?: number;
}

/** A read of `key` in a given mode, and what came back. */
export interface ReadOp {
  kind: 'read';
  id: string;
  client: string;
  session?: string;
  key: string;
  mode: ReadMode;
  /** The value returned; `null` means "never written" (the initial value). */
  value: string | null;
  /** Data node that produced the answer. */
  servedBy?: string;
  /** The serving node's applied LSN at the instant it read the value (the answer's `lsn`). */
  servedLsn?: number;
  invokeMs: number;
  /** Undefined when no answer came back: such a read is ignored by every checker. */
  completeMs?: number;
}

/** One recorded operation. */
export type Operation = WriteOp | ReadOp;

/** Everything the kit recorded, in any order (checkers sort by time themselves). */
export type History = readonly Operation[];

/** One entry of the (final) leader's log: `/dump` entries. */
export interface LogEntry {
  lsn: number;
  key: string;
  value: string;
}

/** The final leader's log; its LSN order is the total order of writes. */
export type Log = readonly LogEntry[];

/** A read that got an answer. */
export type AnsweredRead = ReadOp & { completeMs: number };

/** True for a read that got an answer (the only reads the checkers look at). */
export function isAnsweredRead(op: Operation): op is AnsweredRead {
  return op.kind === 'read' && op.completeMs !== undefined;
}

/** True for a write known to have been applied: acknowledged, with an answer time. */
export function isAcknowledged(op: WriteOp): op is WriteOp & { completeMs: number; ok: true } {
  return op.ok === true && op.completeMs !== undefined;
}

/** True for a write that may have been applied (acknowledged or unknown): only `ok: false` is excluded. */
export function mayHaveApplied(op: WriteOp): boolean {
  return op.ok !== false;
}

/** Real-time precedence: `a` got its answer no later than `b` was sent (ties count as "before"). */
export function precedes(a: Operation, b: Operation): boolean {
  return a.completeMs !== undefined && a.completeMs <= b.invokeMs;
}

/**
 * Rejects histories the kit itself recorded wrongly (these are harness bugs, not candidate bugs):
 * duplicate ids, non-finite times, answers before requests.
 * @throws KitError `HISTORY_INVALID`
 */
export function validateHistory(history: History): void {
  const ids = new Set<string>();
  for (const op of history) {
    if (ids.has(op.id)) throw new KitError('HISTORY_INVALID', `operation id ${op.id} appears twice in the history`, { id: op.id });
    ids.add(op.id);
    if (!Number.isFinite(op.invokeMs)) throw new KitError('HISTORY_INVALID', `operation ${op.id} has a non-finite invokeMs`, { id: op.id });
    if (op.completeMs !== undefined && !(Number.isFinite(op.completeMs) && op.completeMs >= op.invokeMs)) {
      throw new KitError('HISTORY_INVALID', `operation ${op.id} completes (${op.completeMs}) before it is invoked (${op.invokeMs})`, {
        id: op.id,
      });
    }
  }
}

/** Groups operations by key, keeping the history's order within each key and keys in order of first appearance. */
export function groupByKey<T extends Operation>(ops: readonly T[]): Map<string, T[]> {
  const byKey = new Map<string, T[]>();
  for (const op of ops) {
    const list = byKey.get(op.key);
    if (list) list.push(op);
    else byKey.set(op.key, [op]);
  }
  return byKey;
}
