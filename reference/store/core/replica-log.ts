import { type History, type TermRange, sameTerm } from './history.ts';

/** One replicated write. `term`/`by` identify the leader tenure that assigned the LSN. */
export interface Entry {
  readonly lsn: number;
  readonly key: string;
  readonly value: string;
  readonly term: number;
  readonly by: string;
}

export interface StoredValue {
  readonly value: string;
  /** LSN of the write that produced this value. */
  readonly lsn: number;
}

/**
 * A node's applied log and the key/value state it produces. LSNs are dense: entry n sits at index n − 1,
 * so `end` is both the last LSN and the applied LSN. In memory only (the brief allows it).
 */
export class ReplicaLog {
  readonly #entries: Entry[] = [];
  readonly #state = new Map<string, StoredValue>();
  readonly #history: TermRange[] = [];

  get end(): number {
    return this.#entries.length;
  }

  get history(): History {
    return this.#history;
  }

  /** Highest term number present in the log (0 when empty). */
  get maxTerm(): number {
    return this.#history.at(-1)?.term ?? 0;
  }

  append(entry: Entry): void {
    if (entry.lsn !== this.end + 1) throw new RangeError(`append out of order: lsn ${entry.lsn} after ${this.end}`);
    this.#entries.push(entry);
    this.#state.set(entry.key, { value: entry.value, lsn: entry.lsn });
    const last = this.#history.at(-1);
    if (!last || !sameTerm(last, entry)) this.#history.push({ term: entry.term, by: entry.by, start: entry.lsn });
  }

  entry(lsn: number): Entry | undefined {
    return this.#entries[lsn - 1];
  }

  read(key: string): StoredValue | undefined {
    return this.#state.get(key);
  }

  /** Entries with LSN in [from, from + max), in order. */
  slice(from: number, max: number): Entry[] {
    return this.#entries.slice(Math.max(0, from - 1), Math.max(0, from - 1 + max));
  }

  entries(): readonly Entry[] {
    return this.#entries;
  }

  /** Drops every entry above `lsn` and rebuilds the state from the remaining prefix. Returns how many went. */
  truncate(lsn: number): number {
    const keep = Math.max(0, lsn);
    const removed = this.end - keep;
    if (removed <= 0) return 0;
    this.#entries.length = keep;
    while ((this.#history.at(-1)?.start ?? 0) > keep) this.#history.pop();
    this.#state.clear();
    for (const e of this.#entries) this.#state.set(e.key, { value: e.value, lsn: e.lsn });
    return removed;
  }
}
