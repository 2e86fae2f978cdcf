import type { Operation, ReadOp, WriteOp } from './history.ts';

/**
 * Wording shared by the checkers' explanations, so every sentence a student reads names operations
 * the same way: `read r17 (AnyFollower, served by n2 at LSN 40)`, `"v3"`, `[120, 125] ms`. "via" is never used
 * here: in the kit's evidence it means the node the request NAMED (the `via` parameter sent), while these
 * sentences name the node that ANSWERED.
 */

const MAX_VALUE_CHARS = 40;

/** A value as quoted in explanations (long values are shortened); `null` is the initial value. */
export function quote(value: string | null): string {
  if (value === null) return 'null';
  const shown = value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  return JSON.stringify(shown);
}

/** `read r17 (AnyFollower, served by n2 at LSN 40)`. */
export function describeRead(read: ReadOp): string {
  const by = read.servedBy === undefined ? '' : ` by ${read.servedBy}`;
  const served =
    read.servedBy === undefined && read.servedLsn === undefined
      ? ''
      : `, served${by}${read.servedLsn === undefined ? '' : ` at LSN ${read.servedLsn}`}`;
  return `read ${read.id} (${read.mode}${served})`;
}

/** `write w12 of "v5"`. */
export function describeWrite(write: WriteOp): string {
  return `write ${write.id} of ${quote(write.value)}`;
}

/** `read r9` / `write w7`. */
export function opName(op: Operation): string {
  return `${op.kind} ${op.id}`;
}

/** `[120, 125] ms`, or `[120 ms, no answer]`. */
export function interval(op: Operation): string {
  return op.completeMs === undefined ? `[${op.invokeMs} ms, no answer]` : `[${op.invokeMs}, ${op.completeMs}] ms`;
}

/** ` (LSN 52)`, or nothing when the position is unknown. */
export function atLsn(lsn: number | undefined): string {
  return lsn === undefined ? '' : ` (LSN ${lsn})`;
}
