import { QuorumTracker } from './quorum.ts';
import type { Entry, ReplicaLog } from './replica-log.ts';

/**
 * The leader's write path without I/O: assign the next LSN, append, and advance the commit LSN as sync
 * followers acknowledge. Shipping, timers and waiting live in the adapters.
 */
export class LeaderCore {
  readonly log: ReplicaLog;
  readonly id: string;
  readonly term: number;
  readonly tracker: QuorumTracker;
  #commit = 0;

  constructor(log: ReplicaLog, id: string, term: number, sync: readonly string[], k: number) {
    this.log = log;
    this.id = id;
    this.term = term;
    this.tracker = new QuorumTracker(sync, k);
    this.#advance();
  }

  /** Highest LSN acknowledged under this leader's rule (never decreases). */
  get commitLsn(): number {
    return this.#commit;
  }

  append(key: string, value: string): Entry {
    const entry: Entry = { lsn: this.log.end + 1, key, value, term: this.term, by: this.id };
    this.log.append(entry);
    this.#advance();
    return entry;
  }

  /** A follower reports its applied LSN. Returns true when the commit LSN moved. */
  ack(from: string, lsn: number): boolean {
    this.tracker.record(from, Math.min(lsn, this.log.end));
    return this.#advance();
  }

  /** A follower (re)subscribed and agrees with us up to `common`. */
  subscribed(from: string, common: number): boolean {
    this.tracker.record(from, common, 'set');
    return this.#advance();
  }

  configure(sync: readonly string[], k: number): boolean {
    this.tracker.configure(sync, k);
    return this.#advance();
  }

  #advance(): boolean {
    const candidate = Math.min(this.log.end, this.tracker.quorumLsn());
    if (candidate <= this.#commit) return false;
    this.#commit = candidate;
    return true;
  }
}
