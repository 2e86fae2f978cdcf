import { atLsn, describeRead, describeWrite, quote } from './describe.ts';
import type { AnsweredRead, Operation, WriteOp } from './history.ts';
import { isAcknowledged, isAnsweredRead, precedes } from './history.ts';
import type { LogSpan } from './log-index.ts';
import { writerOf, type SessionContext } from './session-context.ts';
import type { Violation } from './violation.ts';

/**
 * One function per guarantee. Each takes the later operation and the session's operations before it
 * (`session[0, end)`, in invocation order) and returns the violation with the latest violating earlier
 * operation, or undefined. Internal to the session checker; definitions are documented in
 * session-guarantees.ts.
 */

type Rule<T extends Operation> = (context: SessionContext, later: T, session: readonly Operation[], end: number) => Violation | undefined;

/** `returned "v3" (LSN 33)` / `returned null (nothing written yet)`. */
function returned(context: SessionContext, read: AnsweredRead): string {
  if (read.value === null) return 'returned null (nothing written yet)';
  const span = context.readSpan.get(read);
  return `returned ${quote(read.value)}${atLsn(span && context.log.lsnAt(span.lo))}`;
}

function lsnOf(context: SessionContext, span: LogSpan | undefined): number | undefined {
  return span && context.log.lsnAt(span.lo);
}

/** Walks `session[0, end)` from the latest operation back and returns the first one `test` accepts. */
function latest<T extends Operation>(session: readonly Operation[], end: number, test: (op: Operation) => op is T): T | undefined {
  for (let i = end - 1; i >= 0; i--) {
    const op = session[i]!;
    if (test(op)) return op;
  }
  return undefined;
}

export const readYourWrites: Rule<AnsweredRead> = (context, read, session, end) => {
  const seen = context.readSpan.get(read);
  if (!seen) return undefined;
  const write = latest(session, end, (op): op is WriteOp => {
    if (op.kind !== 'write' || op.key !== read.key || !isAcknowledged(op) || !precedes(op, read)) return false;
    const span = context.writeSpan.get(op);
    return span !== undefined && seen.hi < span.lo;
  });
  if (!write) return undefined;
  return {
    guarantee: 'read-your-writes',
    session: context.sessionOf.get(read),
    key: read.key,
    earlier: write,
    later: read,
    explanation:
      `${describeRead(read)} ${returned(context, read)} for key ${read.key}, but the same session wrote ` +
      `${quote(write.value)}${atLsn(lsnOf(context, context.writeSpan.get(write)))} in ${write.id} before it: read-your-writes violated`,
  };
};

export const monotonicReads: Rule<AnsweredRead> = (context, read, session, end) => {
  const seen = context.readSpan.get(read);
  if (!seen) return undefined;
  const earlier = latest(session, end, (op): op is AnsweredRead => {
    if (!isAnsweredRead(op) || op.key !== read.key || !precedes(op, read)) return false;
    const span = context.readSpan.get(op);
    return span !== undefined && seen.hi < span.lo;
  });
  if (!earlier) return undefined;
  return {
    guarantee: 'monotonic-reads',
    session: context.sessionOf.get(read),
    key: read.key,
    earlier,
    later: read,
    explanation:
      `${describeRead(read)} ${returned(context, read)} for key ${read.key}, but the same session's earlier ` +
      `${describeRead(earlier)} had already ${returned(context, earlier)}: monotonic reads violated`,
  };
};

/** Session-order consistent prefix, from observed values only. */
export const sessionPrefix: Rule<AnsweredRead> = (context, read, session, end) => {
  const seen = context.readSpan.get(read);
  if (!seen) return undefined;
  const missed = context.log.nextAfter(read.key, seen.hi);
  if (missed === undefined) return undefined;
  const earlier = latest(session, end, (op): op is AnsweredRead => {
    if (!isAnsweredRead(op) || op.key === read.key || !precedes(op, read)) return false;
    const span = context.readSpan.get(op);
    return span !== undefined && span.lo > missed;
  });
  if (!earlier) return undefined;
  const missedEntry = context.log.entryAt(missed)!;
  return {
    guarantee: 'consistent-prefix',
    session: context.sessionOf.get(read),
    key: read.key,
    earlier,
    later: read,
    explanation:
      `${describeRead(read)} ${returned(context, read)} for key ${read.key}, missing the write of ` +
      `${quote(missedEntry.value)} (LSN ${missedEntry.lsn}), although the same session's earlier ${describeRead(earlier)} ` +
      `had already ${returned(context, earlier)} for key ${earlier.key}, which comes later in the log: consistent prefix violated`,
  };
};

