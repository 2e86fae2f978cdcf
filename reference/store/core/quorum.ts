/**
 * Acknowledgement tracking for the write path: a write at LSN n is acknowledged once `k` of the sync
 * followers have applied n (PostgreSQL `synchronous_standby_names = 'ANY k (...)'`). k = 1 with one sync
 * follower is the classic "one synchronous standby"; k = 0 never waits.
 */
export class QuorumTracker {
  #sync: readonly string[];
  #k: number;
  readonly #match = new Map<string, number>();

  constructor(sync: readonly string[], k: number) {
    QuorumTracker.check(sync, k);
    this.#sync = [...sync];
    this.#k = k;
  }

  static check(sync: readonly string[], k: number): void {
    if (!Number.isSafeInteger(k) || k < 0 || k > sync.length) {
      throw new RangeError(`quorum ${k} must be between 0 and the number of sync followers (${sync.length})`);
    }
  }

  get sync(): readonly string[] {
    return this.#sync;
  }

  get k(): number {
    return this.#k;
  }

  configure(sync: readonly string[], k: number): void {
    QuorumTracker.check(sync, k);
    this.#sync = [...sync];
    this.#k = k;
  }

  /** Records that `id` has applied up to `lsn`. `raise` keeps the maximum; `set` overwrites (re-subscription). */
  record(id: string, lsn: number, how: 'raise' | 'set' = 'raise'): void {
    const before = this.#match.get(id) ?? 0;
    this.#match.set(id, how === 'set' ? lsn : Math.max(before, lsn));
  }

  matchOf(id: string): number | undefined {
    return this.#match.get(id);
  }

  /** The highest LSN that k sync followers have applied (Infinity when k = 0: nothing to wait for). */
  quorumLsn(): number {
    if (this.#k === 0) return Number.POSITIVE_INFINITY;
    const matches = this.#sync.map((id) => this.#match.get(id) ?? 0).sort((a, b) => b - a);
    return matches[this.#k - 1] ?? 0;
  }
}
