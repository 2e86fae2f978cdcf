import type { AnsweredRead, History, Log, Operation, ReadMode, WriteOp } from './history.ts';
import { isAnsweredRead, mayHaveApplied } from './history.ts';
import { LogIndex, type LogSpan } from './log-index.ts';

/**
 * What the session checker knows about every operation before it looks at pairs: where each write
 * sits in the final log, what each read observed, which reads are phantoms, and the session groups.
 * Internal to the session checker.
 */
export interface SessionContext {
  log: LogIndex;
  /** Log span of each write that reached the final log (absent: not in the log, hence unordered). */
  writeSpan: Map<WriteOp, LogSpan>;
  /** Log span of the write each read observed (absent: phantom, or a write missing from the final log). */
  readSpan: Map<AnsweredRead, LogSpan>;
  /** Reads whose value no applicable write produced. */
  phantoms: Set<AnsweredRead>;
  /** Every answered read, in invocation order. */
  reads: AnsweredRead[];
  /** Session label → its operations (answered reads and all writes), in invocation order. */
  sessions: Map<string, Operation[]>;
  /** Label of the session an operation belongs to. */
  sessionOf: Map<Operation, string>;
  /** Writes per key and value, in history order. */
  writers: Map<string, Map<string, WriteOp[]>>;
  sessionModes: ReadonlySet<ReadMode>;
}

/** How operations are grouped into sessions. */
export type SessionGrouping = 'session' | 'session-or-client';

export function buildSessionContext(
  history: History,
  log: Log,
  sessionModes: readonly ReadMode[],
  grouping: SessionGrouping,
): SessionContext {
  const index = new LogIndex(log);
  const ordered = history
    .map((op, position) => ({ op, position }))
    .sort((a, b) => a.op.invokeMs - b.op.invokeMs || a.position - b.position)
    .map(({ op }) => op);

  const writers = new Map<string, Map<string, WriteOp[]>>();
  for (const op of ordered) {
    if (op.kind !== 'write') continue;
    let values = writers.get(op.key);
    if (!values) writers.set(op.key, (values = new Map()));
    const list = values.get(op.value);
    if (list) list.push(op);
    else values.set(op.value, [op]);
  }

  const writeSpan = new Map<WriteOp, LogSpan>();
  const readSpan = new Map<AnsweredRead, LogSpan>();
  const phantoms = new Set<AnsweredRead>();
  const reads: AnsweredRead[] = [];
  const sessions = new Map<string, Operation[]>();
  const sessionOf = new Map<Operation, string>();

  for (const op of ordered) {
    if (op.kind === 'write') {
      const span = index.spanOf(op.key, op.value);
      if (span) writeSpan.set(op, span);
    } else {
      if (!isAnsweredRead(op)) continue;
      reads.push(op);
      const produced = op.value === null || (writers.get(op.key)?.get(op.value) ?? []).some(mayHaveApplied);
      if (!produced) phantoms.add(op);
      else {
        const span = index.spanOf(op.key, op.value);
        if (span) readSpan.set(op, span);
      }
    }
    const label = op.session ?? (grouping === 'session-or-client' ? `client:${op.client}` : undefined);
    if (label === undefined) continue;
    sessionOf.set(op, label);
    const list = sessions.get(label);
    if (list) list.push(op);
    else sessions.set(label, [op]);
  }

  return { log: index, writeSpan, readSpan, phantoms, reads, sessions, sessionOf, writers, sessionModes: new Set(sessionModes) };
}

/** The history's write of `value` to `key` (preferring one that may have applied), for naming it in explanations. */
export function writerOf(context: SessionContext, key: string, value: string | null): WriteOp | undefined {
  if (value === null) return undefined;
  const list = context.writers.get(key)?.get(value) ?? [];
  return list.find(mayHaveApplied) ?? list[0];
}
