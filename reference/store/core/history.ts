/**
 * Term history of a log: which leader term wrote which LSN range. Every leader tenure gets a term
 * `(term, by)` (a number that only grows, plus the id of the promoted node, so two nodes that pick the same
 * number by mistake still differ). Within one log, entries of a term form one contiguous range.
 *
 * Log matching: if two logs hold an entry of the same term at the same LSN, they agree on every entry
 * up to that LSN (only one leader writes a term, and it writes it in LSN order). So the common prefix of
 * two logs is the highest LSN where both logs show the same term: no entry-by-entry comparison needed.
 */
export interface TermRange {
  readonly term: number;
  readonly by: string;
  /** First LSN of this range; the range runs to the next range's start − 1 (or the log end). */
  readonly start: number;
}

export type History = readonly TermRange[];

export function sameTerm(a: { term: number; by: string }, b: { term: number; by: string }): boolean {
  return a.term === b.term && a.by === b.by;
}

/** The range holding `lsn` (the last range starting at or before it); undefined before the first range. */
export function rangeAt(history: History, lsn: number): TermRange | undefined {
  let lo = 0;
  let hi = history.length - 1;
  let found: TermRange | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = history[mid];
    if (range === undefined) break;
    if (range.start <= lsn) {
      found = range;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** True when the history is well formed for a log ending at `end` (starts at 1, strictly increasing, ≤ end). */
export function isValidHistory(history: History, end: number): boolean {
  if (end === 0) return history.length === 0;
  if (history[0]?.start !== 1) return false;
  for (let i = 1; i < history.length; i++) {
    const prev = history[i - 1];
    const cur = history[i];
    if (!prev || !cur || cur.start <= prev.start || cur.start > end) return false;
  }
  return true;
}

/** The highest LSN on which the two logs agree (0 when they share nothing). */
export function commonPrefix(a: History, aEnd: number, b: History, bEnd: number): number {
  let lsn = Math.min(aEnd, bEnd);
  while (lsn > 0) {
    const ra = rangeAt(a, lsn);
    const rb = rangeAt(b, lsn);
    if (!ra || !rb) return 0;
    if (sameTerm(ra, rb)) return lsn;
    // On [max(ra.start, rb.start), lsn] both logs keep their (different) terms: no match there.
    lsn = Math.max(ra.start, rb.start) - 1;
  }
  return 0;
}
