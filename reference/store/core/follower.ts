import type { Entry, ReplicaLog } from './replica-log.ts';

export type OfferOutcome = 'applied' | 'duplicate' | 'held' | 'overflow';

/**
 * Follower apply rule: strictly in LSN order, exactly once. An entry at or below the applied LSN is a
 * duplicate and ignored; one beyond the next expected LSN is held until the gap fills (or dropped with
 * `overflow` when too many are held, and the link re-subscribes from the applied LSN).
 */
export class FollowerCore {
  readonly log: ReplicaLog;
  readonly #held = new Map<number, Entry>();
  readonly #maxHeld: number;

  constructor(log: ReplicaLog, maxHeld = 65_536) {
    this.log = log;
    this.#maxHeld = maxHeld;
  }

  get applied(): number {
    return this.log.end;
  }

  get heldCount(): number {
    return this.#held.size;
  }

  offer(entry: Entry): OfferOutcome {
    if (entry.lsn <= this.applied) return 'duplicate';
    if (entry.lsn > this.applied + 1) {
      if (this.#held.has(entry.lsn)) return 'held';
      if (this.#held.size >= this.#maxHeld) return 'overflow';
      this.#held.set(entry.lsn, entry);
      return 'held';
    }
    this.log.append(entry);
    for (let next = this.#held.get(this.applied + 1); next; next = this.#held.get(this.applied + 1)) {
      this.#held.delete(next.lsn);
      this.log.append(next);
    }
    return 'applied';
  }

  /**
   * A (re)subscription established that the leader's log and ours agree up to `common`: drop anything
   * above it (entries the leader does not have: never acknowledged) and forget held entries, since the
   * new stream starts at `common + 1`. Returns how many applied entries were discarded.
   */
  resync(common: number): number {
    this.#held.clear();
    return this.log.truncate(common);
  }
}
