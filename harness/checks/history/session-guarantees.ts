/**
 * Session guarantees (Terry et al. 1994, "Session Guarantees for Weakly Consistent Replicated Data")
 * checked black-box on a recorded history against the final leader's log.
 *
 * Vocabulary. A session is the operations sharing `session` (option `grouping: 'session-or-client'`
 * also groups session-less operations by client). Within a session, `a` comes before `b` when `a` got
 * its answer no later than `b` was sent (`a.completeMs ≤ b.invokeMs`): for a sequential session this is
 * its invocation order, and concurrent operations never constrain each other. The position of a write
 * is where its (key, value) sits in the final log (LSN order); a read *observes* the write whose value it
 * returned (null: the initial state, before every write). Reads without an answer are ignored.
 *
 * Definitions (w: write, r: read, pos: log position; "session read" = a read in one of `sessionModes`,
 * default Leader and SessionConsistent, the modes that promise session guarantees):
 * - read-your-writes: for a session read r of key k and every acknowledged write w of the same session
 *   to k before it, pos(observed(r)) ≥ pos(w).
 * - monotonic-reads: for a session read r2 of key k and every read r1 of k before it in the session (any
 *   mode: every read naming a session raises its token), pos(observed(r2)) ≥ pos(observed(r1)).
 * - monotonic-writes: for a write w2 and every acknowledged write w1 before it in the session (any keys),
 *   pos(w1) < pos(w2).
 * - writes-follow-reads: for a write w and every read r before it in the session (any keys),
 *   pos(w) > pos(observed(r)).
 * - consistent-prefix, two definitions (a read is reported at most once):
 *   (a) per read, by served LSN (every read, any mode, in a session or not, when `servedLsn` is present
 *       and `useServedLsn` is on): a node at applied LSN L holds exactly the log's first entries up to
 *       L, so the read must return the value of the last write to its key with LSN ≤ L (null if none).
 *       This is the strongest checkable form of "the state is a prefix of the leader's log".
 *   (b) across a session's reads, from observed values only (the fallback when there is no served LSN;
 *       it needs none, so it also applies to session reads that have one and pass (a)): the prefix a
 *       read saw lies between the write it observed and the next write to its key. If an earlier read
 *       in the session (any mode, other key) observed w_j, a later session read must not miss a write
 *       w_i with pos(w_i) < pos(w_j): it violates (b) when the first write to its key after the one it
 *       observed precedes w_j in the log. Equivalently, the session's reads can be assigned
 *       non-decreasing prefixes of the log (store README §9: "a client sees a write without a write
 *       that preceded it in the log, by reading different keys from differently lagging nodes").
 * - phantom: a read returned a value that no write to its key which may have applied (acknowledged or
 *   unknown) ever wrote; a value written only by a failed write (`ok: false`) is a phantom too.
 *
 * Unknown outcomes never cause a false violation: an unknown write never sets a requirement (it is
 * never the earlier operation of read-your-writes or monotonic-writes), reading its value is fine, and
 * a write or read whose value is missing from the final log (an unknown write the log does not hold, or
 * one a failover discarded) is left out of every ordering comparison. Acknowledged writes missing from
 * the log are a durability failure checked elsewhere; they are left out here too.
 *
 * Caveat for (a): after a failover with divergence, a node may have served at an LSN that the final
 * log reuses for a different entry. For such runs pass `useServedLsn: false` ((b) remains).
 */
import type { History, Log, Operation, ReadMode } from './history.ts';
import { READ_MODES, isAnsweredRead, validateHistory } from './history.ts';
import { SessionBounds } from './session-bounds.ts';
import { buildSessionContext, type SessionGrouping } from './session-context.ts';
import * as rules from './session-rules.ts';
import { GUARANTEES, type Guarantee, type Violation } from './violation.ts';

export type { Guarantee, Violation } from './violation.ts';

