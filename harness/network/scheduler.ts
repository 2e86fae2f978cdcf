/** Something the scheduler runs when its time comes. Implemented by classes to avoid per-event closures. */
export interface Task {
  fire(now: number): void;
}

interface Entry {
  at: number;
  seq: number;
  task: Task;
}

/** Monotonic milliseconds (fractional). */
export const now = (): number => performance.now();

/**
 * Entries due within this many ms of "now" run in the current turn: timers have 1 ms granularity and
 * re-arming for a sub-millisecond remainder would only spin.
 */
export const SLACK_MS = 0.5;

/**
 * A min-heap of timed tasks driven by a single Node timer. Ties run in scheduling order (FIFO), so
 * equal due times never reorder. Used for every delayed datagram and every TCP pipe wake-up; nothing
 * is scheduled at all on links without delay or bandwidth faults.
 */
export class Scheduler {
  readonly #heap: Entry[] = [];
  #seq = 0;
  #timer: NodeJS.Timeout | null = null;
  #armedAt = Infinity;
  #closed = false;

  /** Number of pending entries (including stale wake-ups). */
  get size(): number {
    return this.#heap.length;
  }

  /** Runs `task.fire(now)` at monotonic time `at` (ms), or as soon as possible if already past. */
  schedule(at: number, task: Task): void {
    if (this.#closed) return;
    this.#push({ at, seq: this.#seq++, task });
    if (at < this.#armedAt) this.#arm(at);
  }

  /** Drops everything and stops the timer. Later `schedule` calls are ignored. */
  close(): void {
    this.#closed = true;
    this.#heap.length = 0;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedAt = Infinity;
  }

  #arm(at: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, at - now()));
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#armedAt = Infinity;
    let t = now();
    let ran = 0;
    while (!this.#closed) {
      const top = this.#heap[0];
      if (top === undefined || top.at > t + SLACK_MS) break;
      this.#pop();
      top.task.fire(t);
      // Refresh the clock now and then so long batches do not deliver early.
      if ((++ran & 63) === 0) t = now();
    }
    const next = this.#heap[0];
    if (next !== undefined && !this.#closed) this.#arm(next.at);
  };

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry;
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const left = heap[l] as Entry;
      const right = heap[r];
      const child = right !== undefined && before(right, left) ? r : l;
      const c = heap[child] as Entry;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
