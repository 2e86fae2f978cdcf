/** Writes waiting for their LSN to be acknowledged, released in LSN order. */
export class CommitWaiters<T> {
  readonly #queue: Array<{ lsn: number; item: T }> = [];

  get size(): number {
    return this.#queue.length;
  }

  add(lsn: number, item: T): void {
    // LSNs are appended in increasing order on the leader, so the queue stays sorted.
    const last = this.#queue.at(-1);
    if (last && last.lsn > lsn) throw new RangeError(`waiter for ${lsn} added after ${last.lsn}`);
    this.#queue.push({ lsn, item });
  }

  remove(item: T): boolean {
    const index = this.#queue.findIndex((w) => w.item === item);
    if (index < 0) return false;
    this.#queue.splice(index, 1);
    return true;
  }

  /** Removes and returns every waiter with LSN ≤ `commit`. */
  release(commit: number): T[] {
    let n = 0;
    while (n < this.#queue.length && (this.#queue[n]?.lsn ?? Number.POSITIVE_INFINITY) <= commit) n++;
    return this.#queue.splice(0, n).map((w) => w.item);
  }

  /** Removes and returns every waiter (demotion, shutdown). */
  drain(): T[] {
    return this.#queue.splice(0).map((w) => w.item);
  }
}
