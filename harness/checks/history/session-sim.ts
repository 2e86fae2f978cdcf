import fc from 'fast-check';
import type { LogEntry, Operation, ReadOp, WriteOp } from './history.ts';

/**
 * A simulated replicated store for property tests of the session checker: one log, writes appended
 * in order, reads served by a node at some applied LSN L and returning the key's value at L.
 *
 * Correct mode: session reads are served at L ≥ the session token (its acknowledged writes and the LSNs
 * its earlier reads were served at), Leader reads at the log's end, session-less AnyFollower reads
 * anywhere. Faulty mode: every read is served at an arbitrary L. Unknown writes are applied a few steps
 * late or never, and never raise the token. Operations run one at a time, 10 ms apart.
 */

export interface SessionStep {
  /** 0..sessions-1: a session; `sessions`: a session-less AnyFollower client. */
  actor: number;
  isWrite: boolean;
  key: number;
  /** Chooses the served position (reads) or the delay of an unknown write, in [0, 1). */
  lag: number;
  writeOutcome: 'ok' | 'unknown-applied' | 'unknown-lost';
  hideLsn: boolean;
  leaderRead: boolean;
}

export interface SimulatedRun {
  history: Operation[];
  log: LogEntry[];
}

export const SIM_SESSIONS = 3;
const KEYS = 3;

/** Steps over `keys` keys (at most 3). */
export function arbSessionSteps(maxSteps: number, minSteps = 1, keys = KEYS): fc.Arbitrary<SessionStep[]> {
  return fc.array(
    fc.record({
      actor: fc.integer({ min: 0, max: SIM_SESSIONS }),
      isWrite: fc.boolean(),
      key: fc.integer({ min: 0, max: Math.min(keys, KEYS) - 1 }),
      lag: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      writeOutcome: fc.oneof(
        { weight: 6, arbitrary: fc.constant<'ok'>('ok') },
        { weight: 1, arbitrary: fc.constantFrom<'unknown-applied' | 'unknown-lost'>('unknown-applied', 'unknown-lost') },
      ),
      hideLsn: fc.boolean(),
      leaderRead: fc.boolean(),
    }),
    { minLength: minSteps, maxLength: maxSteps },
  );
}

/** Value of `key` in the state made of the log's entries with LSN ≤ `lsn`. */
export function valueAt(log: readonly LogEntry[], key: string, lsn: number): string | null {
  let value: string | null = null;
  for (const entry of log) if (entry.lsn <= lsn && entry.key === key) value = entry.value;
  return value;
}

export function simulateSessions(steps: readonly SessionStep[], mode: 'correct' | 'faulty' = 'correct'): SimulatedRun {
  const log: LogEntry[] = [];
  const history: Operation[] = [];
  const token = new Array<number>(SIM_SESSIONS).fill(0);
  const pending: { due: number; write: WriteOp }[] = [];
  const append = (write: WriteOp): number => {
    const lsn = log.length + 1;
    log.push({ lsn, key: write.key, value: write.value });
    return lsn;
  };

  steps.forEach((step, i) => {
    for (const p of pending.filter((p) => p.due <= i)) append(p.write);
    pending.splice(0, pending.length, ...pending.filter((p) => p.due > i));

    const inSession = step.actor < SIM_SESSIONS;
    const base = { id: '', client: inSession ? `c${step.actor}` : 'c-any', key: `k${step.key}`, invokeMs: 10 * i };
    const session = inSession ? { session: `s${step.actor}` } : {};
    if (step.isWrite) {
      const write: WriteOp = { ...base, ...session, id: `w${i}`, kind: 'write', value: `v${i}`, ok: true, completeMs: 10 * i + 5 };
      if (step.writeOutcome === 'ok') {
        write.lsn = append(write);
        if (inSession) token[step.actor] = Math.max(token[step.actor]!, write.lsn);
      } else {
        write.ok = 'unknown';
        delete write.completeMs;
        if (step.writeOutcome === 'unknown-applied') pending.push({ due: i + Math.floor(step.lag * 4), write });
      }
      history.push(write);
      return;
    }
    const end = log.length;
    const floor = mode === 'correct' && inSession ? token[step.actor]! : 0;
    const leader = inSession && step.leaderRead;
    const served = leader && mode === 'correct' ? end : floor + Math.floor(step.lag * (end - floor + 1));
    const read: ReadOp = {
      ...base,
      ...session,
      id: `r${i}`,
      kind: 'read',
      mode: inSession ? (leader ? 'Leader' : 'SessionConsistent') : 'AnyFollower',
      value: valueAt(log, base.key, served),
      servedBy: served === end ? 'n0' : 'n2',
      completeMs: 10 * i + 5,
    };
    if (!step.hideLsn) read.servedLsn = served;
    if (inSession) token[step.actor] = Math.max(token[step.actor]!, served);
    history.push(read);
  });
  return { history, log };
}
