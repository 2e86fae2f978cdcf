/**
 * Bounded per-consumer ring with drop-oldest semantics: the Node counterpart of one receiver of a
 * `tokio::sync::broadcast` channel.
 *
 * {@link BroadcastRing.push} never waits and never fails: when the ring is full the oldest entry is
 * evicted (handed to `onDrop` so its owner can release resources) and {@link BroadcastRing.missed}
 * grows by one. The consumer reads with {@link BroadcastRing.shift}.
 */
export class BroadcastRing<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** Entries evicted because the ring was full (running total). */
  missed = 0;
  /** Entries ever pushed (running total). */
  pushed = 0;

  constructor(
    readonly capacity: number,
    private readonly onDrop?: (evicted: T) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be >= 1, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Appends `item`; returns the number of entries evicted to make room (0 or 1). */
  push(item: T): number {
    this.pushed++;
    const cap = this.capacity;
    if (this.count === cap) {
      const evicted = this.slots[this.head] as T;
      this.slots[this.head] = item;
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.missed++;
      this.onDrop?.(evicted);
      return 1;
    }
    let tail = this.head + this.count;
    if (tail >= cap) tail -= cap;
    this.slots[tail] = item;
    this.count++;
    return 0;
  }

  /** Removes and returns the oldest entry, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.count--;
    return item;
  }

  /** Removes every entry, passing each to `fn` (oldest first). */
  clear(fn?: (item: T) => void): void {
    for (let item = this.shift(); item !== undefined; item = this.shift()) fn?.(item);
  }
}
