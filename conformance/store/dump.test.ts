import { describe, expect, it } from 'vitest';
import { type Dump, denseProblem, isDump, lostWrites, parseDump, prefixProblem } from './dump.ts';
import { isPortCollision } from './store-under-test.ts';
import { CandidateError } from '../../harness/process/supervisor.ts';

const dump = (node: string, entries: Array<[number, string, string]>, appliedLsn = entries.length): Dump => ({
  node,
  appliedLsn,
  entries: entries.map(([lsn, key, value]) => ({ lsn, key, value })),
});

const leader = dump('n0', [
  [1, 'a', 'a1'],
  [2, 'b', 'b1'],
  [3, 'a', 'a2'],
]);

describe('parseDump', () => {
  it('accepts the contract shape and ignores extra fields', () => {
    const d = parseDump({ appliedLsn: 1, entries: [{ lsn: 1, key: 'k', value: 'v', term: 1, by: 'n0' }] }, 'n1');
    expect(isDump(d)).toBe(true);
    expect(d).toEqual({ node: 'n1', appliedLsn: 1, entries: [{ lsn: 1, key: 'k', value: 'v' }] });
  });

  it('names what is wrong', () => {
    expect(parseDump([], 'n1')).toEqual({ problem: 'n1 /dump is not a JSON object' });
    expect(parseDump({ entries: [] }, 'n1')).toEqual({ problem: 'n1 /dump has no integer "appliedLsn"' });
    expect(parseDump({ appliedLsn: 0 }, 'n1')).toEqual({ problem: 'n1 /dump has no "entries" array' });
    expect((parseDump({ appliedLsn: 1, entries: [{ lsn: '1', key: 'k', value: 'v' }] }, 'n1') as { problem: string }).problem).toMatch(
      /entry #0/,
    );
  });
});

describe('denseProblem', () => {
  it('accepts LSNs 1…n matching appliedLsn', () => {
    expect(denseProblem(leader)).toBeUndefined();
    expect(denseProblem(dump('n1', []))).toBeUndefined();
  });

  it('flags out-of-order, duplicate and gapped logs, and a wrong appliedLsn', () => {
    expect(
      denseProblem(
        dump('n1', [
          [1, 'a', 'a1'],
          [3, 'a', 'a2'],
          [2, 'b', 'b1'],
        ]),
      ),
    ).toMatch(/entry #2 has LSN 3 after LSN 1 \(expected 2\)/);
    expect(
      denseProblem(
        dump('n1', [
          [1, 'a', 'a1'],
          [1, 'a', 'a1'],
        ]),
      ),
    ).toMatch(/entry #2 has LSN 1/);
    expect(denseProblem(dump('n1', [[2, 'a', 'a1']]))).toMatch(/entry #1 has LSN 2 first/);
    expect(denseProblem(dump('n1', [[1, 'a', 'a1']], 3))).toMatch(/reports appliedLsn 3 but its \/dump lists 1 entries/);
  });
});

describe('prefixProblem', () => {
  it('accepts a prefix, and the same log when exact', () => {
    expect(prefixProblem(dump('n1', [[1, 'a', 'a1']]), leader)).toBeUndefined();
    expect(prefixProblem(dump('n1', []), leader)).toBeUndefined();
    expect(prefixProblem({ ...leader, node: 'n2' }, leader, true)).toBeUndefined();
  });

  it('flags divergence, entries beyond the leader, and lag when exact', () => {
    expect(
      prefixProblem(
        dump('n1', [
          [1, 'a', 'a1'],
          [2, 'b', 'OTHER'],
        ]),
        leader,
      ),
    ).toBe('n1 holds LSN 2 b="OTHER" where n0 holds LSN 2 b="b1": n1\'s log is not a prefix of n0\'s');
    expect(
      prefixProblem(
        dump('n1', [
          [1, 'a', 'a1'],
          [2, 'b', 'b1'],
          [3, 'a', 'a2'],
          [4, 'c', 'c1'],
        ]),
        leader,
      ),
    ).toMatch(/beyond the end of n0's log \(LSN 3\)/);
    expect(prefixProblem(dump('n1', [[1, 'a', 'a1']]), leader, true)).toMatch(/n1 has 1 entries, n0 has 3: not caught up/);
    expect(prefixProblem(dump('n1', [[2, 'b', 'b1']]), leader)).toMatch(/not dense/);
  });
});

describe('lostWrites', () => {
  it('finds nothing when every acknowledged write is at its LSN', () => {
    expect(lostWrites([{ id: 'w1', lsn: 2, key: 'b', value: 'b1' }], leader)).toEqual([]);
  });

  it('names missing and moved writes', () => {
    const problems = lostWrites(
      [
        { id: 'w7', lsn: 4, key: 'c', value: 'c1' },
        { id: 'w8', lsn: 1, key: 'a', value: 'a2' },
      ],
      leader,
    );
    expect(problems).toEqual([
      'acknowledged write w7 (c="c1", LSN 4) is not on n0 at its LSN: its log ends at LSN 3',
      'acknowledged write w8 (a="a2", LSN 1) is not on n0 at its LSN: LSN 1 holds a="a1" (the value sits at LSN 3 instead)',
    ]);
  });
});

describe('isPortCollision', () => {
  it('recognises a node that lost its port between the pick and the bind, in any language', () => {
    const node = new CandidateError('CANDIDATE_EXITED', 'n0 exited', {
      logs: ['{"event":"startup-error","reason":"listen EADDRINUSE: address already in use 127.0.0.1:1"}'],
    });
    const python = new CandidateError('CANDIDATE_EXITED', 'router exited', { logs: ['OSError: [Errno 98] Address already in use'] });
    expect(isPortCollision(node)).toBe(true);
    expect(isPortCollision(python)).toBe(true);
    expect(isPortCollision(new CandidateError('CANDIDATE_EXITED', 'crash', { logs: ['TypeError: x is undefined'] }))).toBe(false);
    expect(isPortCollision(new CandidateError('CANDIDATE_NOT_READY', 'slow', { logs: ['EADDRINUSE'] }))).toBe(false);
    expect(isPortCollision(new Error('EADDRINUSE'))).toBe(false);
  });
});