export const monotonicWrites: Rule<WriteOp> = (context, write, session, end) => {
  const span = context.writeSpan.get(write);
  if (!span) return undefined;
  const earlier = latest(session, end, (op): op is WriteOp => {
    if (op.kind !== 'write' || !isAcknowledged(op) || !precedes(op, write)) return false;
    const earlierSpan = context.writeSpan.get(op);
    return earlierSpan !== undefined && earlierSpan.lo > span.hi;
  });
  if (!earlier) return undefined;
  return {
    guarantee: 'monotonic-writes',
    session: context.sessionOf.get(write),
    key: write.key,
    earlier,
    later: write,
    explanation:
      `${describeWrite(write)} to ${write.key} is at LSN ${lsnOf(context, span)} in the log, before the same session's earlier ` +
      `${describeWrite(earlier)} to ${earlier.key} (LSN ${lsnOf(context, context.writeSpan.get(earlier))}), which was acknowledged ` +
      `before ${write.id} was sent: monotonic writes violated`,
  };
};

export const writesFollowReads: Rule<WriteOp> = (context, write, session, end) => {
  const span = context.writeSpan.get(write);
  if (!span) return undefined;
  const read = latest(session, end, (op): op is AnsweredRead => {
    if (!isAnsweredRead(op) || !precedes(op, write)) return false;
    const seen = context.readSpan.get(op);
    return seen !== undefined && seen.lo >= span.hi;
  });
  if (!read) return undefined;
  return {
    guarantee: 'writes-follow-reads',
    session: context.sessionOf.get(write),
    key: write.key,
    earlier: read,
    later: write,
    explanation:
      `${describeWrite(write)} to ${write.key} is at LSN ${lsnOf(context, span)} in the log, but the same session's earlier ` +
      `${describeRead(read)} had already ${returned(context, read)} for key ${read.key} before ${write.id} was sent: ` +
      `writes-follow-reads violated`,
  };
};

/** A read whose value no write that may have applied ever wrote to its key. */
export function phantom(context: SessionContext, read: AnsweredRead): Violation | undefined {
  if (!context.phantoms.has(read)) return undefined;
  const failed = writerOf(context, read.key, read.value);
  const why = failed
    ? `written only by ${failed.id}, which was reported failed (nothing applied)`
    : `a value no write ever wrote to ${read.key}`;
  return {
    guarantee: 'phantom',
    session: context.sessionOf.get(read),
    key: read.key,
    earlier: failed,
    later: read,
    explanation: `${describeRead(read)} returned ${quote(read.value)} for key ${read.key}, ${why}: phantom value`,
  };
}

/**
 * Per-read consistent prefix with a served LSN L: the read must return exactly the value of the
 * log's last write to its key with LSN ≤ L (null when there is none).
 */
export function servedPrefix(context: SessionContext, read: AnsweredRead): Violation | undefined {
  const served = read.servedLsn;
  if (served === undefined || context.phantoms.has(read)) return undefined;
  const expected = context.log.lastAtOrBelow(read.key, served);
  const expectedEntry = expected === undefined ? undefined : context.log.entryAt(expected);
  const expectedValue = expectedEntry?.value ?? null;
  if (read.value === expectedValue) return undefined;
  const seen = context.readSpan.get(read);
  // The value is not in the final log (a write discarded by a failover): this log cannot judge the read.
  if (!seen) return undefined;
  const seenLsn = context.log.lsnAt(seen.lo);
  const base = { guarantee: 'consistent-prefix' as const, session: context.sessionOf.get(read), key: read.key, later: read };
  if (seenLsn !== undefined && seenLsn > served) {
    return {
      ...base,
      earlier: writerOf(context, read.key, read.value),
      explanation:
        `${describeRead(read)} ${returned(context, read)} for key ${read.key}, a write beyond the LSN ${served} it was served at: ` +
        `its state is not a prefix of the log: consistent prefix violated`,
    };
  }
  const missing = expectedEntry
    ? `the log's last write to ${read.key} at or below LSN ${served} is ${quote(expectedEntry.value)} (LSN ${expectedEntry.lsn})`
    : `the log has no write to ${read.key} at or below LSN ${served}`;
  return {
    ...base,
    earlier: expectedEntry ? writerOf(context, read.key, expectedEntry.value) : undefined,
    explanation: `${describeRead(read)} ${returned(context, read)} for key ${read.key}, but ${missing}: consistent prefix violated`,
  };
}
