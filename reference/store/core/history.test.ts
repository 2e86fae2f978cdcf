import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commonPrefix, isValidHistory, rangeAt, type TermRange } from './history.ts';
import { type Entry, ReplicaLog } from './replica-log.ts';

function logOf(terms: Array<[number, string, number]>): ReplicaLog {
  const log = new ReplicaLog();
  for (const [term, by, count] of terms) {
    for (let i = 0; i < count; i++) log.append({ lsn: log.end + 1, key: `k${log.end % 3}`, value: `${term}${by}${log.end}`, term, by });
  }
  return log;
}

describe('term history', () => {
  it('records one range per leader tenure and finds the range of an LSN', () => {
    const log = logOf([
      [1, 'n0', 3],
      [2, 'n1', 2],
    ]);
    expect(log.history).toEqual([
      { term: 1, by: 'n0', start: 1 },
      { term: 2, by: 'n1', start: 4 },
    ]);
    expect(rangeAt(log.history, 3)?.term).toBe(1);
    expect(rangeAt(log.history, 4)?.term).toBe(2);
    expect(rangeAt(log.history, 0)).toBeUndefined();
    expect(isValidHistory(log.history, log.end)).toBe(true);
    expect(isValidHistory([{ term: 1, by: 'a', start: 2 }], 3)).toBe(false);
  });

  it('finds the common prefix of a follower that is behind, equal, or diverged', () => {
    const leader = logOf([
      [1, 'n0', 5],
      [2, 'n1', 3],
    ]);
    const behind = logOf([[1, 'n0', 4]]);
    expect(commonPrefix(behind.history, behind.end, leader.history, leader.end)).toBe(4);
    expect(commonPrefix(leader.history, leader.end, leader.history, leader.end)).toBe(8);
    // Saw two unacknowledged writes of the old leader (term 1 up to 7) that the new leader never got.
    const diverged = logOf([[1, 'n0', 7]]);
    expect(commonPrefix(diverged.history, diverged.end, leader.history, leader.end)).toBe(5);
    // Same term number picked by two nodes: still told apart by `by`.
    const clash = logOf([
      [1, 'n0', 5],
      [2, 'n2', 3],
    ]);
    expect(commonPrefix(clash.history, clash.end, leader.history, leader.end)).toBe(5);
    expect(commonPrefix([], 0, leader.history, leader.end)).toBe(0);
  });

  it('truncate rebuilds the state from the kept prefix', () => {
    const log = logOf([[1, 'n0', 6]]);
    log.truncate(2);
    expect(log.end).toBe(2);
    expect(log.read('k2')).toBeUndefined();
    expect(log.read('k1')).toEqual({ value: '1n01', lsn: 2 });
    expect(log.history).toEqual([{ term: 1, by: 'n0', start: 1 }]);
  });

  it('property: the common prefix equals the shared part of two forked logs', () => {
    const ranges = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });
    fc.assert(
      fc.property(ranges, ranges, ranges, fc.boolean(), (shared, suffixA, suffixB, aContinues) => {
        let term = 0;
        const build = (counts: number[], by: string): Array<[number, string, number]> => counts.map((c) => [++term, by, c]);
        const prefix = build(shared, 'p');
        const last = prefix.at(-1);
        const a = [...prefix, ...(aContinues && last ? [[last[0], last[1], 2] as [number, string, number]] : []), ...build(suffixA, 'a')];
        const b = [...prefix, ...build(suffixB, 'b')];
        const la = logOf(a);
        const lb = logOf(b);
        const brute = (() => {
          let n = 0;
          const same = (x: Entry | undefined, y: Entry | undefined): boolean => !!x && !!y && x.term === y.term && x.by === y.by;
          while (same(la.entry(n + 1), lb.entry(n + 1))) n++;
          return n;
        })();
        const h: TermRange[] = [...la.history];
        expect(commonPrefix(h, la.end, lb.history, lb.end)).toBe(brute);
        expect(commonPrefix(lb.history, lb.end, h, la.end)).toBe(brute);
      }),
      { numRuns: 300 },
    );
  });
});