/** Options of {@link checkSessionGuarantees}. */
export interface SessionCheckOptions {
  /** Which guarantees to check (default: all of {@link GUARANTEES}). */
  guarantees?: readonly Guarantee[];
  /** Read modes held to the session guarantees as the later read (default: Leader, SessionConsistent). */
  sessionModes?: readonly ReadMode[];
  /** Check consistent prefix definition (a) with `servedLsn` (default true); (b) is always checked. */
  useServedLsn?: boolean;
  /** `'session'` (default): only ops with a `session`; `'session-or-client'`: session-less ops grouped by client. */
  grouping?: SessionGrouping;
}

/** The verdict: `ok` exactly when there is no violation. */
export interface SessionCheckResult {
  ok: boolean;
  /** Ordered by the later operation's invocation time, then by guarantee. */
  violations: Violation[];
}

/** Modes that promise session guarantees in the store contract (conformance/store/README.md §9). */
export const SESSION_MODES: readonly ReadMode[] = ['Leader', 'SessionConsistent'];

/**
 * Checks the session guarantees of `history` against the final leader's `log` (see the module comment
 * for the exact definitions). Pure; throws only on a malformed history (`HISTORY_INVALID`).
 */
export function checkSessionGuarantees(history: History, log: Log, options: SessionCheckOptions = {}): SessionCheckResult {
  validateHistory(history);
  const wanted = new Set(options.guarantees ?? GUARANTEES);
  const useServedLsn = options.useServedLsn ?? true;
  const context = buildSessionContext(history, log, options.sessionModes ?? SESSION_MODES, options.grouping ?? 'session');
  const found: Violation[] = [];
  const add = (violation: Violation | undefined): void => {
    if (violation && wanted.has(violation.guarantee)) found.push(violation);
  };

  const prefixBroken = new Set<Operation>();
  for (const read of context.reads) {
    add(rules.phantom(context, read));
    if (!useServedLsn || !wanted.has('consistent-prefix')) continue;
    const violation = rules.servedPrefix(context, read);
    if (violation) prefixBroken.add(read);
    add(violation);
  }

  for (const ops of context.sessions.values()) {
    const bounds = new SessionBounds(context);
    ops.forEach((later, index) => {
      if (later.kind === 'write') {
        if (wanted.has('monotonic-writes') && bounds.mayBreakMonotonicWrites(later)) add(rules.monotonicWrites(context, later, ops, index));
        if (wanted.has('writes-follow-reads') && bounds.mayBreakWritesFollowReads(later))
          add(rules.writesFollowReads(context, later, ops, index));
      } else if (isAnsweredRead(later) && context.sessionModes.has(later.mode)) {
        if (wanted.has('read-your-writes') && bounds.mayBreakReadYourWrites(later)) add(rules.readYourWrites(context, later, ops, index));
        if (wanted.has('monotonic-reads') && bounds.mayBreakMonotonicReads(later)) add(rules.monotonicReads(context, later, ops, index));
        if (wanted.has('consistent-prefix') && !prefixBroken.has(later) && bounds.mayBreakSessionPrefix(later)) {
          add(rules.sessionPrefix(context, later, ops, index));
        }
      }
      bounds.add(later);
    });
  }

  const order = (op: Operation): number => op.invokeMs;
  found.sort((a, b) => order(a.later) - order(b.later) || GUARANTEES.indexOf(a.guarantee) - GUARANTEES.indexOf(b.guarantee));
  return { ok: found.length === 0, violations: found };
}

/**
 * The same checks with every read mode held to the session guarantees and session-less operations
 * grouped by client: what a client *could* observe. Use it to demonstrate that a weak mode shows an
 * anomaly, e.g. `findAnomalies(h, log).violations.find((v) => v.later.kind === 'read' &&
 * v.later.mode === 'AnyFollower' && v.guarantee === 'read-your-writes')` → "AnyFollower showed a
 * read-after-write anomaly: " + its explanation.
 */
export function findAnomalies(
  history: History,
  log: Log,
  options: Omit<SessionCheckOptions, 'sessionModes' | 'grouping'> = {},
): SessionCheckResult {
  return checkSessionGuarantees(history, log, { ...options, sessionModes: READ_MODES, grouping: 'session-or-client' });
}
