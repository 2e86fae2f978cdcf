import type { AnsweredRead, Operation, WriteOp } from './history.ts';
import { isAcknowledged, isAnsweredRead } from './history.ts';
import type { SessionContext } from './session-context.ts';

/**
 * Running maxima over a session's operations so far (in invocation order), used as a cheap filter
 * before the rules scan backwards for the violating pair: when even the maximum cannot violate, no
 * earlier operation can, and the check of a correct session stays linear. The maxima ignore real-time
 * precedence (a superset of the real candidates), so the filter never hides a violation.
 * Internal to the session checker.
 */
export class SessionBounds {
  private readonly ackedWriteByKey = new Map<string, number>();
  private readonly readByKey = new Map<string, number>();
  private maxRead = Number.NEGATIVE_INFINITY;
  private maxAckedWrite = Number.NEGATIVE_INFINITY;

  constructor(private readonly context: SessionContext) {}

  /** Adds an operation once the checks of which it is the later operation are done. */
  add(op: Operation): void {
    if (op.kind === 'write') {
      const span = this.context.writeSpan.get(op);
      if (!span || !isAcknowledged(op)) return;
      this.maxAckedWrite = Math.max(this.maxAckedWrite, span.lo);
      this.ackedWriteByKey.set(op.key, Math.max(this.ackedWriteByKey.get(op.key) ?? Number.NEGATIVE_INFINITY, span.lo));
    } else if (isAnsweredRead(op)) {
      const span = this.context.readSpan.get(op);
      if (!span) return;
      this.maxRead = Math.max(this.maxRead, span.lo);
      this.readByKey.set(op.key, Math.max(this.readByKey.get(op.key) ?? Number.NEGATIVE_INFINITY, span.lo));
    }
  }

  mayBreakReadYourWrites(read: AnsweredRead): boolean {
    const seen = this.context.readSpan.get(read);
    return seen !== undefined && seen.hi < (this.ackedWriteByKey.get(read.key) ?? Number.NEGATIVE_INFINITY);
  }

  mayBreakMonotonicReads(read: AnsweredRead): boolean {
    const seen = this.context.readSpan.get(read);
    return seen !== undefined && seen.hi < (this.readByKey.get(read.key) ?? Number.NEGATIVE_INFINITY);
  }

  mayBreakSessionPrefix(read: AnsweredRead): boolean {
    const seen = this.context.readSpan.get(read);
    if (!seen) return false;
    const missed = this.context.log.nextAfter(read.key, seen.hi);
    return missed !== undefined && this.maxRead > missed;
  }

  mayBreakMonotonicWrites(write: WriteOp): boolean {
    const span = this.context.writeSpan.get(write);
    return span !== undefined && this.maxAckedWrite > span.hi;
  }

  mayBreakWritesFollowReads(write: WriteOp): boolean {
    const span = this.context.writeSpan.get(write);
    return span !== undefined && this.maxRead >= span.hi;
  }
}
