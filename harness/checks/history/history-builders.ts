import type { LogEntry, ReadOp, WriteOp } from './history.ts';

/**
 * Terse constructors for hand-written histories (tests and examples). Defaults: client `c1`,
 * acknowledged when `completeMs` is given and unknown otherwise, reads in Leader mode.
 */

/** A write; `ok` defaults to true with an answer, `'unknown'` without. */
export function w(id: string, key: string, value: string, invokeMs: number, completeMs?: number, extra: Partial<WriteOp> = {}): WriteOp {
  const op: WriteOp = { kind: 'write', id, client: 'c1', key, value, invokeMs, ok: completeMs === undefined ? 'unknown' : true, ...extra };
  if (completeMs !== undefined) op.completeMs = completeMs;
  return op;
}

/** An answered read. */
export function r(
  id: string,
  key: string,
  value: string | null,
  invokeMs: number,
  completeMs: number,
  extra: Partial<ReadOp> = {},
): ReadOp {
  return { kind: 'read', id, client: 'c1', key, mode: 'Leader', value, invokeMs, completeMs, ...extra };
}

/** A log from `[key, value]` pairs, LSNs 1, 2, 3… */
export function logOf(...entries: [string, string][]): LogEntry[] {
  return entries.map(([key, value], index) => ({ lsn: index + 1, key, value }));
}
