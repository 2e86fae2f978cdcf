import { describe, expect, it } from 'vitest';
import type { ReadOp, WriteOp } from '../../harness/checks/history/history.ts';
import { clip } from './store-under-test.ts';
import { lineOf, proofLines, violationLines } from './violations.ts';

const write: WriteOp = {
  kind: 'write',
  id: 'w1',
  client: 'kit',
  session: 's',
  key: 'k',
  value: 'v1',
  invokeMs: 1,
  completeMs: 2,
  ok: true,
  lsn: 2,
};
const read: ReadOp = {
  kind: 'read',
  id: 'r2',
  client: 'kit',
  session: 's',
  key: 'k',
  mode: 'SessionConsistent',
  value: null,
  servedBy: 'n2',
  servedLsn: 1,
  invokeMs: 3,
  completeMs: 4,
};
const recorded = {
  lines: [
    'w1 +1ms W k=v1 [session s] → 200 lsn=2 served by n0 in 1 ms',
    'w10 +9ms W k=v9 → 200 lsn=9 served by n0 in 1 ms',
    'r2 +3ms R k SessionConsistent via=n2 [session s] → null lsn=1 served by n2 in 1 ms',
  ],
};

describe('evidence lines for violations', () => {
  it('finds the exchange line of an operation by exact id', () => {
    expect(lineOf(recorded, 'w1')).toBe(recorded.lines[0]);
    expect(lineOf(recorded, 'w10')).toBe(recorded.lines[1]);
    expect(lineOf(recorded, 'w3')).toBeUndefined();
    expect(lineOf(recorded, undefined)).toBeUndefined();
  });

  it('shows the checker sentence and the minimal violating pair', () => {
    const lines = violationLines(recorded, [
      { guarantee: 'read-your-writes', session: 's', key: 'k', earlier: write, later: read, explanation: 'read r2 returned null…' },
    ]);
    expect(lines).toEqual([
      'read-your-writes: read r2 returned null…',
      `  earlier: ${recorded.lines[0]}`,
      `  later:   ${recorded.lines[2]}`,
    ]);
  });

  it('proves the violation a summary names with its pair, for the tail of the evidence', () => {
    const v = {
      guarantee: 'read-your-writes' as const,
      session: 's',
      key: 'k',
      earlier: write,
      later: read,
      explanation: 'read r2 returned null…',
    };
    expect(proofLines(recorded, v)).toEqual([
      'the violation the summary names:',
      'read-your-writes: read r2 returned null…',
      `  earlier: ${recorded.lines[0]}`,
      `  later:   ${recorded.lines[2]}`,
    ]);
    expect(proofLines(recorded, undefined)).toEqual([]);
  });

  it('caps the list', () => {
    const v = { guarantee: 'phantom' as const, session: undefined, key: 'k', earlier: undefined, later: read, explanation: 'x' };
    const lines = violationLines(recorded, [v, v, v], 2);
    expect(lines.at(-1)).toBe('… and 1 more violation(s)');
    expect(lines.filter((l) => l.startsWith('phantom'))).toHaveLength(2);
  });
});

describe('clip', () => {
  it('keeps short lists and elides the middle of long ones', () => {
    expect(clip(['a', 'b'], 1, 1)).toEqual(['a', 'b']);
    expect(clip(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'b', 'c']);
    expect(clip(['a', 'b', 'c', 'd', 'e'], 1, 1)).toEqual(['a', '… 3 more …', 'e']);
  });
});
