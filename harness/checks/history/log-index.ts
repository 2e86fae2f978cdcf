import type { Log, LogEntry } from './history.ts';

/**
 * Where writes sit in the final leader's log. Positions are indexes into the log sorted by LSN
 * (stable, so even a log with repeated LSNs has a total order); explanations show the LSN.
 *
 * A (key, value) normally appears once (the kit writes distinct values). If the candidate applied a
 * value twice, its position is the range `[lo, hi]` of its occurrences and the checkers only report
 * what no choice in that range could explain.
 */
export interface LogSpan {
  /** Position of the first occurrence. */
  lo: number;
  /** Position of the last occurrence. */
  hi: number;
}

/** Position of the initial state (`null`): before every entry. */
export const INITIAL_POSITION = -1;

/** The initial state as a span. */
export const INITIAL_SPAN: LogSpan = { lo: INITIAL_POSITION, hi: INITIAL_POSITION };

/** Read-only index over a log: positions of values, and per-key lookups by LSN. */
export class LogIndex {
  /** The log in LSN order. */
  readonly entries: readonly LogEntry[];
  private readonly spans = new Map<string, Map<string, LogSpan>>();
  /** Per key: positions of its entries, ascending. */
  private readonly positionsByKey = new Map<string, number[]>();

  constructor(log: Log) {
    this.entries = log
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => a.entry.lsn - b.entry.lsn || a.index - b.index)
      .map(({ entry }) => entry);
    this.entries.forEach((entry, position) => {
      let values = this.spans.get(entry.key);
      if (!values) this.spans.set(entry.key, (values = new Map()));
      const span = values.get(entry.value);
      if (span) span.hi = position;
      else values.set(entry.value, { lo: position, hi: position });
      const positions = this.positionsByKey.get(entry.key);
      if (positions) positions.push(position);
      else this.positionsByKey.set(entry.key, [position]);
    });
  }

  /** Where `value` was written to `key`; `INITIAL_SPAN` for null; undefined when the log never has it. */
  spanOf(key: string, value: string | null): LogSpan | undefined {
    if (value === null) return INITIAL_SPAN;
    return this.spans.get(key)?.get(value);
  }

  /** LSN of a position (undefined for the initial position). */
  lsnAt(position: number): number | undefined {
    return this.entries[position]?.lsn;
  }

  /** Entry at a position. */
  entryAt(position: number): LogEntry | undefined {
    return this.entries[position];
  }

  /** Position of the last entry for `key` with LSN ≤ `lsn`, or undefined when there is none. */
  lastAtOrBelow(key: string, lsn: number): number | undefined {
    const positions = this.positionsByKey.get(key);
    if (!positions) return undefined;
    let low = 0;
    let high = positions.length; // first index whose LSN is > lsn
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[positions[mid]!]!.lsn <= lsn) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? undefined : positions[low - 1];
  }

  /** Position of the first entry for `key` after `position`, or undefined when there is none. */
  nextAfter(key: string, position: number): number | undefined {
    const positions = this.positionsByKey.get(key);
    if (!positions) return undefined;
    let low = 0;
    let high = positions.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (positions[mid]! <= position) low = mid + 1;
      else high = mid;
    }
    return positions[low];
  }
}
