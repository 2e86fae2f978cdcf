import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../checks/verdict.ts';
import { aggregateVerdict, mergeFlakeReports, parseShard, runSeed, type FlakeReport } from './flake.ts';

describe('aggregateVerdict', () => {
  it('is PASS only when every run passed, and FLAKY whenever passes mix with failures', () => {
    expect(aggregateVerdict({ PASS: 50 })).toBe('PASS');
    expect(aggregateVerdict({ PASS: 49, FAIL: 1 })).toBe('FLAKY');
    expect(aggregateVerdict({ FAIL: 50 })).toBe('FAIL');
    expect(aggregateVerdict({ PASS: 10, ERROR: 1 })).toBe('ERROR');
    expect(aggregateVerdict({ NOT_TESTABLE: 3 })).toBe('NOT_TESTABLE');
  });
  it('never says PASS for a tally with any non-pass', () => {
    const verdicts: Verdict[] = ['PASS', 'FAIL', 'UNKNOWN', 'ERROR', 'NOT_TESTABLE'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...verdicts), fc.integer({ min: 1, max: 50 }), { minKeys: 1 }), (counts) => {
        const v = aggregateVerdict(counts);
        if (Object.keys(counts).some((k) => k !== 'PASS')) expect(v).not.toBe('PASS');
      }),
    );
  });
});

describe('shards', () => {
  it('parses i/n and rejects nonsense with a code', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('5/4')).toThrow(expect.objectContaining({ code: 'BAD_SHARD' }));
    expect(() => parseShard('x')).toThrow(expect.objectContaining({ code: 'BAD_SHARD' }));
  });
  it('gives distinct reproducible seeds per run', () => {
    expect(runSeed(7, 3)).toBe(runSeed(7, 3));
    expect(new Set(Array.from({ length: 100 }, (_, i) => runSeed(7, i))).size).toBe(100);
  });
  it('merges shard reports into one tally and refuses overlaps', () => {
    const shard = (index: number, runIndexes: number[], pass: number, fail: number): FlakeReport => ({
      schemaVersion: 1,
      kind: 'flake',
      candidate: 'c',
      manifest: 'm.json',
      baseSeed: 1,
      runs: 4,
      shard: { index, count: 2 },
      runIndexes,
      wallMs: 10,
      checks: [
        {
          id: 'x',
          level: 'required',
          title: 't',
          runs: pass + fail,
          pass,
          fail,
          verdicts: { PASS: pass, ...(fail ? { FAIL: fail } : {}) },
          verdict: fail ? 'FAIL' : 'PASS',
          failures: [],
          durationsMs: [1],
        },
      ],
    });
    const merged = mergeFlakeReports([shard(1, [0, 2], 2, 0), shard(2, [1, 3], 1, 1)]);
    expect(merged.checks[0]).toMatchObject({ runs: 4, pass: 3, fail: 1, verdict: 'FLAKY' });
    expect(merged.runIndexes).toEqual([0, 1, 2, 3]);
    expect(() => mergeFlakeReports([shard(1, [0, 2], 2, 0), shard(1, [0, 2], 2, 0)])).toThrow(
      expect.objectContaining({ code: 'MERGE_OVERLAP' }),
    );
  });
});
